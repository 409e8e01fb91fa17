"""A fixing run over the files a lint run found: fix the Python files, then the other
files their fixes edit (requirements.txt), and count what was fixed and what is left."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from msgspec import Struct, field

from cflint.fix.applier import (
    FileFixer,
    FixPolicy,
    Lint,
    fix_file,
    gather_other_file_edits,
    merged_text_edits,
    write_outcome,
)
from cflint.fix.source import write_atomically
from cflint.model import Finding
from cflint.output.diff import unified_diff
from cflint.project import FileJob
from cflint.run.files import read_regular_file

_BOM = "\ufeff"


class FixRun(Struct):
    """What a fix run did: the findings left, how many were fixed, diffs and notes."""

    findings: list[Finding]  # what is left, sorted
    fixed: int = 0
    diffs: list[bytes] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.diffs)


def _is_requirement_line(line: str) -> bool:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        Requirement(line.split(" #", 1)[0].strip())
    except InvalidRequirement:
        return False
    return True


def fix_findings(
    findings: Sequence[Finding], jobs: Sequence[FileJob], lint: Lint, policy: FixPolicy, write: bool
) -> FixRun:
    """Fix what `findings` (of a run over `jobs`) have fixes for; `write=False` only diffs."""
    jobs_by_path = {job.context.display_path: job for job in jobs}

    def unfixable(finding: Finding) -> tuple[str, ...]:
        job = jobs_by_path.get(finding.path)
        return job.context.settings.unfixable if job is not None else ()

    to_fix = sorted(
        {
            f.path
            for f in findings
            if f.path in jobs_by_path
            and f.fix is not None
            and not f.fix.in_other_files
            and policy.allows(f, unfixable(f))
        }
    )
    result = FixRun([f for f in findings if f.path not in to_fix])
    fixer = FileFixer(lint, policy)
    for path in to_fix:
        outcome = fix_file(fixer, jobs_by_path[path])
        result.notes.extend(outcome.notes)
        note = write_outcome(outcome) if write else None
        if note is not None:
            result.notes.append(note)
            result.findings.extend(f for f in findings if f.path == path)
            continue
        result.findings.extend(outcome.findings)
        result.fixed += outcome.applied
        if outcome.changed:
            result.diffs.append(outcome.diff())
    _fix_other_files(result, policy, unfixable, write)
    result.findings.sort()
    return result


def _fix_other_files(
    result: FixRun, policy: FixPolicy, unfixable: Callable[[Finding], tuple[str, ...]], write: bool
) -> None:
    allowed = [f for f in result.findings if policy.allows(f, unfixable(f))]
    for display, fixed_findings in sorted(gather_other_file_edits(allowed).items()):
        path = Path(display)
        try:
            data, _ = read_regular_file(path)
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            result.notes.append(f"{display}: cannot read as UTF-8 text ({exc}); not fixed")
            continue
        bom = _BOM if text.startswith(_BOM) else ""
        fixes = [f.fix for f in fixed_findings if f.fix is not None]
        new_text = merged_text_edits(text[len(bom) :], fixes, _is_requirement_line)
        if new_text is None:
            result.notes.append(f"{display}: fixes dropped: the result would not be valid requirement lines")
            continue
        new_data = (bom + new_text).encode("utf-8")
        if new_data == data:
            continue
        if write:
            try:
                if not write_atomically(path, new_data, data):
                    result.notes.append(f"{display}: changed on disk during the run; not written")
                    continue
            except OSError as exc:
                result.notes.append(f"{display}: cannot write: {exc.strerror or exc}; not fixed")
                continue
        result.diffs.append(unified_diff(display, data, new_data))
        result.fixed += len(fixed_findings)
        fixed_ids = {id(f) for f in fixed_findings}
        result.findings = [f for f in result.findings if id(f) not in fixed_ids]
