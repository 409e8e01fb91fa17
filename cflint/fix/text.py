"""Text positions and edits: 1-based line/column to offsets and back, applying edits, and
the columns an LSP client counts (0-based units of the negotiated position encoding, UTF-16
unless agreed otherwise)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from cflint.model import Position, TextEdit

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what Python, LibCST and LSP all count as line ends
UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def split_lines(text: str) -> list[str]:
    """The lines of `text` without their line ends (not str.splitlines, which also breaks
    at form feeds and other characters Python's tokenizer does not end a line at)."""
    return _LINE_BREAK.split(text)


def code_units(text: str, encoding: str) -> int:
    """How many code units of `encoding` (UTF8, UTF16 or UTF32) `text` takes."""
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == UTF32:
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


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


def client_column(line: str, column: int, encoding: str) -> int:
    """The 0-based client column of cflint's 1-based code-point `column` on `line`."""
    return code_units(line[: max(column - 1, 0)], encoding)


def code_point_column(line: str, character: int, encoding: str) -> int:
    """The 1-based code-point column of a 0-based client column on `line` (a column inside
    a character, or past the line's end, moves to the next character or the line's end)."""
    if encoding == UTF32:
        return min(character, len(line)) + 1
    counted = 0
    for index, char in enumerate(line):
        if counted >= character:
            return index + 1
        counted += code_units(char, encoding)
    return len(line) + 1


def client_position(lines: list[str], position: Position, encoding: str) -> tuple[int, int]:
    """(line, character) of a cflint position for the client, clamped to the text."""
    if not lines:
        return 0, 0
    line = min(max(position.line, 1), len(lines))
    if line != position.line:
        return line - 1, code_units(lines[line - 1], encoding) if position.line > len(lines) else 0
    return line - 1, client_column(lines[line - 1], position.column, encoding)


def source_encoding(data: bytes) -> str:
    """The encoding Python reads a source file in: its coding cookie or BOM, else UTF-8 (as
    `tokenize.detect_encoding`, which raises SyntaxError and LookupError alike). The lines it
    looks at end at \\r\\n, \\r or \\n, as the interpreter's do: a file whose lines end in CR
    alone has its cookie on its first line, not somewhere in one long line."""
    import tokenize

    lines = (match.group() for match in _SOURCE_LINE.finditer(data))
    encoding, _ = tokenize.detect_encoding(lambda: next(lines, b""))
    return encoding


_SOURCE_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
