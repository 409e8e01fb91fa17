"""A file's text as fixes see it: decoded as Python would, encoded back the same way
(its encoding and BOM), and checked to parse. cflint.fs.writer writes it."""

from __future__ import annotations

import ast

import libcst as cst

from cflint.engine.guards import compiler_warnings_silenced
from cflint.fix.text import source_encoding
from cflint.record import Record


class SourceText(Record, frozen=True):
    """A source file's text and the encoding it was decoded from (to write it back the same)."""

    text: str
    encoding: str

    @classmethod
    def decode(cls, data: bytes) -> SourceText:
        """Decode as the interpreter does (a coding cookie, a BOM as `utf-8-sig`); raises ValueError."""
        try:
            encoding = source_encoding(data)
            return cls(data.decode(encoding), encoding)
        except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
            raise ValueError(str(exc)) from None

    def encode(self, text: str) -> bytes:
        """`text` in this file's encoding (with its BOM, if it had one); raises UnicodeEncodeError."""
        return text.encode(self.encoding)


def compiles(text: str) -> bool:
    """Whether CPython parses `text` (to an AST only: nothing runs)."""
    try:
        with compiler_warnings_silenced():
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def libcst_parses(text: str) -> bool:
    try:
        cst.parse_module(text)
    except Exception:
        return False
    return True
