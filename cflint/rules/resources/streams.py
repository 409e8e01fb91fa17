"""Streams whose whole content can be read at once, and objects that write or buffer
bytes: facts about library APIs that the resource rules share, keyed by `Origin.path`."""

from __future__ import annotations

import re

_OPENERS = {
    "builtins.open()": "open()",
    "pathlib.Path().open()": "Path.open()",
    "gzip.open()": "gzip.open()",
    "bz2.open()": "bz2.open()",
    "lzma.open()": "lzma.open()",
}
_STORAGE_BODY = re.compile(r"boto3\..*\[Body\]\Z")

# Objects whose `write` / `writelines` keep or store what they are given.
WRITABLE = frozenset(
    {
        *_OPENERS,
        "io.BytesIO()",
        "io.StringIO()",
        "tempfile.TemporaryFile()",
        "tempfile.NamedTemporaryFile()",
        "tempfile.SpooledTemporaryFile()",
    }
)
# Calls that keep their first argument in memory, and calls that write it out.
BUFFERING_CALLS = frozenset({"io.BytesIO", "io.StringIO"})
WRITING_CALLS = frozenset({"pathlib.Path().write_bytes", "pathlib.Path().write_text"})


def unbounded_source(path: str) -> str | None:
    """What the stream is, in words, when reading it without a size can take any amount of memory.
    The request body (`request.stream`, uploads in `request.files`) is not one: it is bounded by
    the request the platform accepts, as `request.get_data()` and `request.json` are."""
    if path in _OPENERS:
        return f"a file opened with {_OPENERS[path]}"
    if path in ("urllib.request.urlopen()", "urllib.request.build_opener().open()"):
        return "a urlopen() response"
    if _STORAGE_BODY.match(path):
        return "an object-storage body"
    return None
