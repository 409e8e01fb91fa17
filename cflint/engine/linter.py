"""Lint one file: read it, decode and parse it once (cflint.engine.source), run every enabled
rule in one walk, place the findings and apply noqa."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import libcst as cst

from cflint.analysis.positions import node_positions
from cflint.analysis.traversal import NodeCallback, Walker
from cflint.engine import noqa
from cflint.engine.modules import ModuleStore
from cflint.engine.registry import (
    FILE_TOO_LARGE,
    INTERNAL_ERROR,
    INVALID_NOQA,
    SYNTAX_ERROR,
    UNREADABLE_FILE,
    UNUSED_NOQA,
    Registry,
)
from cflint.engine.source import (
    cpython_syntax_error,
    decode_source,
    parse_measured,
    parse_source,
    position_of_offset,
    recursion_limit,
)
from cflint.fix.proposal import ModuleEditor
from cflint.fix.text import split_lines
from cflint.fs.files import NotRegularFileError, read_regular_file
from cflint.model import START_OF_FILE, Finding, LintCancelled
from cflint.project import FileJob
from cflint.record import replace
from cflint.rule import CallbackNames, LineOf, ParsedFile, Report, Rule

if TYPE_CHECKING:
    from cflint.engine.reparse import ParseMemory

DEEP_RECURSION_LIMIT = 100_000  # for LibCST's recursive code, on a large thread stack
THREAD_STACK_BYTES = 512 * 1024 * 1024

T = TypeVar("T")


# The nodes a cancellable lint asks at, whether to go on: each statement, at any depth.
_CANCEL_POINTS = ("SimpleStatementLine", "FunctionDef", "ClassDef", "If", "For", "While", "With", "Try", "Match")


class _RuleFailed(Exception):
    def __init__(self, rule: Rule, error: BaseException) -> None:
        super().__init__(str(error))
        self.rule = rule
        self.error = error


class FileLinter:
    """Lints files with the rules of one registry; reuse one instance for many files."""

    def __init__(self, registry: Registry, debug: bool = False, reparse: bool = False) -> None:
        """With `reparse`, the last parse of each of a few files is kept, and a lint of a
        file's new text reparses only the top-level statements that changed (see
        cflint.engine.reparse)."""
        self.registry = registry
        self.debug = debug
        self._parses: ParseMemory | None = None
        if reparse:  # imported only then: a command-line run never reparses
            from cflint.engine.reparse import ParseMemory

            self._parses = ParseMemory()
        self.walker = Walker()
        self.modules = ModuleStore(registry)
        self._callbacks = CallbackNames()

    def lint(self, job: FileJob, cancelled: Callable[[], bool] | None = None) -> list[Finding]:
        """Lint one file on a thread whose stack fits deeply nested code. When `cancelled`
        turns true, the lint stops at the next statement and raises LintCancelled."""
        return _on_large_stack(lambda: self._lint(job, cancelled))

    def prepare(self, path: Path, source: str) -> None:
        """With `reparse`, parse `source` as the text of `path` (unless it was the last parsed)
        and find where its statements start, so that a lint of its next edit reparses what
        the edit changed: what a server does while a file just opened is read. A text that
        does not parse, or a failure, leaves nothing to reparse from."""
        parses = self._parses
        if parses is None:
            return

        def parse() -> None:
            with recursion_limit(DEEP_RECURSION_LIMIT):
                self._parse(source, path, str(path))
            parsed = parses.get(path)
            if parsed is not None and parsed.text == source:
                parsed.starts  # noqa: B018  # found now, not at the next edit

        try:
            _on_large_stack(parse)
        except Exception as exc:  # the next lint reports it
            if self.debug:
                import traceback

                traceback.print_exception(exc)

    def _lint(self, job: FileJob, cancelled: Callable[[], bool] | None = None) -> list[Finding]:
        context = job.context
        display = context.display_path
        limit = context.settings.max_file_size
        try:
            data, size = (job.source, len(job.source)) if job.source is not None else self._read(context.path, limit)
        except NotRegularFileError as exc:
            return [self.registry.finding(UNREADABLE_FILE, display, reason=f"{exc}: not linted")]
        except OSError as exc:
            return [self.registry.finding(UNREADABLE_FILE, display, reason=f"cannot read: {exc.strerror or exc}")]
        if size > limit:
            if FILE_TOO_LARGE not in job.enabled:
                return []
            return [self.registry.finding(FILE_TOO_LARGE, display, size=size, limit=limit)]
        try:
            source = decode_source(data)
        except ValueError as exc:
            reason, offset = exc.args
            return [self.registry.finding(UNREADABLE_FILE, display, position_of_offset(data, offset), reason=reason)]
        try:
            with recursion_limit(DEEP_RECURSION_LIMIT):
                return self._lint_source(source, job, cancelled)
        except LintCancelled:
            raise
        except Exception as exc:
            return [self._internal_error(display, "parser", exc)]

    @staticmethod
    def _read(path: Path, limit: int) -> tuple[bytes, int]:
        return read_regular_file(path, limit)

    def _internal_error(self, display: str, where: str, exc: BaseException) -> Finding:
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
        if self.debug:
            import traceback

            detail += "\n" + "".join(traceback.format_exception(exc)).rstrip()
        return self.registry.finding(INTERNAL_ERROR, display, where=where, detail=detail)

    def _lint_source(self, source: str, job: FileJob, cancelled: Callable[[], bool] | None = None) -> list[Finding]:
        context = job.context
        display = context.display_path
        directives = noqa.scan(source, self.registry.codes)
        if directives.skip_file:
            # `# cflint: noqa` skips the rules, never CF001: a file that does not parse is an error.
            problem = cpython_syntax_error(source)
            if problem is None:
                return []
            return [self.registry.finding(SYNTAX_ERROR, display, problem.position, reason=problem.reason)]
        if cancelled is not None and cancelled():
            raise LintCancelled
        module = self._parse(source, context.path, display)
        if isinstance(module, Finding):
            return [module] if module.code in job.enabled or module.code != FILE_TOO_LARGE else []
        rule_types = self.registry.file_rules_for(job.enabled, context, source)
        stop = None if cancelled is None else _stopper(cancelled)
        reports, findings = self._run_rules(
            ParsedFile(context, source, module, self.walker, self.modules), rule_types, stop
        )
        findings.extend(self._place(module, source, reports, display))
        return self._apply_noqa(findings, directives, job.enabled, display, source)

    def _parse(self, source: str, path: Path, display: str) -> cst.Module | Finding:
        parses = self._parses
        if parses is None:
            return parse_source(self.registry, source, display)
        from cflint.engine.reparse import ParsedText, reparse

        previous = parses.get(path)
        if previous is not None:
            reparsed = reparse(previous, source, display)
            if reparsed is not None:
                parses.put(path, reparsed)
                return reparsed.module
        parsed = parse_measured(self.registry, source, display)
        if isinstance(parsed, Finding):
            # The last good parse is kept: typing passes through texts that do not parse, and
            # the next that does is reparsed from it.
            return parsed
        module, costs = parsed
        if costs is not None:
            parses.put(path, ParsedText(source, module, costs))
        return module

    def _run_rules(
        self, parsed: ParsedFile, rule_types: list[type[Rule]], stop: NodeCallback | None = None
    ) -> tuple[list[Report], list[Finding]]:
        """Run the rules in one walk; a rule that raises is dropped with a CF003 finding
        and the walk is redone for the others, so their results are unaffected. `stop`
        is called at each statement (it raises LintCancelled to end the walk)."""
        failures: list[Finding] = []
        while True:
            rules = [rule_type(parsed) for rule_type in rule_types]
            visitors: dict[str, list[NodeCallback]] = {}
            leavers: dict[str, list[NodeCallback]] = {}
            for rule in rules:
                for name in self._callbacks[type(rule)]:
                    table = visitors if name.startswith("visit_") else leavers
                    table.setdefault(name.partition("_")[2], []).append(self._guarded(rule, name))
            if stop is not None:
                for point in _CANCEL_POINTS:
                    visitors.setdefault(point, []).insert(0, stop)
            try:
                self.walker.walk(parsed.module, visitors, leavers)
            except _RuleFailed as failed:
                rule_types.remove(type(failed.rule))
                failures.append(
                    self._internal_error(parsed.context.display_path, f"rule {failed.rule.code}", failed.error)
                )
                continue
            return [report for rule in rules for report in rule.reports], failures

    @staticmethod
    def _guarded(rule: Rule, name: str) -> NodeCallback:
        method = getattr(rule, name)

        def call(node: cst.CSTNode) -> object:
            try:
                return method(node)
            except Exception as exc:
                raise _RuleFailed(rule, exc) from exc

        return call

    @staticmethod
    def _place(module: cst.Module, source: str, reports: list[Report], display: str) -> list[Finding]:
        wanted = [r.node for r in reports if r.node is not None and r.start is None]
        wanted += [value.node for r in reports for value in r.fields.values() if isinstance(value, LineOf)]
        positions = node_positions(module, wanted)
        findings = []
        editor = ModuleEditor(module, source)
        editor.prepare(report.fix for report in reports if report.fix is not None)
        for report in reports:
            start, end = report.start, report.end
            if start is None and report.node is not None:
                start, end = positions.get(report.node, (START_OF_FILE, START_OF_FILE))
            start = start or START_OF_FILE
            fields = {
                name: positions.get(value.node, (START_OF_FILE,))[0].line if isinstance(value, LineOf) else value
                for name, value in report.fields.items()
            }
            message = report.template.format(**fields)
            fix = editor.fix(report.fix) if report.fix is not None else None
            findings.append(Finding(display, start, report.code, message, report.severity, end or start, fix))
        return findings

    def _apply_noqa(
        self, findings: list[Finding], scan: noqa.NoqaScan, enabled: frozenset[str], display: str, source: str
    ) -> list[Finding]:
        registry = self.registry
        kept: list[Finding] = []
        used: dict[int, set[str]] = {}
        named_by_bad = {(bad.position.line, code) for bad in scan.bad for code in bad.codes}
        for finding in findings:
            directive = scan.directives.get(finding.start.line)
            if directive is not None and directive.suppresses(finding.code):
                used.setdefault(finding.start.line, set()).add(finding.code)
            elif finding.fix is not None and (finding.start.line, finding.code) in named_by_bad:
                # The user meant to suppress it: repairing the directive is the fix, not changing the code.
                kept.append(replace(finding, fix=None))
            else:
                kept.append(finding)
        if INVALID_NOQA in enabled:
            for bad in scan.bad:
                finding = registry.finding(INVALID_NOQA, display, bad.position, problem=bad.problem)
                if bad.fix is not None:
                    finding = replace(finding, fix=registry.fix(INVALID_NOQA, bad.fix))
                kept.append(finding)
        if UNUSED_NOQA in enabled:
            lines = split_lines(source) if scan.directives else []
            for line, directive in scan.directives.items():
                suppressed = used.get(line, set())
                if directive.codes is None:
                    unused = frozenset() if suppressed else frozenset({"*"})
                    what = "blanket noqa" if unused else ""
                else:
                    unused = frozenset(c for c in directive.codes if c.startswith("CF") and c not in suppressed)
                    what = "noqa for " + ", ".join(c for c in directive.codes if c in unused) if unused else ""
                if what:
                    finding = registry.finding(UNUSED_NOQA, display, directive.position, what=what)
                    line_text = lines[line - 1] if line <= len(lines) else ""
                    edit = noqa.removal_edit(directive, unused, line_text)
                    if edit is not None:
                        finding = replace(finding, fix=registry.fix(UNUSED_NOQA, edit))
                    kept.append(finding)
        kept.sort()
        return kept


def _on_large_stack(work: Callable[[], T]) -> T:
    """`work()` run on a thread of its own, whose stack fits deeply nested code. (A thread is
    cheap to start; a pool of one would make every cold run import concurrent.futures and
    logging.) What it raises is raised again here."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # raised again in the caller's thread
            failure.append(exc)

    previous = threading.stack_size(THREAD_STACK_BYTES)
    try:
        thread = threading.Thread(target=run, name="cflint-lint", daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


def _stopper(cancelled: Callable[[], bool]) -> NodeCallback:
    def stop(node: cst.CSTNode) -> None:
        if cancelled():
            raise LintCancelled

    return stop
