"""How every output format words a finding's fix."""

from __future__ import annotations

from typing import Any

from cflint.model import Finding


def fix_note(finding: Finding) -> str:
    """A suffix for one-line formats: whether a fix is available and whether it is safe."""
    if finding.fix is None:
        return ""
    return " [fix: --fix]" if finding.fix.is_safe else " [unsafe fix: --unsafe-fixes]"


def fix_object(finding: Finding) -> dict[str, Any] | None:
    """The `fix` object of the JSON format."""
    fix = finding.fix
    if fix is None:
        return None
    return {
        "applicability": fix.safety.value,
        "message": fix.description,
        "edits": [
            {
                "path": edit.path,
                "start": {"line": edit.start.line, "column": edit.start.column},
                "end": {"line": edit.end.line, "column": edit.end.column},
                "content": edit.new_text,
            }
            for edit in fix.edits
        ],
    }
