"""Reporters turn the sorted findings of a run into one output format."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from msgspec import Struct

from cflint.model import Finding

if TYPE_CHECKING:
    from cflint.engine.registry import Registry

SourceLine = Callable[[Finding], "str | None"]


class ReportOptions(Struct, frozen=True):
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


def get_reporter(name: str, registry: Registry | None = None) -> Reporter:
    """The reporter of an output format; `registry` gives the rules' metadata (loaded when not given).
    Only the chosen format's module is imported."""
    from cflint.engine.registry import load_registry

    rules = registry if registry is not None else load_registry()
    if name == "default":
        from cflint.output.default import DefaultReporter

        return DefaultReporter(rules)
    if name == "github":
        from cflint.output.github import GithubReporter

        return GithubReporter()
    if name == "json":
        from cflint.output.json_format import JsonReporter

        return JsonReporter(rules)
    if name == "sarif":
        from cflint.output.sarif import SarifReporter

        return SarifReporter(rules)
    if name == "gitlab":
        from cflint.output.gitlab import GitlabReporter

        return GitlabReporter()
    raise KeyError(name)
