"""Read the user's files without blocking on a FIFO or opening a device, and search
their folders upwards."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, Generic, TypeVar

from cflint.fs.patterns import PathPatterns

FoundT = TypeVar("FoundT")

# Compiled on first use (by `re`'s cache): most runs read no requirement includes.
_INCLUDE_LINE = r"(?m)^\s*(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+)(\S+)"

_NONBLOCKING_READ = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_FILE_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotRegularFileError(OSError):
    """The path is a FIFO, a device, a socket or a folder: reading it could block or act."""

    def __init__(self, mode: int) -> None:
        kind = next((name for is_kind, name in _FILE_KINDS if is_kind(mode)), "a special file")
        super().__init__(f"not a regular file ({kind})")


def open_regular_file(path: Path) -> BinaryIO:
    """Open a regular file for reading in binary.

    Anything else is refused before it is opened (reading a FIFO blocks, opening a device
    may act), and again after, in case the path was swapped in between: the open does not
    block and does not make a terminal the controlling one. Raises OSError.
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotRegularFileError(mode)
    stream = open(os.open(path, _NONBLOCKING_READ), "rb")  # noqa: SIM115 - returned to the caller
    mode = os.fstat(stream.fileno()).st_mode
    if not stat.S_ISREG(mode):
        stream.close()
        raise NotRegularFileError(mode)
    return stream


def read_regular_file(path: Path, limit: int | None = None) -> tuple[bytes, int]:
    """The bytes and size of a regular file (see open_regular_file); no bytes when the
    size is over `limit`. Raises OSError."""
    with open_regular_file(path) as stream:
        size = os.fstat(stream.fileno()).st_size
        if limit is not None and size > limit:
            return b"", size
        data = stream.read()
    return data, len(data)


def read_regular_bytes(path: Path) -> bytes:
    """`Path.read_bytes` for regular files only (see read_regular_file)."""
    return read_regular_file(path)[0]


def requirement_files_digest(path: Path) -> str:
    """A digest of a requirements file and of the files it includes, without parsing
    requirements (so without importing `packaging`): for cache keys."""
    import hashlib  # only runs with a cache ask for a digest

    digest = hashlib.sha256()
    pending, seen = [path], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            data = read_regular_bytes(current)
        except OSError:
            data = b"<unreadable>"
        digest.update(str(current).encode("utf-8", "surrogateescape") + b"\0" + data + b"\0")
        text = data.decode("utf-8", errors="replace")
        pending.extend(current.parent / match for match in re.findall(_INCLUDE_LINE, text))
    return digest.hexdigest()


def read_gitignore(folder: Path) -> PathPatterns | None:
    """The patterns of `folder`'s `.gitignore`, or None when it has none that can be read
    (a FIFO or device named `.gitignore` is not opened)."""
    try:
        text = read_regular_bytes(folder / ".gitignore").decode("utf-8", errors="replace")
    except OSError:
        return None
    return PathPatterns.of_gitignore(text.splitlines())


def _never(folder: Path) -> bool:
    return False


class NearestAbove(Generic[FoundT]):
    """For a folder, what `find` gives for the nearest folder at or above it that gives
    something, not looking past a folder where `stop` holds (None if none does). The answer
    is remembered for every folder walked, so all the folders of a tree cost one walk."""

    def __init__(self, find: Callable[[Path], FoundT | None], stop: Callable[[Path], bool] = _never) -> None:
        self._find = find
        self._stop = stop
        self._known: dict[Path, FoundT | None] = {}

    def __call__(self, folder: Path) -> FoundT | None:
        walked: list[Path] = []
        found: FoundT | None = None
        for directory in (folder, *folder.parents):
            if directory in self._known:
                found = self._known[directory]
                break
            walked.append(directory)
            found = self._find(directory)
            if found is not None or self._stop(directory):
                break
        for directory in walked:
            self._known[directory] = found
        return found


def is_repository_root(folder: Path) -> bool:
    """A folder holding `.git` (a folder, or a file in a worktree or submodule)."""
    return (folder / ".git").exists()
