"""Reporters turn the sorted findings of a run into one output format."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TextIO

from cflint.types import Finding

SourceLine = Callable[[Finding], "str | None"]


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    show_source: bool = False
    statistics: bool = False
    quiet: bool = False
    files_checked: int = 0


class Reporter(Protocol):
    def write(
        self, findings: Sequence[Finding], stream: TextIO, options: ReportOptions, source_line: SourceLine
    ) -> None: ...


def get_reporter(name: str) -> Reporter:
    from cflint.reporters.default import DefaultReporter

    reporters: dict[str, Callable[[], Reporter]] = {"default": DefaultReporter}
    return reporters[name]()
