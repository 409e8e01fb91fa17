"""GitHub Actions workflow commands: one `::error`/`::warning` annotation a finding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from cflint.model import Finding
from cflint.output import ReportOptions, SourceLine, is_folder_finding
from cflint.output.fixes import fix_note


def escape_data(text: str) -> str:
    """Escape a command's message the way GitHub's actions toolkit does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property value the way GitHub's actions toolkit does."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(finding: Finding) -> str:
    properties = [("file", finding.path)]
    if not is_folder_finding(finding):
        properties += [
            ("line", str(finding.start.line)),
            ("col", str(finding.start.column)),
            ("endLine", str(finding.end.line)),
            ("endColumn", str(finding.end.column)),
        ]
    properties.append(("title", f"cflint ({finding.code})"))
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{finding.severity.value} {rendered}::{escape_data(finding.message + fix_note(finding))}"


class GithubReporter:
    def write(
        self, findings: Sequence[Finding], stream: TextIO, options: ReportOptions, source_line: SourceLine
    ) -> None:
        for finding in findings:
            stream.write(workflow_command(finding) + "\n")
