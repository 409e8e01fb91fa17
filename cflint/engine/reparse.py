"""Reparse only the top-level statements an edit touched, for an editor that lints the same
file after every keystroke.

A module is a header, its top-level statements and a footer, each statement's text (its
span) starting at a line start with the blank and comment lines LibCST gives it. An edit
changes a run of spans; the rest of the text, hence its tokens, is unchanged. The run is
parsed alone and spliced between the old statements, which is exact when the run is parsed
in the same context as in the whole file:

- The run starts one statement before the edit unless the edit starts past the first token
  of its statement: lines between two statements go to the first's block footer or the
  second's leading lines, and an edit there may move them.
- Statements are parsed before the run, so that its first statement's leading lines are read
  as they are in the file, not as a module header; a `pass` after it, behind the next
  statement's leading lines, so that the run's last block claims the lines it claims in the
  file. The splice is kept only when those lines still go where they went before, and when
  the reparsed statements' code is the run's text (see `_run_starts`).
- The indent and newline a module uses by default are those of its first indented block and
  first line. The run starts after the first statement, and what is parsed before it gives
  the parser the module's newline, and its indent when the run is past the first indented
  block. A run before that block must hold an indented block itself (whose indent is then
  the whole text's too) or leave the first one where it was.
- The parse guards' costs (cflint.engine.guards) are sums over top-level statements: the
  run's old costs are taken off and its new ones added. CPython's compile is asked about the
  run alone, which answers for the file when the old text compiled without any error and
  the run declares nothing for the whole module (`__future__` imports, `global` at its
  level).

Whenever any of this cannot be shown, `reparse` answers None and the caller parses the whole
text, so its answer is always what a whole parse gives; a test holds that over random edits
of real files.
"""

from __future__ import annotations
import __future__

import ast
import bisect
import threading
from collections.abc import Sequence
from pathlib import Path

import libcst as cst

from cflint.engine import guards
from cflint.engine.source import ParseCosts, parser_output_trusted

# Parsed after a run, behind the next statement's leading lines, in place of its first token.
_SENTINEL = "pass"
# The part of a bracket bound under which a sum of per-statement bracket costs is trusted: the
# regular expression that counts them reads strings much as the tokenizer does, not exactly.
_BRACKET_MARGIN = 2


class ParsedText:
    """A text, its LibCST module and its parse guards' costs, with where each top-level
    statement's span starts (found from the tree when first needed)."""

    def __init__(
        self,
        text: str,
        module: cst.Module,
        costs: ParseCosts,
        starts: list[int] | None = None,
        first_indented: int | None = None,
    ) -> None:
        self.text = text
        self.module = module
        self.costs = costs
        self._starts = starts
        self._first_indented = first_indented

    @property
    def first_indented(self) -> int | None:
        """The index of the first top-level statement with an indented block: the one whose
        first INDENT token gives the module its default indent."""
        if self._first_indented is None:
            self._first_indented = _first_indented(self.module)
        return self._first_indented

    @property
    def starts(self) -> list[int] | None:
        """The offset of each top-level statement's span, or None when the spans do not add
        up to the text (then nothing is reparsed)."""
        if self._starts is None:
            self._starts = _span_starts(self.module, self.text)
        return self._starts or None


def reparse(previous: ParsedText, text: str, filename: str) -> ParsedText | None:
    """`text` parsed by reparsing the statements it changed in `previous`, or None when that
    cannot be shown to give what a whole parse gives, or the text needs a finding (a syntax
    error, a bound): then the caller parses it whole."""
    if text == previous.text:
        return previous
    module, old = previous.module, previous.text
    body = module.body
    starts = previous.starts
    if starts is None or previous.costs.compiles is False:
        return None
    first_indented = previous.first_indented
    newline = module.default_newline
    prefix = _common_prefix(old, text)
    suffix = _common_suffix(old, text, min(len(old), len(text)) - prefix)
    changed_end = len(old) - suffix  # the old text changed in [prefix, changed_end)
    body_end = len(_as_parsed(module, old)) - len(_lines_code(module, module.footer))
    # The statement where the change starts, and the one before it unless the change is past
    # that statement's first token.
    first = bisect.bisect_right(starts, min(prefix, body_end - 1)) - 1
    if first >= 0 and prefix <= starts[first] + len(_lines_code(module, body[first].leading_lines)):
        first -= 1
    if first < 1:
        return None
    # Past the first indented block, the parser is given the module's indent before the run;
    # else the run's own first indented block gives it, as it does in the whole text.
    indent_given = first_indented is not None and first > first_indented
    last = len(body) - 1 if changed_end >= body_end else bisect.bisect_right(starts, max(changed_end - 1, prefix)) - 1
    last = max(last, first)
    delta = len(text) - len(old)
    start = starts[first]
    at_end = last == len(body) - 1
    if at_end:
        run, old_run, after = text[start:], old[start:], ""
    else:
        old_stop = starts[last + 1]
        run, old_run = text[start : old_stop + delta], old[start:old_stop]
        leading = len(_lines_code(module, body[last + 1].leading_lines))
        after = old[old_stop : old_stop + leading] + _SENTINEL + newline
    if "__future__" in run:
        return None
    costs = _run_costs(previous.costs, old_run, run, filename, _future_flags(module))
    if costs is None:
        return None
    try:
        with parser_output_trusted():
            parsed = cst.parse_module(_opening(module, indent_given) + run + after)
    except cst.ParserSyntaxError:
        return None
    opened = 2 if indent_given else 1
    if len(parsed.body) <= opened or not _is_sentinel(parsed.body[opened - 1]):
        return None
    statements = parsed.body[opened:] if at_end else parsed.body[opened:-1]
    if parsed.header or parsed.default_newline != newline or _declares_module_globals(statements):
        return None
    if indent_given or any(map(_has_indented_block, statements)):
        if parsed.default_indent != module.default_indent:
            return None
    elif first_indented is not None and first_indented <= last:
        return None  # the whole text's first indented block, hence its indent, is after the run
    if not at_end and not _closes_run(parsed, body[last + 1]):
        return None
    run_starts = _run_starts(parsed, statements, run, start, at_end)
    if run_starts is None:
        return None
    changes: dict[str, object] = {"body": (*body[:first], *statements, *body[last + 1 :])}
    if at_end:
        changes["footer"] = parsed.footer
        changes["has_trailing_newline"] = parsed.has_trailing_newline
    spliced = module.with_changes(**changes)
    new_starts = [*starts[:first], *run_starts, *(offset + delta for offset in starts[last + 1 :])]
    return ParsedText(text, spliced, costs, new_starts, first_indented if indent_given else None)


def _future_flags(module: cst.Module) -> int:
    """The compiler flags of the module's `from __future__ import` statements, which come
    first (after a docstring)."""
    flags = 0
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        small = statement.body[0]
        if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
            continue
        if not (isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name)):
            break
        if small.module.value != "__future__" or isinstance(small.names, cst.ImportStar):
            break
        for alias in small.names:
            feature = getattr(__future__, str(alias.evaluated_name), None)
            if isinstance(feature, __future__._Feature):
                flags |= feature.compiler_flag
    return flags


def _run_costs(costs: ParseCosts, old_run: str, run: str, filename: str, flags: int) -> ParseCosts | None:
    """The new text's guard costs from the old text's and the run's, or None when the new
    text may need a finding or the sums are not exact."""
    try:
        with guards.compiler_warnings_silenced():
            old_tree, new_tree = ast.parse(old_run), ast.parse(run)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if guards.compile_outcome(run, filename, flags) is not True:
        return None
    updated = ParseCosts(
        costs.tokens - guards.count_tokens(old_run) + guards.count_tokens(run),
        costs.nesting - guards.nesting_cost(old_tree) + guards.nesting_cost(new_tree),
        costs.brackets - guards.bracket_cost(old_run) + guards.bracket_cost(run),
        True,
    )
    within = (
        updated.tokens <= guards.MAX_TOKENS
        and updated.nesting <= guards.MAX_NESTING_COST
        and updated.brackets * _BRACKET_MARGIN <= guards.MAX_BRACKET_COST
    )
    return updated if within else None


def _opening(module: cst.Module, indent_given: bool) -> str:
    """What is parsed before a run: a simple statement, which leaves every line before the
    run's first token to its leading lines, after an indented block when the module's indent
    is to be given: the parser takes its default indent and newline from the first it reads."""
    newline = module.default_newline
    block = f"if 1:{newline}{module.default_indent}pass{newline}" if indent_given else ""
    return f"{block}pass{newline}"


def _is_sentinel(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Pass)
    )


def _closes_run(parsed: cst.Module, following: cst.SimpleStatementLine | cst.BaseCompoundStatement) -> bool:
    """The run's closing `pass` took the leading lines the following statement had, and
    nothing else came after it."""
    closing = parsed.body[-1]
    return (
        _is_sentinel(closing)
        and not parsed.footer
        and len(closing.leading_lines) == len(following.leading_lines)
        and all(a.deep_equals(b) for a, b in zip(closing.leading_lines, following.leading_lines, strict=True))
    )


def _run_starts(
    parsed: cst.Module, statements: Sequence[cst.BaseStatement], run: str, start: int, at_end: bool
) -> list[int] | None:
    """Where each reparsed statement starts in the new text, or None when their code (and at
    the end, the footer's) is not the run's text. LibCST does not give every text back: a
    line holding only a backslash that continues it, before an indented line, comes back as
    indentation, and a blank line may go missing from a footer. Spans taken from such code
    would not be the text's, and a later reparse would cut it in the wrong places."""
    text = _as_parsed(parsed, run)
    offsets = []
    at = 0
    for statement in statements:
        code = parsed.code_for_node(statement)
        if not text.startswith(code, at):
            return None
        offsets.append(start + at)
        at += len(code)
    rest = _lines_code(parsed, parsed.footer) if at_end else ""
    return offsets if offsets and text[at:] == rest else None


def _span_starts(module: cst.Module, text: str) -> list[int]:
    """Each top-level statement's offset from its code; empty unless header, statements and
    footer are the text (not so with a byte-order mark, or a text LibCST does not give back,
    see _run_starts)."""
    parsed = _as_parsed(module, text)
    header = _lines_code(module, module.header)
    if not parsed.startswith(header):
        return []
    offset = len(header)
    starts = []
    for statement in module.body:
        code = module.code_for_node(statement)
        if not parsed.startswith(code, offset):
            return []
        starts.append(offset)
        offset += len(code)
    return starts if parsed[offset:] == _lines_code(module, module.footer) else []


def _as_parsed(module: cst.Module, text: str) -> str:
    """The text as LibCST parsed it: it adds a line break to a text that ends without one."""
    return text if module.has_trailing_newline else text + module.default_newline


def _lines_code(module: cst.Module, lines: Sequence[cst.EmptyLine]) -> str:
    """Blank and comment lines of the top level (where there is no indent to add), as LibCST writes them."""
    return "".join(module.code_for_node(line) for line in lines)


def _first_indented(module: cst.Module) -> int | None:
    for index, statement in enumerate(module.body):
        if isinstance(statement, cst.BaseCompoundStatement) and _has_indented_block(statement):
            return index
    return None


def _declares_module_globals(statements: Sequence[cst.BaseStatement]) -> bool:
    """A `global` statement at the module's level, which CPython judges against the whole
    module (a name assigned before it is an error)."""
    pending: list[cst.CSTNode] = list(statements)
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Global):
            return True
        if not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.BaseExpression)):
            pending.extend(node.children)
    return False


def _has_indented_block(node: cst.CSTNode) -> bool:
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.IndentedBlock):
            return True
        if isinstance(
            current,
            (cst.BaseCompoundStatement, cst.Else, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally, cst.MatchCase),
        ):
            pending.extend(current.children)
    return False


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix, by halving (each comparison runs in C)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    """The length of the longest common suffix, at most `limit`."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle : len(a) - low] == b[len(b) - middle : len(b) - low]:
            low = middle
        else:
            high = middle - 1
    return low


class ParseMemory:
    """The last parse of each of a few files, by path, for `reparse`: a server lints the
    files open in an editor again and again, and keeps what an edit did not change."""

    def __init__(self, capacity: int = 8) -> None:
        self._capacity = capacity
        self._parses: dict[Path, ParsedText] = {}
        self._lock = threading.Lock()  # lints of different files run on threads of their own

    def get(self, path: Path) -> ParsedText | None:
        with self._lock:
            return self._parses.get(path)

    def put(self, path: Path, parsed: ParsedText) -> None:
        with self._lock:
            self._parses.pop(path, None)
            self._parses[path] = parsed
            while len(self._parses) > self._capacity:
                del self._parses[next(iter(self._parses))]
