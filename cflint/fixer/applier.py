"""Apply fixes: pass after pass of non-overlapping fixes, each pass re-linted, until none
applies (or MAX_PASSES). A result that does not parse, or whose tokens outside the edited
ranges differ, is never kept; files are written under a lock, and not at all when they
changed on disk during the run."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from cflint.fix.model import is_unfixable, without_unfixable
from cflint.fix.text import apply_edits, apply_offset_edits, offset_ranges, overlaps
from cflint.fixer.source import SourceText, compiles, libcst_parses
from cflint.fixer.token_guard import tokens_kept
from cflint.fs.files import read_regular_file
from cflint.fs.writer import NotWritten, write_checked
from cflint.model import Finding, Fix, TextEdit
from cflint.output.diff import unified_diff
from cflint.project import FileJob
from cflint.record import Record, field, replace

MAX_PASSES = 16

Lint = Callable[[FileJob], list[Finding]]


class FixPolicy(Record, frozen=True):
    """Which fixes apply: safe ones, unsafe ones too when asked, none of `unfixable` codes."""

    unsafe: bool = False

    def allows(self, finding: Finding, unfixable: Sequence[str] = ()) -> bool:
        fix = finding.fix
        if fix is None or (not fix.is_safe and not self.unsafe):
            return False
        return not is_unfixable(finding.code, unfixable)


class FileOutcome(Record):
    """One file after fixing: its text before and after, the fixes applied, what is left."""

    path: Path
    display: str
    before: str
    after: str
    source: SourceText | None
    original: bytes = b""
    applied: int = 0
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.after != self.before

    @property
    def written_bytes(self) -> bytes:
        """The bytes --fix writes: the fixed text in the file's encoding (with its BOM)."""
        return self.source.encode(self.after) if self.source is not None else self.original

    def diff(self) -> bytes:
        return unified_diff(self.display, self.original, self.written_bytes)


def _fix_key(finding: Finding) -> tuple[str, tuple[TextEdit, ...]]:
    return finding.code, _edits([finding])


def _edits(findings: Iterable[Finding]) -> tuple[TextEdit, ...]:
    """The edits of the findings' fixes, in order."""
    return tuple(edit for finding in findings if finding.fix is not None for edit in finding.fix.edits)


def _where(finding: Finding) -> str:
    return f"{finding.path}:{finding.start.line}:{finding.start.column}: {finding.code}"


class FileFixer:
    """Fixes one Python file at a time with `lint`, which lints a job's in-memory source."""

    def __init__(self, lint: Lint, policy: FixPolicy) -> None:
        self.lint = lint
        self.policy = policy

    def fix_text(self, job: FileJob, data: bytes) -> FileOutcome:
        """Fix `data` (the file's bytes) in memory; nothing is written."""
        context = job.context
        try:
            source = SourceText.decode(data)
        except ValueError:
            return FileOutcome(context.path, context.display_path, "", "", None, data, findings=self.lint(job))
        outcome = FileOutcome(context.path, context.display_path, source.text, source.text, source, data)
        originally_compiles = compiles(source.text)
        dropped: set[tuple[str, tuple[TextEdit, ...]]] = set()
        unfixable = context.settings.unfixable
        findings = self.lint(replace(job, source=data))
        for _ in range(MAX_PASSES):
            candidates = [
                f
                for f in findings
                if self.policy.allows(f, unfixable)
                and f.fix is not None
                and not f.fix.in_other_files
                and _fix_key(f) not in dropped
            ]
            if not candidates:
                break
            chosen = _non_overlapping(outcome.after, candidates)
            accepted, refused = _acceptable_subset(outcome.after, chosen, originally_compiles)
            for finding, problem in refused:
                dropped.add(_fix_key(finding))
                outcome.notes.append(f"{_where(finding)} fix dropped: {problem}")
            if not accepted:
                continue
            new_text = apply_edits(outcome.after, _edits(accepted))
            try:
                encoded = source.encode(new_text)
            except UnicodeEncodeError:
                for finding in accepted:
                    dropped.add(_fix_key(finding))
                    outcome.notes.append(f"{_where(finding)} fix dropped: not encodable in {source.encoding}")
                continue
            if new_text == outcome.after:
                break
            outcome.after = new_text
            outcome.applied += len(accepted)
            findings = self.lint(replace(job, source=encoded))
        else:
            outcome.notes.append(f"{context.display_path}: fixes still applied after {MAX_PASSES} passes; stopped")
        outcome.findings = without_unfixable(findings, unfixable)
        return outcome


def _problem(text: str, fixes: list[Finding], must_compile: bool) -> str | None:
    """Why the fixes' result cannot be kept: it does not parse, or it changes tokens outside
    the edited ranges (code that became part of a comment or a string); None when it can."""
    ranges = offset_ranges(text, _edits(fixes))
    new_text = apply_offset_edits(text, ranges)
    if not libcst_parses(new_text) or (must_compile and not compiles(new_text)):
        return "the fixed file would not parse"
    if not tokens_kept(text, new_text, ranges):
        return "it would change code outside its edit"
    return None


def _acceptable_subset(
    text: str, chosen: list[Finding], must_compile: bool
) -> tuple[list[Finding], list[tuple[Finding, str]]]:
    """All of `chosen` when their result can be kept, else the largest prefix-greedy subset
    that can; and the fixes refused, each with why."""
    if _problem(text, chosen, must_compile) is None:
        return chosen, []
    accepted: list[Finding] = []
    refused: list[tuple[Finding, str]] = []
    for finding in chosen:
        problem = _problem(text, [*accepted, finding], must_compile)
        if problem is None:
            accepted.append(finding)
        else:
            refused.append((finding, problem))
    return accepted, refused


def _non_overlapping(text: str, candidates: list[Finding]) -> list[Finding]:
    """Fixes in order of place whose edits neither overlap nor touch an earlier one's."""
    taken: list[tuple[int, int]] = []
    chosen: list[Finding] = []
    for finding in sorted(candidates):
        assert finding.fix is not None
        ranges = [(start, end) for start, end, _ in offset_ranges(text, finding.fix.edits)]
        if any(overlaps(mine, other) for mine in ranges for other in taken):
            continue
        if any(overlaps(a, b) for i, a in enumerate(ranges) for b in ranges[i + 1 :]):
            continue
        taken.extend(ranges)
        chosen.append(finding)
    return chosen


def fix_file(fixer: FileFixer, job: FileJob) -> FileOutcome:
    """Read and fix one file in memory."""
    try:
        data, _ = read_regular_file(job.context.path, job.context.settings.max_file_size)
    except OSError as exc:
        outcome = FileOutcome(job.context.path, job.context.display_path, "", "", None)
        outcome.notes.append(f"{job.context.display_path}: cannot read: {exc.strerror or exc}; not fixed")
        outcome.findings = fixer.lint(job)
        return outcome
    return fixer.fix_text(job, data)


def write_outcome(outcome: FileOutcome) -> str | None:
    """Write a changed file; a note when it is not written."""
    if not outcome.changed or outcome.source is None:
        return None
    try:
        write_checked(outcome.path, outcome.written_bytes, outcome.original)
    except NotWritten as refused:
        return f"{outcome.display}: {refused}; not written"
    except OSError as exc:
        return f"{outcome.display}: cannot write: {exc.strerror or exc}; not fixed"
    return None


def gather_other_file_edits(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Findings whose fix edits another file, by that file's display path."""
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.fix is not None and finding.fix.in_other_files:
            paths = {edit.path for edit in finding.fix.edits}
            if len(paths) == 1 and None not in paths:
                by_path.setdefault(str(paths.pop()), []).append(finding)
    return by_path


def merged_text_edits(text: str, fixes: Iterable[Fix], check_line: Callable[[str], bool]) -> str | None:
    """`text` with every fix's edits applied; identical edits count once, and insertions at one
    place are joined in order. None when an added line fails `check_line` or edits overlap."""
    unique = sorted({edit for fix in fixes for edit in fix.edits})
    joined: list[TextEdit] = []
    for edit in unique:
        if joined and joined[-1].start == joined[-1].end == edit.start == edit.end:
            joined[-1] = replace(joined[-1], new_text=joined[-1].new_text + edit.new_text)
        else:
            joined.append(edit)
    added = [line for edit in joined for line in edit.new_text.splitlines() if line.strip()]
    if not all(check_line(line) for line in added):
        return None
    try:
        return apply_edits(text, [replace(edit, path=None) for edit in joined])
    except ValueError:
        return None
