"""Whether edits left the rest of a file's code alone: the Python tokens outside the edited
ranges must be the same, in the same places, before and after.

A fix can still parse and yet change code it never meant to touch: deleting the line break
after a comment turns the next line into part of the comment. Comparing the token streams
outside the edited ranges catches that, whatever the rule."""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterator, Sequence

from cflint.fix.text import LineIndex

# (type, string, offset of the token's start in the text)
_Token = tuple[int, str, int]
_Range = tuple[int, int]


def _tokens(text: str) -> Iterator[tuple[int, str, int, int]]:
    """(type, string, start, end) of each token, as offsets in `text`; raises on text Python cannot tokenize.

    The tokenizer reads the text with its line breaks made '\\n' (as the compiler does), so
    that a lone '\\r' ends a line; rows and columns are mapped back onto the original lines."""
    index = LineIndex(text)
    ends = [*index.starts[1:], len(text)]

    def offset(row: int, column: int) -> int:
        if row > len(index.starts):
            return len(text)
        start = index.starts[row - 1]
        return min(start + column, ends[row - 1])

    for token in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
        yield token.type, token.string, offset(*token.start), offset(*token.end)


def _inside(start: int, end: int, ranges: Sequence[_Range], first: int) -> bool:
    for index in range(first, len(ranges)):
        low, high = ranges[index]
        if low > end:
            return False
        if (low <= start <= high) if start == end else (start < high and low < end):
            return True
    return False


def _outside(text: str, ranges: Sequence[_Range], shifts: Sequence[tuple[int, int]]) -> list[_Token]:
    """The tokens outside `ranges` (sorted, not overlapping), each start moved by the shifts
    ((end of an edit, its change in length), sorted) of the edits that end before it.

    A token is inside when it overlaps a range; a zero-width token (DEDENT, ENDMARKER) also
    when it stands at a range's edge, where either side of the edit could claim it. Tokens
    come in order, so one walk over the ranges and shifts serves them all."""
    kept: list[_Token] = []
    first = 0  # the first range that does not end before the current token
    shifted = 0  # how many shifts apply to the current token
    moved_by = 0
    for kind, string, start, end in _tokens(text):
        while first < len(ranges) and ranges[first][1] < start:
            first += 1
        if _inside(start, end, ranges, first):
            continue
        while shifted < len(shifts) and shifts[shifted][0] <= start:
            moved_by += shifts[shifted][1]
            shifted += 1
        kept.append((kind, string, start + moved_by))
    return kept


def tokens_kept(before: str, after: str, edits: Sequence[tuple[int, int, str]]) -> bool:
    """Whether `after`, which is `before` with `edits` ((start, end, new text) offsets in
    `before`, not overlapping) applied, keeps every token outside them in its place. False
    when either text cannot be tokenized."""
    new_ranges: list[_Range] = []
    shifts: list[tuple[int, int]] = []
    growth = 0
    for start, end, new_text in sorted(edits):
        new_ranges.append((start + growth, start + growth + len(new_text)))
        shifts.append((end, len(new_text) - (end - start)))
        growth += len(new_text) - (end - start)
    old_ranges = sorted((start, end) for start, end, _ in edits)
    try:
        return _outside(before, old_ranges, shifts) == _outside(after, new_ranges, ())
    except (tokenize.TokenError, SyntaxError):
        return False
