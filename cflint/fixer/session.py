"""A fixing run over the files a lint run found: fix the Python files, then the other
files their fixes edit (requirements.txt), and count what was fixed and what is left."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from cflint.fix.model import without_unfixable
from cflint.fixer.applier import (
    FileFixer,
    FixPolicy,
    Lint,
    fix_file,
    gather_other_file_edits,
    merged_text_edits,
    write_outcome,
)
from cflint.fs.files import read_regular_file
from cflint.fs.writer import NotWritten, locked_file
from cflint.model import Finding
from cflint.output.diff import unified_diff
from cflint.project import FileJob
from cflint.record import Record, field, replace

_BOM = "\ufeff"


class FixRun(Record):
    """What a fix run did: the findings left, how many were fixed, diffs and notes."""

    findings: list[Finding]  # what is left, sorted
    fixed: int = 0
    unwritten: int = 0  # files a fix was meant for but that were left as they were
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
            result.unwritten += 1
            result.findings.extend(f for f in findings if f.path == path)
            continue
        result.findings.extend(outcome.findings)
        result.fixed += outcome.applied
        if outcome.changed:
            result.diffs.append(outcome.diff())
    _fix_other_files(result, jobs_by_path, lint, policy, unfixable, write)
    result.findings.sort()
    return result


class _Dropped(Exception):
    """The fixes to a requirements file would not leave valid requirement lines."""


def _fixed_requirements(data: bytes, findings: Sequence[Finding]) -> bytes:
    """A requirements file's bytes with the findings' edits; raises UnicodeDecodeError or _Dropped."""
    text = data.decode("utf-8")
    bom = _BOM if text.startswith(_BOM) else ""
    new_text = merged_text_edits(text[len(bom) :], [f.fix for f in findings if f.fix is not None], _is_requirement_line)
    if new_text is None:
        raise _Dropped
    return (bom + new_text).encode("utf-8")


def _relint(result: FixRun, sources: set[str], jobs_by_path: dict[str, FileJob], lint: Lint) -> None:
    """Lint `sources` again, as they are on disk, in place of their findings in `result`.

    Their fixes to another file were made from what that file held when the run linted it;
    under that file's lock, another run may have fixed it since (the same line twice)."""
    for source in sorted(sources):
        job = jobs_by_path.get(source)
        if job is None:
            continue
        context = job.context
        if context.root is not None:  # the root caches what its requirements.txt said
            context = replace(context, root=replace(context.root))
        fresh = without_unfixable(lint(FileJob(context, job.enabled)), context.settings.unfixable)
        result.findings = [f for f in result.findings if f.path != source] + fresh


def _fix_other_files(
    result: FixRun,
    jobs_by_path: dict[str, FileJob],
    lint: Lint,
    policy: FixPolicy,
    unfixable: Callable[[Finding], tuple[str, ...]],
    write: bool,
) -> None:
    def allowed() -> list[Finding]:
        return [f for f in result.findings if policy.allows(f, unfixable(f))]

    for display, proposed in sorted(gather_other_file_edits(allowed()).items()):
        path = Path(display)
        try:
            if write:
                with locked_file(path) as locked:
                    _relint(result, {f.path for f in proposed}, jobs_by_path, lint)
                    fixed_findings = gather_other_file_edits(allowed()).get(display, [])
                    data = locked.data
                    new_data = _fixed_requirements(data, fixed_findings)
                    if new_data != data:
                        locked.replace(new_data)
            else:
                fixed_findings = proposed
                data = read_regular_file(path)[0]
                new_data = _fixed_requirements(data, fixed_findings)
        except UnicodeDecodeError as exc:
            result.notes.append(f"{display}: cannot read as UTF-8 text ({exc}); not fixed")
            continue
        except OSError as exc:
            result.notes.append(f"{display}: cannot fix: {exc.strerror or exc}; not fixed")
            continue
        except _Dropped:
            result.notes.append(f"{display}: fixes dropped: the result would not be valid requirement lines")
            continue
        except NotWritten as refused:
            result.notes.append(f"{display}: {refused}; not written")
            result.unwritten += 1
            continue
        if new_data == data:
            continue
        result.diffs.append(unified_diff(display, data, new_data))
        result.fixed += len(fixed_findings)
        fixed_ids = {id(f) for f in fixed_findings}
        result.findings = [f for f in result.findings if id(f) not in fixed_ids]
