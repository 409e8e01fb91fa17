"""Lint one file: read, decode, parse once, run every enabled rule in one walk."""

from __future__ import annotations

import ast
import codecs
import contextlib
import io
import re
import sys
import threading
import tokenize
from collections.abc import Iterator
from pathlib import Path

import libcst as cst
from msgspec import Struct
from msgspec.structs import replace

from cflint.analysis.traversal import NodeCallback, Walker
from cflint.engine import guards, noqa
from cflint.engine.positions import node_positions
from cflint.engine.registry import (
    FILE_TOO_LARGE,
    INTERNAL_ERROR,
    INVALID_NOQA,
    SYNTAX_ERROR,
    UNREADABLE_FILE,
    UNUSED_NOQA,
    Registry,
)
from cflint.fix.proposal import ModuleEditor
from cflint.fix.text import source_encoding, split_lines
from cflint.fs.files import NotRegularFileError, read_regular_file
from cflint.model import START_OF_FILE, Finding, Position
from cflint.project import FileJob
from cflint.rule import LineOf, ParsedFile, Report, Rule

DEEP_RECURSION_LIMIT = 100_000  # for LibCST's recursive code, on a large thread stack
THREAD_STACK_BYTES = 512 * 1024 * 1024


class SyntaxProblem(Struct, frozen=True):
    """Why a text cannot be parsed (CF001's reason), and where."""

    reason: str
    position: Position = START_OF_FILE


def cpython_syntax_error(source: str) -> SyntaxProblem | None:
    """CF001 as the running CPython words it, or None when CPython accepts the text."""
    try:
        with _recursion_limit(guards.DEFAULT_RECURSION_LIMIT), guards.compiler_warnings_silenced():
            ast.parse(source)
    except SyntaxError as error:
        return SyntaxProblem(str(error.msg), Position(error.lineno or 1, max(error.offset or 1, 1)))
    except (RecursionError, MemoryError):
        return SyntaxProblem("too deeply nested for the Python parser (it runs out of recursion depth)")
    return None


def _skip_validation(self: cst.CSTNode) -> None:
    """Stands in for CSTNode.__post_init__ while the parser builds a tree."""


@contextlib.contextmanager
def parser_output_trusted() -> Iterator[None]:
    """Skip LibCST's per-node validation while its parser builds a tree.

    Every node constructor re-validates its fields (a large share of parsing time), which
    guards trees built by hand; the parser's own output is valid by construction, as
    LibCST's authors note at CSTNode.__post_init__. The tests check that trees parsed this
    way equal validated ones, and that the method is restored.
    """
    original = cst.CSTNode.__post_init__
    cst.CSTNode.__post_init__ = _skip_validation  # type: ignore[method-assign]  # replaced on purpose, see above
    try:
        yield
    finally:
        cst.CSTNode.__post_init__ = original  # type: ignore[method-assign]  # restored


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
        encoding = source_encoding(data)
    except SyntaxError as exc:
        if not str(exc.msg).startswith("invalid or missing encoding declaration"):
            raise ValueError(str(exc.msg), 0) from None
        encoding = "utf-8"  # no usable cookie and not UTF-8: decoding below says where
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if codecs.lookup(encoding).name == "utf-8":
            text = _utf8_with_bad_bytes_in_comments(data)
            if text is not None:
                return text
        raise ValueError(f"invalid {encoding} text ({exc.reason})", exc.start) from None
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}", 0) from None


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _utf8_with_bad_bytes_in_comments(data: bytes) -> str | None:
    """CPython's tokenizer does not decode comments: a UTF-8 file whose only invalid bytes
    are in comments (a cp949 or Latin-1 comment) imports fine. Such a file's text, the bad
    bytes shown as U+FFFD; None when a bad byte is anywhere else."""
    text = data.decode("utf-8", errors="surrogateescape")
    bad_lines = {text.count("\n", 0, match.start()) + 1 for match in _ESCAPED_BYTE.finditer(text)}
    # Tokenized with U+FFFD for the bad bytes: Python 3.12's tokenizer re-encodes its input as
    # UTF-8, which a lone surrogate cannot be. One code point for one keeps every column.
    replaced = _ESCAPED_BYTE.sub("\ufffd", text)
    comments: dict[int, int] = {}  # line -> column where its comment starts
    try:
        for token in tokenize.generate_tokens(io.StringIO(replaced).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.start[1]
    except (tokenize.TokenError, SyntaxError):
        return None
    lines = text.splitlines(keepends=True)
    for number in bad_lines:
        column = comments.get(number)
        if column is None or _ESCAPED_BYTE.search(lines[number - 1][:column]):
            return None
    return replaced


class FileLinter:
    """Lints files with the rules of one registry; reuse one instance for many files."""

    def __init__(self, registry: Registry, debug: bool = False) -> None:
        self.registry = registry
        self.debug = debug
        self.walker = Walker()
        self._file_rules = registry.file_rules
        self._callbacks = {rule: rule.callback_names() for rule in self._file_rules}

    def lint(self, job: FileJob) -> list[Finding]:
        """Lint one file on a thread of its own, whose stack fits deeply nested code. (A thread
        is cheap to start; a pool of one would make every cold run import
        concurrent.futures and logging.)"""
        outcome: list[list[Finding]] = []
        failure: list[BaseException] = []

        def lint_on_thread() -> None:
            try:
                outcome.append(self._lint(job))
            except BaseException as exc:  # raised again in the caller's thread
                failure.append(exc)

        previous = threading.stack_size(THREAD_STACK_BYTES)
        try:
            thread = threading.Thread(target=lint_on_thread, name="cflint-lint", daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous)
        thread.join()
        if failure:
            raise failure[0]
        return outcome[0]

    def _lint(self, job: FileJob) -> list[Finding]:
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
            return [self.registry.finding(UNREADABLE_FILE, display, _position_of_offset(data, offset), reason=reason)]
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
            import traceback

            detail += "\n" + "".join(traceback.format_exception(exc)).rstrip()
        return self.registry.finding(INTERNAL_ERROR, display, where=where, detail=detail)

    def _lint_source(self, source: str, job: FileJob) -> list[Finding]:
        context = job.context
        display = context.display_path
        directives = noqa.scan(source, self.registry.codes)
        if directives.skip_file:
            # `# cflint: noqa` skips the rules, never CF001: a file that does not parse is an error.
            problem = cpython_syntax_error(source)
            if problem is None:
                return []
            return [self.registry.finding(SYNTAX_ERROR, display, problem.position, reason=problem.reason)]
        module = self._parse(source, display)
        if isinstance(module, Finding):
            return [module] if module.code in job.enabled or module.code != FILE_TOO_LARGE else []
        rule_types = [
            rule for rule in self._file_rules if rule.code in job.enabled and rule.applies_to(context, source)
        ]
        reports, findings = self._run_rules(ParsedFile(context, source, module, self.walker), rule_types)
        findings.extend(self._place(module, source, reports, display))
        return self._apply_noqa(findings, directives, job.enabled, display, source)

    def _parse(self, source: str, display: str) -> cst.Module | Finding:
        """Parse with LibCST, unless the file is past CPython's limits or cflint's bounds
        (compiling runs nothing). CPython's parser is asked for its wording and place for
        CF001."""
        over = self._over_bounds(source, display)
        if over is not None:
            return over
        try:
            with parser_output_trusted():
                return cst.parse_module(source)
        except cst.ParserSyntaxError as exc:
            problem = cpython_syntax_error(source)
            if problem is None:
                return self._libcst_failure(source, display, Position(exc.raw_line, exc.raw_column + 1))
        return self.registry.finding(SYNTAX_ERROR, display, problem.position, reason=problem.reason)

    def _libcst_failure(self, source: str, display: str, position: Position) -> Finding:
        """What LibCST cannot parse although CPython accepts it: CF004 when the file is past a
        size LibCST parses, CF001 for a syntax LibCST lacks."""
        joined = guards.longest_string_join(source)
        if joined > guards.LIBCST_MAX_JOINED_STRINGS:
            return self._over_bound(
                display,
                f"{joined} string literals joined side by side, over the {guards.LIBCST_MAX_JOINED_STRINGS} "
                "that cflint's parser (LibCST) reads",
            )
        running = f"{sys.version_info.major}.{sys.version_info.minor}"
        reason = f"cflint's parser (LibCST) does not support this syntax, although Python {running} accepts it"
        return self.registry.finding(SYNTAX_ERROR, display, position, reason=reason)

    def _over_bounds(self, source: str, display: str) -> Finding | None:
        """CF004 for a file over the token bound; CF001 for what CPython cannot compile for its
        nesting; CF004 for a file whose nesting would make LibCST's parse too slow, or its
        brackets too large in memory (see cflint.engine.guards)."""
        tokens = guards.count_tokens(source)
        if tokens > guards.MAX_TOKENS:
            # Not even compiled: CPython's compiler can take minutes on a large file (the
            # same function defined 30,000 times, for one).
            return self._over_bound(
                display, f"file has about {tokens} tokens, over the {guards.MAX_TOKENS} cflint lints within its bounds"
            )
        limit = guards.compile_limit(source, display)
        if limit is not None:
            return self.registry.finding(SYNTAX_ERROR, display, Position(limit.line, limit.column), reason=limit.reason)
        try:
            with guards.compiler_warnings_silenced():
                tree = ast.parse(source)  # on the lint thread's deep stack and recursion limit
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None  # LibCST and then CPython say what is wrong
        cost = guards.nesting_cost(tree)
        if cost > guards.MAX_NESTING_COST:
            return self._over_bound(
                display,
                f"expressions nest too deeply to parse within cflint's bounds (nesting cost {cost}, "
                f"over {guards.MAX_NESTING_COST})",
            )
        brackets = guards.bracket_cost(source)
        if brackets > guards.MAX_BRACKET_COST:
            return self._over_bound(
                display,
                f"brackets nest too deeply to parse within cflint's memory bound (bracket cost {brackets}, "
                f"over {guards.MAX_BRACKET_COST})",
            )
        return None

    def _over_bound(self, display: str, reason: str) -> Finding:
        """CF004 for a file within max-file-size whose linting would cost more than cflint's
        time and memory bounds."""
        severity = self.registry.by_code(FILE_TOO_LARGE).severity
        return Finding(display, START_OF_FILE, FILE_TOO_LARGE, f"{reason}: not linted", severity, START_OF_FILE)

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
