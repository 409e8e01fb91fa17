"""From a file's bytes to a LibCST tree, or to the finding that says why not: decode as the
interpreter would, check the parse guards (cflint.engine.guards), and parse."""

from __future__ import annotations

import ast
import codecs
import contextlib
import io
import re
import sys
import tokenize
from collections.abc import Iterator

import libcst as cst

from cflint.engine import guards
from cflint.engine.registry import FILE_TOO_LARGE, SYNTAX_ERROR, Registry
from cflint.fix.text import source_encoding
from cflint.model import START_OF_FILE, Finding, Position
from cflint.record import Record


def position_of_offset(data: bytes, offset: int) -> Position:
    """The line and column of a byte offset, for a decoding error's place."""
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


# Compiled on first use (by `re`'s cache): only a file with undecodable bytes needs it.
_ESCAPED_BYTE = "[\udc80-\udcff]"


def _utf8_with_bad_bytes_in_comments(data: bytes) -> str | None:
    """CPython's tokenizer does not decode comments: a UTF-8 file whose only invalid bytes
    are in comments (a cp949 or Latin-1 comment) imports fine. Such a file's text, the bad
    bytes shown as U+FFFD; None when a bad byte is anywhere else."""
    text = data.decode("utf-8", errors="surrogateescape")
    bad_lines = {text.count("\n", 0, match.start()) + 1 for match in re.finditer(_ESCAPED_BYTE, text)}
    # Tokenized with U+FFFD for the bad bytes: Python 3.12's tokenizer re-encodes its input as
    # UTF-8, which a lone surrogate cannot be. One code point for one keeps every column.
    replaced = re.sub(_ESCAPED_BYTE, "\ufffd", text)
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
        if column is None or re.search(_ESCAPED_BYTE, lines[number - 1][:column]):
            return None
    return replaced


class SyntaxProblem(Record, frozen=True):
    """Why a text cannot be parsed (CF001's reason), and where."""

    reason: str
    position: Position = START_OF_FILE


def cpython_syntax_error(source: str) -> SyntaxProblem | None:
    """CF001 as the running CPython words it, or None when CPython accepts the text."""
    try:
        with recursion_limit(guards.DEFAULT_RECURSION_LIMIT), guards.compiler_warnings_silenced():
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
def recursion_limit(limit: int) -> Iterator[None]:
    """Set the recursion limit for a while (deep only on FileLinter's large-stack thread)."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


class ParseCosts(Record, frozen=True):
    """What the parse guards measured of a text that passed them: its token count, nesting
    cost and bracket cost (each a sum over its top-level statements), and whether CPython
    compiled it without any error. `cflint.engine.reparse` keeps them up to date."""

    tokens: int
    nesting: int
    brackets: int
    compiles: bool


def parse_source(registry: Registry, source: str, display: str) -> cst.Module | Finding:
    """Parse with LibCST, unless the file is past CPython's limits or cflint's bounds
    (compiling runs nothing). CPython's parser is asked for its wording and place for
    CF001."""
    parsed = parse_measured(registry, source, display)
    return parsed if isinstance(parsed, Finding) else parsed[0]


def parse_measured(registry: Registry, source: str, display: str) -> tuple[cst.Module, ParseCosts | None] | Finding:
    """`parse_source`, with what its guards measured (None when CPython's parser fails
    where LibCST's does not, so some were not measured)."""
    measured = _over_bounds(registry, source, display)
    if isinstance(measured, Finding):
        return measured
    try:
        with parser_output_trusted():
            return cst.parse_module(source), measured
    except cst.ParserSyntaxError as exc:
        problem = cpython_syntax_error(source)
        if problem is None:
            return _libcst_failure(registry, source, display, Position(exc.raw_line, exc.raw_column + 1))
    return registry.finding(SYNTAX_ERROR, display, problem.position, reason=problem.reason)


def _bound_exceeded(registry: Registry, display: str, costs: ParseCosts) -> Finding | None:
    """CF004 when a cost is over its bound: more tokens than cflint lints, expressions nested
    too deeply for LibCST's parse time, or brackets for its memory."""
    if costs.tokens > guards.MAX_TOKENS:
        return _over_bound(
            registry,
            display,
            f"file has about {costs.tokens} tokens, over the {guards.MAX_TOKENS} cflint lints within its bounds",
        )
    if costs.nesting > guards.MAX_NESTING_COST:
        return _over_bound(
            registry,
            display,
            f"expressions nest too deeply to parse within cflint's bounds (nesting cost {costs.nesting}, "
            f"over {guards.MAX_NESTING_COST})",
        )
    if costs.brackets > guards.MAX_BRACKET_COST:
        return _over_bound(
            registry,
            display,
            f"brackets nest too deeply to parse within cflint's memory bound (bracket cost {costs.brackets}, "
            f"over {guards.MAX_BRACKET_COST})",
        )
    return None


def _over_bounds(registry: Registry, source: str, display: str) -> Finding | ParseCosts | None:
    """CF004 for a file over the token bound; CF001 for what CPython cannot compile for its
    nesting; CF004 for a file whose nesting would make LibCST's parse too slow, or its
    brackets too large in memory (see cflint.engine.guards). Else what was measured, or
    None when CPython's parser fails (LibCST and then CPython say what is wrong)."""
    tokens = guards.count_tokens(source)
    if tokens > guards.MAX_TOKENS:
        # Not even compiled: CPython's compiler can take minutes on a large file (the
        # same function defined 30,000 times, for one).
        return _bound_exceeded(registry, display, ParseCosts(tokens, 0, 0, False))
    compiled = guards.compile_outcome(source, display)
    if isinstance(compiled, guards.CompileLimit):
        return registry.finding(SYNTAX_ERROR, display, Position(compiled.line, compiled.column), reason=compiled.reason)
    try:
        with guards.compiler_warnings_silenced():
            tree = ast.parse(source)  # on the lint thread's deep stack and recursion limit
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    nesting = guards.nesting_cost(tree)
    if nesting > guards.MAX_NESTING_COST:
        return _bound_exceeded(registry, display, ParseCosts(tokens, nesting, 0, compiled))
    costs = ParseCosts(tokens, nesting, guards.bracket_cost(source), compiled)
    return _bound_exceeded(registry, display, costs) or costs


def _libcst_failure(registry: Registry, source: str, display: str, position: Position) -> Finding:
    """What LibCST cannot parse although CPython accepts it: CF004 when the file is past a
    size LibCST parses, CF001 for a syntax LibCST lacks."""
    joined = guards.longest_string_join(source)
    if joined > guards.LIBCST_MAX_JOINED_STRINGS:
        return _over_bound(
            registry,
            display,
            f"{joined} string literals joined side by side, over the {guards.LIBCST_MAX_JOINED_STRINGS} "
            "that cflint's parser (LibCST) reads",
        )
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    reason = f"cflint's parser (LibCST) does not support this syntax, although Python {running} accepts it"
    return registry.finding(SYNTAX_ERROR, display, position, reason=reason)


def _over_bound(registry: Registry, display: str, reason: str) -> Finding:
    """CF004 for a file within max-file-size whose linting would cost more than cflint's
    time and memory bounds."""
    severity = registry.by_code(FILE_TOO_LARGE).severity
    return Finding(display, START_OF_FILE, FILE_TOO_LARGE, f"{reason}: not linted", severity, START_OF_FILE)
