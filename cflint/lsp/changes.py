"""The fixes the server offers as code actions, as edits of the buffer in cflint's coordinates."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cflint.model import Finding, TextEdit
from cflint.record import Record


class FindingFix(Record, frozen=True):
    """A fix of one finding: what it is called in the editor and the changes it makes."""

    finding: Finding
    title: str
    changes: tuple[TextEdit, ...]
    safe: bool = True


def fixes_for(path: Path, text: str, findings: Sequence[Finding]) -> list[FindingFix]:
    """The fixes available for `findings` of the file `path` holding `text`: each finding's
    own fix (see `cflint.fix`) whose edits all fall in this file. A fix that also edits
    another file (CF303 adds a line to requirements.txt) is left to `cflint --fix`. A title
    is the fix's description; the code is the caller's to add.

    The one place the server gets fixes from: quick fixes and `source.fixAll.cflint` are
    built from what this returns; fix-all applies only the safe ones."""
    found = []
    for finding in findings:
        fix = finding.fix
        if fix is None or not fix.edits or fix.in_other_files:
            continue
        found.append(FindingFix(finding, fix.description, tuple(fix.edits), fix.is_safe))
    return found


def non_overlapping(fixes: Sequence[FindingFix]) -> list[TextEdit]:
    """The changes of the safe fixes, leaving out a fix that overlaps one kept before it
    (applying it would need a fresh lint of the fixed text)."""
    kept: list[TextEdit] = []
    for fix in fixes:
        if not fix.safe:
            continue
        if any(change.start < other.end and other.start < change.end for change in fix.changes for other in kept):
            continue
        kept.extend(fix.changes)
    return kept
