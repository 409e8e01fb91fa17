"""Lines and columns of editor text: cflint counts 1-based code points, an LSP client
counts 0-based units of the negotiated position encoding (UTF-16 unless agreed otherwise)."""

from __future__ import annotations

from cflint.fix.text import UTF32, code_units
from cflint.model import Position


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
