"""Lint one file: read, decode, parse once, run every enabled rule in one walk."""

from __future__ import annotations

import ast
import io
import tokenize
import traceback
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from cflint import noqa
from cflint.positions import node_positions
from cflint.registry import Registry
from cflint.rule import FileContext, ParsedFile, Report, Rule
from cflint.rules.cf001_syntax_error import SyntaxErrorRule
from cflint.rules.cf002_unreadable_file import UnreadableFileRule
from cflint.rules.cf003_internal_error import InternalErrorRule
from cflint.rules.cf004_file_too_large import FileTooLargeRule
from cflint.rules.cf010_invalid_noqa import InvalidNoqaRule
from cflint.rules.cf011_unused_noqa import UnusedNoqaRule
from cflint.traversal import NodeCallback, Walker
from cflint.types import START_OF_FILE, Finding, Position


@dataclass(frozen=True)
class FileJob:
    """One file to lint, with what its rules need to know and which codes are on."""

    context: FileContext
    enabled: frozenset[str]
    source: bytes | None = None  # given for files that are not on disk (archive members)


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
        self._callbacks = {rule: rule.callback_names() for rule in registry.file_rules}

    def lint(self, job: FileJob) -> list[Finding]:
        context = job.context
        display = context.display_path
        try:
            data = job.source if job.source is not None else self._read(context.path)
        except OSError as exc:
            return [UnreadableFileRule.finding(display, reason=f"cannot read: {exc.strerror or exc}")]
        limit = context.settings.max_file_size
        if len(data) > limit:
            if FileTooLargeRule.code not in job.enabled:
                return []
            return [FileTooLargeRule.finding(display, size=len(data), limit=limit)]
        try:
            source = decode_source(data)
        except ValueError as exc:
            reason, offset = exc.args
            return [UnreadableFileRule.finding(display, _position_of_offset(data, offset), reason=reason)]
        try:
            return self._lint_source(source, job)
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
            return [self._internal_error(display, "parser", exc)]

    @staticmethod
    def _read(path: Path) -> bytes:
        return path.read_bytes()

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
        try:
            module = cst.parse_module(source)
        except cst.ParserSyntaxError as exc:
            return [self._syntax_error(source, exc, display)]
        rule_types = [
            rule
            for rule in self.registry.file_rules
            if rule.code in job.enabled and rule.applies_to(context, source)
        ]
        reports, findings = self._run_rules(ParsedFile(context, source, module, self.walker), rule_types)
        findings.extend(self._place(module, reports, display))
        return self._apply_noqa(findings, directives, job.enabled, display)

    @staticmethod
    def _syntax_error(source: str, exc: cst.ParserSyntaxError, display: str) -> Finding:
        """CF001 with CPython's wording and place when it agrees the file is invalid
        (compiling to an AST runs nothing); LibCST's otherwise."""
        try:
            ast.parse(source)
        except SyntaxError as error:
            position = Position(error.lineno or 1, max(error.offset or 1, 1))
            return SyntaxErrorRule.finding(display, position, reason=str(error.msg))
        except (ValueError, MemoryError, RecursionError):
            pass
        reason = exc.message.splitlines()[0].rstrip(".")
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
                failures.append(self._internal_error(parsed.context.display_path, f"rule {failed.rule.code}", failed.error))
                continue
            return [report for rule in rules for report in rule.reports], failures

    @staticmethod
    def _guarded(rule: Rule, name: str) -> NodeCallback:
        method = getattr(rule, name)

        def call(node: cst.CSTNode) -> object:
            try:
                return method(node)
            except Exception as exc:  # noqa: BLE001
                raise _RuleFailed(rule, exc) from exc

        return call

    @staticmethod
    def _place(module: cst.Module, reports: list[Report], display: str) -> list[Finding]:
        positions = node_positions(module, (r.node for r in reports if r.node is not None and r.start is None))
        findings = []
        for report in reports:
            start, end = report.start, report.end
            if start is None and report.node is not None:
                start, end = positions.get(report.node, (START_OF_FILE, START_OF_FILE))
            start = start or START_OF_FILE
            findings.append(Finding(display, start, report.code, report.message, report.severity, end or start))
        return findings

    @staticmethod
    def _apply_noqa(
        findings: list[Finding], scan: noqa.NoqaScan, enabled: frozenset[str], display: str
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
            kept.extend(InvalidNoqaRule.finding(display, bad.position, problem=bad.problem) for bad in scan.bad)
        if UnusedNoqaRule.code in enabled:
            for line, directive in scan.directives.items():
                suppressed = used.get(line, set())
                if directive.codes is None:
                    unused = () if suppressed else ("",)
                else:
                    unused = tuple(c for c in directive.codes if c.startswith("CF") and c not in suppressed)
                if unused:
                    what = "blanket noqa" if directive.codes is None else "noqa for " + ", ".join(unused)
                    kept.append(UnusedNoqaRule.finding(display, directive.position, what=what))
        kept.sort()
        return kept
