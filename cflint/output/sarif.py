"""`--format sarif`: a SARIF 2.1.0 log for code scanning services."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from cflint import __version__
from cflint.model import Finding
from cflint.output import ReportOptions, SourceLine, is_folder_finding
from cflint.output.pages import page_url, read_page

if TYPE_CHECKING:
    from cflint.engine.registry import Registry, RuleMeta

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"


def artifact_uri(path: str, folder: bool) -> str:
    """A relative URI reference for a relative path (':' escaped so it cannot read as a scheme),
    a file URI otherwise."""
    pure = PurePosixPath(path)
    uri = pure.as_uri() if pure.is_absolute() else quote(os.fsencode(path), safe="/")
    return uri + "/" if folder and not uri.endswith("/") else uri


def _rule_descriptor(rule: RuleMeta) -> dict[str, Any]:
    page = read_page(rule.code)
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "help": {"text": page or rule.summary, "markdown": page or rule.summary},
        "defaultConfiguration": {"level": rule.severity.value},
    }
    url = page_url(rule.code)
    if url is not None:
        descriptor["helpUri"] = url
    return descriptor


def _location(finding: Finding) -> dict[str, Any]:
    uri = artifact_uri(finding.path, os.path.isdir(finding.path))
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if not is_folder_finding(finding):
        physical["region"] = {
            "startLine": finding.start.line,
            "startColumn": finding.start.column,
            "endLine": finding.end.line,
            "endColumn": finding.end.column,
        }
    return {"physicalLocation": physical}


def _fixes(finding: Finding) -> list[dict[str, Any]]:
    """SARIF `fixes`: one fix, its edits grouped by file; its safety in its description and properties."""
    fix = finding.fix
    if fix is None:
        return []
    by_path: dict[str, list[dict[str, Any]]] = {}
    for edit in fix.edits:
        by_path.setdefault(edit.path or finding.path, []).append(
            {
                "deletedRegion": {
                    "startLine": edit.start.line,
                    "startColumn": edit.start.column,
                    "endLine": edit.end.line,
                    "endColumn": edit.end.column,
                },
                "insertedContent": {"text": edit.new_text},
            }
        )
    changes = [
        {"artifactLocation": {"uri": artifact_uri(path, False)}, "replacements": replacements}
        for path, replacements in by_path.items()
    ]
    description = f"{fix.description} ({fix.safety.value} fix)"
    return [
        {"description": {"text": description}, "artifactChanges": changes, "properties": {"safety": fix.safety.value}}
    ]


class SarifReporter:
    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    def log(self, findings: Sequence[Finding]) -> dict[str, Any]:
        used = sorted({finding.code for finding in findings})
        index = {code: position for position, code in enumerate(used)}
        results = []
        for finding in findings:
            result: dict[str, Any] = {
                "ruleId": finding.code,
                "ruleIndex": index[finding.code],
                "level": finding.severity.value,
                "message": {"text": finding.message},
                "locations": [_location(finding)],
            }
            fixes = _fixes(finding)
            if fixes:
                result["fixes"] = fixes
            results.append(result)
        driver = {
            "name": "cflint",
            "version": __version__,
            "rules": [_rule_descriptor(self._registry.by_code(code)) for code in used],
        }
        return {
            "$schema": SARIF_SCHEMA_URI,
            "version": "2.1.0",
            "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}],
        }

    def write(
        self, findings: Sequence[Finding], stream: TextIO, options: ReportOptions, source_line: SourceLine
    ) -> None:
        json.dump(self.log(findings), stream, indent=2)
        stream.write("\n")
