"""The server's document store: the client's open documents by path, what a lint of a file
reads from them, and the last lint of each Python buffer (what its code actions are made from)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument, Workspace

from cflint.api import source_bytes
from cflint.model import Finding
from cflint.record import Record
from cflint.run.discovery import PYTHON_SUFFIXES
from cflint.settings.config import CONFIG_FILE_NAMES


def is_python(path: Path) -> bool:
    return path.suffix in PYTHON_SUFFIXES


def is_project_file(path: Path) -> bool:
    """A file a lint reads beside the code: requirement files and config files."""
    return path.suffix == ".txt" or path.name in CONFIG_FILE_NAMES


def is_under(path: Path, folder: Path) -> bool:
    return folder == path.parent or folder in path.parents


def uri_path(uri: str) -> Path | None:
    """The absolute path of a `file:` URI, else None."""
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return Path(os.path.abspath(path)) if path is not None else None


def file_uri(path: Path) -> str:
    return from_fs_path(str(path)) or path.as_uri()


def read_text(path: Path) -> str:
    """A file's text as an editor would show it, or "" when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


class Linted(Record, frozen=True):
    """The last lint of a Python buffer: its version, text and findings."""

    version: int | None
    text: str
    findings: list[Finding]


class Documents:
    """The open documents of the client's workspace (which pygls makes at `initialize`)."""

    def __init__(self, workspace: Callable[[], Workspace]) -> None:
        self._workspace = workspace
        self.linted: dict[str, Linted] = {}  # by URI

    @property
    def encoding(self) -> str:
        """The position encoding agreed with the client."""
        return str(self._workspace().position_encoding or types.PositionEncodingKind.Utf16)

    def get(self, uri: str) -> TextDocument | None:
        document: TextDocument | None = self._workspace().text_documents.get(uri)
        return document

    def python(self, uri: str) -> TextDocument | None:
        """The open Python document of `uri`, else None."""
        document = self.get(uri)
        return document if document is not None and is_python(Path(document.path)) else None

    def by_path(self) -> dict[Path, TextDocument]:
        """The open `file:` documents by absolute path."""
        documents = {}
        for uri, document in self._workspace().text_documents.items():
            path = uri_path(uri)
            if path is not None:
                documents[path] = document
        return documents

    def buffers(self, target: Path) -> dict[Path, bytes]:
        """The unsaved text that counts for a lint of `target`: its own, and that of open
        requirement files."""
        buffers = {}
        for path, document in self.by_path().items():
            if path == target or path.suffix == ".txt":
                buffers[path] = source_bytes(document.source) if is_python(path) else document.source.encode()
        return buffers

    def last_lint(self, document: TextDocument) -> Linted | None:
        """The last lint of `document` when it was of its current version."""
        linted = self.linted.get(document.uri)
        return linted if linted is not None and linted.version == document.version else None
