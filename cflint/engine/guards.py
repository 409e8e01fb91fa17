"""What is checked before a file is handed to LibCST, so that every file up to the default
max-file-size (10 MiB) is linted, or reported, within 10 s of CPU time and 500 MiB per worker.

LibCST's parse time and memory grow with the number of tokens (rules included), and its
time with the square of an expression's nesting, so that a chain of 1,000 calls
`a.b().b()...`, a short file, is far over the time bound. The checks, in this order:

- A file of more than MAX_TOKENS tokens (counted by one regex) is CF004, not linted.
- Otherwise CPython's compiler is asked (compiling runs nothing): what the runtime cannot
  compile because it is nested too deeply or past another of CPython's limits is CF001.
- A file whose expressions nest so that parsing would cost more than MAX_NESTING_COST is
  CF004 too; nesting cost is counted on CPython's AST (see `nesting_cost`).
- So is a file whose brackets nest so that LibCST's parse would take more memory than
  MAX_BRACKET_COST allows (see `bracket_cost`). Its memory grows with the square of bracket
  depth, and it keeps it until the whole file is parsed: 245 statements of 199 nested
  parentheses (which CPython compiles, and the AST does not show) take 1.1 GiB.
"""

from __future__ import annotations

import ast
import keyword
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from cflint.record import Record

MAX_TOKENS = 100_000
MAX_NESTING_COST = 4_000_000
MAX_BRACKET_COST = 500_000
# LibCST (1.9) fails with a syntax error on more string literals joined side by side than this.
LIBCST_MAX_JOINED_STRINGS = 3000
DEFAULT_RECURSION_LIMIT = 1000  # what the runtime imports the function with

# One-line strings, words, numbers and single punctuation characters: close to the number
# of Python tokens, counted by the regex engine without building a list. `(?!\s)\W` is
# `[^\w\s]`, which compiles to a set of every such character and matches slower.
_TOKEN = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|\w+|(?!\s)\W")

# CPython's messages for code past its limits (any version): such a file can never run.
_LIMIT_MESSAGES = (
    "too many nested parentheses",
    "too many levels of indentation",
    "too many indentation levels",
    "too many statically nested blocks",
    "too complex",
    "too deeply nested",
    "exceeds the limit",  # an integer literal of more than 4,300 digits
)

# How much a node adds to the nesting cost of what is below it, measured on LibCST's
# parser: a chain of subscripts or calls costs about nine times a chain of attributes.
_WEIGHTS: dict[type[ast.AST], int] = {ast.Subscript: 3, ast.Call: 2, ast.Lambda: 2}


class CompileLimit(Record, frozen=True):
    """CPython refuses the file for its size or nesting: the reason and where."""

    reason: str
    line: int = 1
    column: int = 1


_STRING = r"""[rRbBuUfFtT]{0,2}(?:'{3}[\s\S]*?'{3}|"{3}[\s\S]*?"{3}|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")"""
_STRING_OR_COMMENT = re.compile(rf"({_STRING})|#[^\n]*")
# Once strings are NUL characters (which source never holds: that is CF002) and comments are
# gone, keywords are not operands: `for` marks a generator as a comma marks a tuple, and the
# others read as operators.
_FOR = re.compile(r"\bfor\b")
_OPERATOR_KEYWORDS = [word for word in keyword.kwlist if word not in ("for", "None", "True", "False")]
_OTHER_KEYWORDS = re.compile(rf"\b(?:{'|'.join(_OPERATOR_KEYWORDS)})\b")
# An opening bracket after an operand (a call or subscript), any other bracket, or a comma.
_BRACKET = re.compile(r"(?P<after>(?<=[\w)\]}\0])[ \t]*[(\[])|(?P<open>[(\[{])|(?P<close>[)\]}])|,")
# Compiled on first use (by `re`'s cache): only a file with many string literals needs it.
_JOINED_STRINGS = r"\0(?:\s*\0)*"
# LibCST's extra memory per level of depth: a parenthesised name is about 0.4 KiB; a call,
# subscript, tuple, list, dict, set or generator up to 20 times that (a call with arguments).
_GROUPING_WEIGHT = 1
_BRACKET_WEIGHT = 20
# The depth that ordinary code reaches: its brackets cost what their tokens do (see MAX_TOKENS).
_FREE_DEPTH = 4


def _code_only(source: str) -> str:
    """`source` with each string as a NUL character and without comments."""
    return _STRING_OR_COMMENT.sub(lambda match: "\0" if match.group(1) is not None else "", source)


def bracket_cost(source: str) -> int:
    """The sum over brackets of weight times depth beyond _FREE_DEPTH, which LibCST's parse
    memory follows: the square of the depth for a chain of nested brackets, and nothing for
    ordinary code. A bracket's kind, hence its weight, is known when it closes: parentheses
    around one expression weigh least; a call or subscript follows an operand, a tuple or a
    generator holds a comma or `for`."""
    code = _OTHER_KEYWORDS.sub("+", _FOR.sub(",", _code_only(source)))
    cost = 0
    stack: list[list[int]] = []  # per open bracket: [weight, depth]
    for match in _BRACKET.finditer(code):
        kind = match.lastgroup
        if kind == "close":
            if stack:
                weight, depth = stack.pop()
                cost += weight * max(0, depth - _FREE_DEPTH)
        elif kind is None:  # a comma
            if stack:
                stack[-1][0] = _BRACKET_WEIGHT
        else:
            grouping = kind == "open" and match.group() == "("
            stack.append([_GROUPING_WEIGHT if grouping else _BRACKET_WEIGHT, len(stack) + 1])
    return cost


def longest_string_join(source: str) -> int:
    """The most string literals written side by side (implicitly joined into one) anywhere in
    `source`; comments and line breaks may come between them."""
    runs = re.findall(_JOINED_STRINGS, _code_only(source))
    return max((run.count("\0") for run in runs), default=0)


def count_tokens(source: str) -> int:
    return _TOKEN.subn("", source)[1]


@contextmanager
def compiler_warnings_silenced() -> Iterator[None]:
    """CPython's parser and compiler print SyntaxWarning and DeprecationWarning to stderr for
    the code they read (`1 is 1`, an invalid escape); cflint reports on code, it does not
    pass on warnings meant for its author at import time."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _frame_depth() -> int:
    depth = 0
    frame: FrameType | None = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


def compile_limit(source: str, filename: str) -> CompileLimit | None:
    """Compile `source` to bytecode as a fresh interpreter would at its top level, with the
    default recursion limit; the limit it hits (recursion or nesting), or None when it
    compiles or fails for another reason (a syntax error, which the parser reports)."""
    outcome = compile_outcome(source, filename)
    return outcome if isinstance(outcome, CompileLimit) else None


def compile_outcome(source: str, filename: str, flags: int = 0) -> CompileLimit | bool:
    """As `compile_limit`, with the `__future__` compiler `flags` in effect: the limit hit,
    else True when `source` compiled without any error, False when it failed for a reason
    that is not a limit."""
    previous = sys.getrecursionlimit()
    # As many frames of headroom as a top-level `compile()` has, wherever this is called.
    sys.setrecursionlimit(DEFAULT_RECURSION_LIMIT + _frame_depth() - 1)
    try:
        with compiler_warnings_silenced():
            compile(source, filename, "exec", flags=flags, dont_inherit=True)
    except (RecursionError, MemoryError):
        return CompileLimit("too deeply nested for the Python parser (it runs out of recursion depth)")
    except SyntaxError as error:
        message = str(error.msg)
        if any(limit in message.lower() for limit in _LIMIT_MESSAGES):
            return CompileLimit(message, error.lineno or 1, max(error.offset or 1, 1))
        return False
    except ValueError:  # a NUL byte: reported before this is called
        return False
    finally:
        sys.setrecursionlimit(previous)
    return True


def nesting_cost(tree: ast.AST) -> int:
    """The sum over nodes of node weight times weighted depth within its statement: the square of
    a chain's length, which is what LibCST's parse time follows; small for ordinary code,
    whose expressions are a few levels deep."""
    cost = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    push = stack.append
    # The children are read from `_fields` here rather than through ast.iter_child_nodes,
    # whose generator, made for every node, cost more than the rest of the walk.
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.stmt):
            depth = 0
        weight = _WEIGHTS.get(type(node), 1)
        depth += weight
        cost += weight * depth
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                push((value, depth))
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        push((item, depth))
    return cost
