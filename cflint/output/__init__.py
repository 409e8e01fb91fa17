"""Reporters turn the sorted findings of a run into one output format."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from cflint.model import Finding
from cflint.record import Record

if TYPE_CHECKING:
    from cflint.engine.registry import Registry

SourceLine = Callable[[Finding], "str | None"]


class ReportOptions(Record, frozen=True):
    """How findings are shown: the output flags, and how many files were checked."""

    color: bool = False
    show_source: bool = False
    statistics: bool = False
    quiet: bool = False
    files_checked: int = 0


class Reporter(Protocol):
    def write(
        self, findings: Sequence[Finding], stream: TextIO, options: ReportOptions, source_line: SourceLine
    ) -> None: ...


def is_folder_finding(finding: Finding) -> bool:
    """A finding about a whole function folder (such as a missing entry module) or a whole
    archive (CF502 on `fn.zip`), not a place in a file. The default, JSON and GitLab formats
    place it at 1:1 (their readers need a line); GitHub and SARIF give it no line."""
    path = Path(finding.path)
    return path.is_dir() or (path.suffix == ".zip" and path.is_file())


def _default(rules: Registry) -> Reporter:
    from cflint.output.default import DefaultReporter

    return DefaultReporter(rules)


def _github(rules: Registry) -> Reporter:
    from cflint.output.github import GithubReporter

    return GithubReporter()


def _json(rules: Registry) -> Reporter:
    from cflint.output.json_format import JsonReporter

    return JsonReporter(rules)


def _sarif(rules: Registry) -> Reporter:
    from cflint.output.sarif import SarifReporter

    return SarifReporter(rules)


def _gitlab(rules: Registry) -> Reporter:
    from cflint.output.gitlab import GitlabReporter

    return GitlabReporter()


# Each output format and how its reporter is made; a format's module is imported only when chosen.
REPORTERS: dict[str, Callable[[Registry], Reporter]] = {
    "default": _default,
    "github": _github,
    "json": _json,
    "sarif": _sarif,
    "gitlab": _gitlab,
}


def get_reporter(name: str, registry: Registry | None = None) -> Reporter:
    """The reporter of an output format; `registry` gives the rules' metadata (loaded when not given).
    Raises KeyError for an unknown format."""
    from cflint.engine.registry import load_registry

    make = REPORTERS[name]
    return make(registry if registry is not None else load_registry())
