"""Lines and columns of editor text: cflint counts 1-based code points, an LSP client
counts 0-based units of the negotiated position encoding (UTF-16 unless agreed otherwise)."""

from __future__ import annotations

import codecs
import io
import re
import tokenize

from cflint.model import Position

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what Python, LibCST and LSP all count as line ends
UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def split_lines(text: str) -> list[str]:
    """The lines of `text` without their line ends (not str.splitlines, which also breaks
    at form feeds and other characters Python's tokenizer does not end a line at)."""
    return _LINE_BREAK.split(text)


def units(text: str, encoding: str) -> int:
    """How many units of `encoding` `text` takes."""
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == UTF32:
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def client_column(line: str, column: int, encoding: str) -> int:
    """The 0-based client column of cflint's 1-based code-point `column` on `line`."""
    return units(line[: max(column - 1, 0)], encoding)


def code_point_column(line: str, character: int, encoding: str) -> int:
    """The 1-based code-point column of a 0-based client column on `line` (a column inside
    a character, or past the line's end, moves to the next character or the line's end)."""
    if encoding == UTF32:
        return min(character, len(line)) + 1
    counted = 0
    for index, char in enumerate(line):
        if counted >= character:
            return index + 1
        counted += units(char, encoding)
    return len(line) + 1


def client_position(lines: list[str], position: Position, encoding: str) -> tuple[int, int]:
    """(line, character) of a cflint position for the client, clamped to the text."""
    if not lines:
        return 0, 0
    line = min(max(position.line, 1), len(lines))
    if line != position.line:
        return line - 1, units(lines[line - 1], encoding) if position.line > len(lines) else 0
    return line - 1, client_column(lines[line - 1], position.column, encoding)


def source_bytes(text: str) -> bytes:
    """The bytes a file with this text would hold: in the encoding its coding cookie
    declares, so that cflint decodes them back to the same text; else UTF-8."""
    data = text.encode("utf-8", "surrogatepass")
    if "coding" not in text[:400]:
        return data
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        if codecs.lookup(encoding).name != "utf-8":
            return text.encode(encoding)
    except (SyntaxError, LookupError, UnicodeError):
        pass
    return data
