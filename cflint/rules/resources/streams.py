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
_STORAGE_BODY = r"boto3\..*\[Body\]\Z"
# A Cloud Storage blob: from a client's bucket, made directly, or an item of a listing.
_GCS_PACKAGE = "google.cloud.storage."
_GCS = re.escape(_GCS_PACKAGE)
_GCS_CLIENT = (
    rf"{_GCS}(?:client\.)?Client(?:\(\)|\.(?:from_service_account_json|from_service_account_info|"
    r"create_anonymous_client)\(\))"
)
_GCS_BUCKET = rf"(?:{_GCS_CLIENT}\.(?:bucket|get_bucket|lookup_bucket)\(\)|{_GCS}(?:bucket\.)?Bucket\(\))"
_GCS_BLOB = (
    rf"(?:{_GCS_BUCKET}\.(?:blob|get_blob)\(\)|{_GCS_BUCKET}\.list_blobs\(\)\[\]|{_GCS_CLIENT}\.list_blobs\(\)\[\]"
    rf"|{_GCS}(?:blob\.)?Blob(?:\.from_string|\.from_uri)?\(\))"
)
# Compiled on first use (by `re`'s cache), which only a Cloud Storage call needs: it is long to compile.
_GCS_WHOLE_DOWNLOAD = rf"{_GCS_BLOB}\.download_as_(?:bytes|string|text)\Z"
# The methods above, by name: other method calls are skipped without tracing them.
STORED_OBJECT_DOWNLOADS = frozenset({"download_as_bytes", "download_as_string", "download_as_text"})

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
    if path.startswith("boto3.") and re.match(_STORAGE_BODY, path):
        return "an object-storage body"
    return None


def downloads_stored_object(path: str) -> bool:
    """Whether a callee (`Origin.path`) downloads a Cloud Storage object into memory (whole,
    unless given a byte range)."""
    return path.startswith(_GCS_PACKAGE) and re.match(_GCS_WHOLE_DOWNLOAD, path) is not None
