"""`--diff`: unified diffs of a file's bytes, as `patch -p1` applies them.

The diff is of the bytes `--fix` would write, not of decoded text: a BOM stays in the first
line, a file in Latin-1 (by its coding cookie) is shown in Latin-1, and a line is what patch
calls a line, up to and including '\\n'. A file whose lines end at a lone '\\r' is therefore
one line to patch, and its diff is one hunk that replaces that line: GNU patch applies it.
"""

from __future__ import annotations

import difflib
import os

_NO_NEWLINE = b"\n\\ No newline at end of file\n"


def patch_lines(data: bytes) -> list[bytes]:
    """`data` cut after each '\\n' (patch's lines; a lone '\\r' does not end one)."""
    lines = data.split(b"\n")
    return [line + b"\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def unified_diff(display: str, before: bytes, after: bytes) -> bytes:
    """The diff from `before` to `after` of the file shown as `display`, for `patch -p1`."""
    name = os.fsencode(display)
    lines = difflib.diff_bytes(
        difflib.unified_diff, patch_lines(before), patch_lines(after), b"a/" + name, b"b/" + name
    )
    return b"".join(line if line.endswith(b"\n") else line + _NO_NEWLINE for line in lines)
