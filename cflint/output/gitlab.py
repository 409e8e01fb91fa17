"""`--format gitlab`: a GitLab Code Quality report.

Fingerprints hash the path, code, message and the stripped text of the finding's line,
plus how many earlier findings in the file share all four. They do not depend on the line
number, so a finding keeps its fingerprint when unrelated lines are added or removed above it.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any, TextIO

from cflint.model import Finding, Severity
from cflint.output import ReportOptions, SourceLine, is_folder_finding
from cflint.output.fixes import fix_note

GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor"}


def fingerprints(findings: Sequence[Finding], source_line: SourceLine) -> list[str]:
    seen: Counter[tuple[str, str, str, str]] = Counter()
    result = []
    for finding in findings:
        line = "" if is_folder_finding(finding) else (source_line(finding) or "").strip()
        key = (finding.path, finding.code, finding.message, line)
        occurrence = seen[key]
        seen[key] += 1
        digest = hashlib.sha256("\0".join((*key, str(occurrence))).encode("utf-8", "surrogatepass"))
        result.append(digest.hexdigest())
    return result


class GitlabReporter:
    def issue(self, finding: Finding, fingerprint: str) -> dict[str, Any]:
        return {
            "description": f"{finding.code} {finding.message}{fix_note(finding)}",
            "check_name": finding.code,
            "fingerprint": fingerprint,
            "severity": GITLAB_SEVERITY[finding.severity],
            "location": {"path": finding.path, "lines": {"begin": finding.start.line, "end": finding.end.line}},
        }

    def write(
        self, findings: Sequence[Finding], stream: TextIO, options: ReportOptions, source_line: SourceLine
    ) -> None:
        issues = [self.issue(f, p) for f, p in zip(findings, fingerprints(findings, source_line), strict=True)]
        json.dump(issues, stream, indent=2)
        stream.write("\n")
