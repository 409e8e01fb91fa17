"""Text positions and edits: 1-based line/column to offsets and back, applying edits."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from cflint.model import Position, TextEdit

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Offsets of line starts in a text whose lines end at \\n, \\r\\n or \\r."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(match.end() for match in _LINE_BREAK.finditer(text))]

    def offset(self, position: Position) -> int:
        """The offset of a 1-based position; past the end of a line or text is clamped."""
        if position.line > len(self.starts):
            return len(self.text)
        start = self.starts[max(position.line, 1) - 1]
        end = self.starts[position.line] if position.line < len(self.starts) else len(self.text)
        return min(start + max(position.column, 1) - 1, end)

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self.starts, offset)
        return Position(line, offset - self.starts[line - 1] + 1)


def edit_between(old: str, new: str, index: LineIndex | None = None) -> TextEdit | None:
    """The one edit that turns `old` into `new`, trimmed of their common start and end."""
    if old == new:
        return None
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    index = index or LineIndex(old)
    return TextEdit(index.position(prefix), index.position(len(old) - suffix), new[prefix : len(new) - suffix])


def offset_ranges(text: str, edits: Iterable[TextEdit]) -> list[tuple[int, int, str]]:
    index = LineIndex(text)
    return [(index.offset(edit.start), index.offset(edit.end), edit.new_text) for edit in edits]


def overlaps(first: tuple[int, int], second: tuple[int, int]) -> bool:
    """Whether two ranges overlap or touch (touching edits could apply in either order)."""
    return first[0] <= second[1] and second[0] <= first[1]


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """`text` with non-overlapping edits applied."""
    return apply_offset_edits(text, offset_ranges(text, edits))


def apply_offset_edits(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """`text` with non-overlapping (start, end, new text) offset edits applied."""
    ranges = sorted(edits, reverse=True)
    for (_, end, _), (next_start, _, _) in zip(ranges[1:], ranges, strict=False):
        if end > next_start:
            raise ValueError("overlapping edits")
    for start, end, new_text in ranges:
        text = text[:start] + new_text + text[end:]
    return text
