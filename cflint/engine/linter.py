"""Lint one file: read, decode, parse once, run every enabled rule in one walk."""

from __future__ import annotations

import ast
import contextlib
import io
import re
import sys
import threading
import tokenize
import traceback
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import libcst as cst

from cflint.engine import noqa
from cflint.engine.positions import node_positions
from cflint.engine.registry import Registry
from cflint.engine.traversal import NodeCallback, Walker
from cflint.fix.proposal import ModuleEditor
from cflint.model import START_OF_FILE, Finding, Position
from cflint.project import FileJob
from cflint.rule import LineOf, ParsedFile, Report, Rule
from cflint.rules.engine.cf001_syntax_error import SyntaxErrorRule
from cflint.rules.engine.cf002_unreadable_file import UnreadableFileRule
from cflint.rules.engine.cf003_internal_error import InternalErrorRule
from cflint.rules.engine.cf004_file_too_large import FileTooLargeRule
from cflint.rules.engine.cf010_invalid_noqa import InvalidNoqaRule
from cflint.rules.engine.cf011_unused_noqa import UnusedNoqaRule
from cflint.run.files import NotRegularFileError, read_regular_file

# Nesting past these limits is never handed to LibCST: CPython's own limits (which every
# version enforces, so such a file can never run), and cflint's depth bound.
_PARSE_LIMITS = (
    "too many nested parentheses",
    "too many levels of indentation",
    "too many indentation levels",
    "too deeply nested for the Python parser",
    "nested too deeply for cflint to parse",
)
_TOO_DEEP_FOR_CFLINT = "nested too deeply for cflint to parse"
MAX_PARSED_DEPTH = 2000
_BRACKETS = re.compile(r"[()\[\]{}]")
_OPERATOR_CHARS = "+-*/%|&^<>"
DEEP_RECURSION_LIMIT = 100_000  # for LibCST's recursive code, on a large thread stack
DEFAULT_RECURSION_LIMIT = 1000  # what the runtime imports the function with
THREAD_STACK_BYTES = 512 * 1024 * 1024


def _may_be_too_deep(source: str) -> bool:
    """A cheap over-estimate: brackets nested past 150, or a file with enough operators
    for a chain long enough to exhaust the parser's recursion."""
    if sum(source.count(char) for char in _OPERATOR_CHARS) > 3000:
        return True
    depth = 0
    for match in _BRACKETS.finditer(source):
        depth += 1 if match.group() in "([{" else -1
        if depth > 150:
            return True
    return False


def _cpython_syntax_error(source: str, display: str) -> Finding | None:
    """CF001 as the running CPython words it, or None when CPython accepts the text.
    Nesting deeper than MAX_PARSED_DEPTH is CF001 too: some CPython versions accept it, but
    LibCST's parse time grows with the square of it (a 100,000-term chain would take hours)."""
    try:
        with _recursion_limit(DEFAULT_RECURSION_LIMIT):
            tree = ast.parse(source)
    except SyntaxError as error:
        position = Position(error.lineno or 1, max(error.offset or 1, 1))
        return SyntaxErrorRule.finding(display, position, reason=str(error.msg))
    except (RecursionError, MemoryError):
        return SyntaxErrorRule.finding(
            display, reason="too deeply nested for the Python parser (it runs out of recursion depth)"
        )
    depth = _depth(tree)
    if depth > MAX_PARSED_DEPTH:
        return SyntaxErrorRule.finding(
            display, reason=f"{_TOO_DEEP_FOR_CFLINT} ({depth} levels; cflint parses up to {MAX_PARSED_DEPTH})"
        )
    return None


def _depth(tree: ast.AST) -> int:
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _skip_validation(node: cst.CSTNode) -> None:
    """Stands in for CSTNode.__post_init__ while the parser builds a tree."""


@contextlib.contextmanager
def parser_output_trusted() -> Iterator[None]:
    """Skip LibCST's per-node validation while its parser builds a tree.

    Every node constructor re-validates its fields (about a third of parsing time), which
    guards trees built by hand; the parser's own output is valid by construction, as
    LibCST's authors note at CSTNode.__post_init__. The tests check that trees parsed this
    way equal validated ones, and that the method is restored.
    """
    original = cst.CSTNode.__post_init__
    cst.CSTNode.__post_init__ = _skip_validation  # type: ignore[method-assign]
    try:
        yield
    finally:
        cst.CSTNode.__post_init__ = original  # type: ignore[method-assign]


@contextlib.contextmanager
def _recursion_limit(limit: int) -> Iterator[None]:
    """Set the recursion limit for a while (deep only on FileLinter's large-stack thread)."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


class _RuleFailed(Exception):
    def __init__(self, rule: Rule, error: BaseException) -> None:
        super().__init__(str(error))
        self.rule = rule
        self.error = error


def _position_of_offset(data: bytes, offset: int) -> Position:
    line = data.count(b"\n", 0, offset) + 1
    return Position(line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1)


def decode_source(data: bytes) -> str:
    """Decode Python source as the interpreter would; raises ValueError with the reason."""
    if b"\0" in data:
        raise ValueError("source contains a NUL byte", data.index(b"\0"))
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if not str(exc.msg).startswith("invalid or missing encoding declaration"):
            raise ValueError(str(exc.msg), 0) from None
        encoding = "utf-8"  # no usable cookie and not UTF-8: decoding below says where
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValueError(f"invalid {encoding} text ({exc.reason})", exc.start) from None
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}", 0) from None


class FileLinter:
    """Lints files with the rules of one registry; reuse one instance for many files."""

    def __init__(self, registry: Registry, debug: bool = False) -> None:
        self.registry = registry
        self.debug = debug
        self.walker = Walker()
        self._file_rules = registry.file_rules
        self._callbacks = {rule: rule.callback_names() for rule in self._file_rules}
        self._thread: ThreadPoolExecutor | None = None

    def lint(self, job: FileJob) -> list[Finding]:
        """Lint one file on a thread whose stack fits deeply nested code."""
        if self._thread is None:
            previous = threading.stack_size(THREAD_STACK_BYTES)
            try:
                self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cflint-lint")
                future = self._thread.submit(self._lint, job)
            finally:
                threading.stack_size(previous)
            return future.result()
        return self._thread.submit(self._lint, job).result()

    def close(self) -> None:
        if self._thread is not None:
            self._thread.shutdown()
            self._thread = None

    def _lint(self, job: FileJob) -> list[Finding]:
        context = job.context
        display = context.display_path
        limit = context.settings.max_file_size
        try:
            data, size = (job.source, len(job.source)) if job.source is not None else self._read(context.path, limit)
        except NotRegularFileError as exc:
            return [UnreadableFileRule.finding(display, reason=f"{exc}: not linted")]
        except OSError as exc:
            return [UnreadableFileRule.finding(display, reason=f"cannot read: {exc.strerror or exc}")]
        if size > limit:
            if FileTooLargeRule.code not in job.enabled:
                return []
            return [FileTooLargeRule.finding(display, size=size, limit=limit)]
        try:
            source = decode_source(data)
        except ValueError as exc:
            reason, offset = exc.args
            return [UnreadableFileRule.finding(display, _position_of_offset(data, offset), reason=reason)]
        try:
            with _recursion_limit(DEEP_RECURSION_LIMIT):
                return self._lint_source(source, job)
        except Exception as exc:
            return [self._internal_error(display, "parser", exc)]

    @staticmethod
    def _read(path: Path, limit: int) -> tuple[bytes, int]:
        return read_regular_file(path, limit)

    def _internal_error(self, display: str, where: str, exc: BaseException) -> Finding:
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
        if self.debug:
            detail += "\n" + "".join(traceback.format_exception(exc)).rstrip()
        return InternalErrorRule.finding(display, where=where, detail=detail)

    def _lint_source(self, source: str, job: FileJob) -> list[Finding]:
        context = job.context
        display = context.display_path
        directives = noqa.scan(source, self.registry.codes)
        if directives.skip_file:
            return []
        module = self._parse(source, display)
        if isinstance(module, Finding):
            return [module]
        rule_types = [
            rule for rule in self._file_rules if rule.code in job.enabled and rule.applies_to(context, source)
        ]
        reports, findings = self._run_rules(ParsedFile(context, source, module, self.walker), rule_types)
        findings.extend(self._place(module, source, reports, display))
        return self._apply_noqa(findings, directives, job.enabled, display, source)

    @staticmethod
    def _parse(source: str, display: str) -> cst.Module | Finding:
        """Parse with LibCST. CPython's own parser (compiling to an AST runs nothing) is
        asked first when the text could be deeper than CPython accepts, whose limits hold
        for every Python version, and is asked for its wording and place for CF001."""
        if _may_be_too_deep(source):
            cpython = _cpython_syntax_error(source, display)
            if cpython is not None and any(limit in cpython.message for limit in _PARSE_LIMITS):
                return cpython
        try:
            with parser_output_trusted():
                return cst.parse_module(source)
        except cst.ParserSyntaxError as exc:
            cpython = _cpython_syntax_error(source, display)
            if cpython is not None:
                return cpython
            running = f"{sys.version_info.major}.{sys.version_info.minor}"
            reason = f"cflint's parser (LibCST) does not support this syntax, although Python {running} accepts it"
            return SyntaxErrorRule.finding(display, Position(exc.raw_line, exc.raw_column + 1), reason=reason)

    def _run_rules(self, parsed: ParsedFile, rule_types: list[type[Rule]]) -> tuple[list[Report], list[Finding]]:
        """Run the rules in one walk; a rule that raises is dropped with a CF003 finding
        and the walk is redone for the others, so their results are unaffected."""
        failures: list[Finding] = []
        while True:
            rules = [rule_type(parsed) for rule_type in rule_types]
            visitors: dict[str, list[NodeCallback]] = {}
            leavers: dict[str, list[NodeCallback]] = {}
            for rule in rules:
                for name in self._callbacks[type(rule)]:
                    table = visitors if name.startswith("visit_") else leavers
                    table.setdefault(name.partition("_")[2], []).append(self._guarded(rule, name))
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

    @staticmethod
    def _apply_noqa(
        findings: list[Finding], scan: noqa.NoqaScan, enabled: frozenset[str], display: str, source: str
    ) -> list[Finding]:
        kept: list[Finding] = []
        used: dict[int, set[str]] = {}
        for finding in findings:
            directive = scan.directives.get(finding.start.line)
            if directive is not None and directive.suppresses(finding.code):
                used.setdefault(finding.start.line, set()).add(finding.code)
            else:
                kept.append(finding)
        if InvalidNoqaRule.code in enabled:
            for bad in scan.bad:
                finding = InvalidNoqaRule.finding(display, bad.position, problem=bad.problem)
                if bad.fix is not None:
                    finding = replace(finding, fix=InvalidNoqaRule.fix_of(bad.fix))
                kept.append(finding)
        if UnusedNoqaRule.code in enabled:
            lines = re.split(r"\r\n|\r|\n", source) if scan.directives else []
            for line, directive in scan.directives.items():
                suppressed = used.get(line, set())
                if directive.codes is None:
                    unused = frozenset() if suppressed else frozenset({"*"})
                    what = "blanket noqa" if unused else ""
                else:
                    unused = frozenset(c for c in directive.codes if c.startswith("CF") and c not in suppressed)
                    what = "noqa for " + ", ".join(c for c in directive.codes if c in unused) if unused else ""
                if what:
                    finding = UnusedNoqaRule.finding(display, directive.position, what=what)
                    line_text = lines[line - 1] if line <= len(lines) else ""
                    edit = noqa.removal_edit(directive, unused, line_text)
                    if edit is not None:
                        finding = replace(finding, fix=UnusedNoqaRule.fix_of(edit))
                    kept.append(finding)
        kept.sort()
        return kept
