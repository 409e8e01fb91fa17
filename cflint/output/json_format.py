"""`--format json`: a JSON list of findings, each with its place, rule and rule page URL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from cflint.model import Finding
from cflint.output import ReportOptions, SourceLine
from cflint.output.fixes import fix_object
from cflint.output.pages import page_url

if TYPE_CHECKING:
    from cflint.engine.registry import Registry


class JsonReporter:
    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    def as_object(self, finding: Finding) -> dict[str, Any]:
        return {
            "code": finding.code,
            "name": self._registry.by_code(finding.code).name,
            "message": finding.message,
            "severity": finding.severity.value,
            "path": finding.path,
            "start": {"line": finding.start.line, "column": finding.start.column},
            "end": {"line": finding.end.line, "column": finding.end.column},
            "url": page_url(finding.code),
            "fix": fix_object(finding),
        }

    def write(
        self, findings: Sequence[Finding], stream: TextIO, options: ReportOptions, source_line: SourceLine
    ) -> None:
        json.dump([self.as_object(finding) for finding in findings], stream, indent=2)
        stream.write("\n")
