"""Write a fixed file without losing anyone else's change to it.

The file is opened through its symlinks (a link stays a link; its target is written) and
locked with an advisory `flock`, so two cflint runs fixing the same file take turns. Under
the lock, the path must still name the inode that was locked (editors save by renaming a
new file over the old one) and hold the bytes the fix was made from; otherwise nothing is
written. A file without write permission (for root too: no write bit at all) is never
rewritten. A file with one link is replaced atomically: a new file beside it, with its
mode (and owner, where allowed), renamed over it after a last check; a file with hard links
is rewritten in place, as ruff does, so that every link keeps seeing it.

A process that writes the file without taking the lock can still race cflint in the
moment between the last check and the rename; POSIX has no compare-and-swap for files.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cflint.fs.files import open_regular_file

LOCK_WAIT_SECONDS = 10.0
_LOCK_POLL_SECONDS = 0.01
_ANY_WRITE = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


class NotWritten(Exception):
    """The file was left as it is, for the reason given."""


if sys.platform == "win32":  # no flock: runs do not wait for each other

    def _lock(descriptor: int, wait: float) -> bool:
        return True

else:
    import fcntl

    def _lock(descriptor: int, wait: float) -> bool:
        """Take an exclusive advisory lock, waiting up to `wait` seconds; whether it was taken."""
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(_LOCK_POLL_SECONDS)


def _read_all(descriptor: int) -> bytes:
    os.lseek(descriptor, 0, os.SEEK_SET)
    chunks: list[bytes] = []
    while chunk := os.read(descriptor, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


class LockedFile:
    """A file held under its lock: `data` is what it held when the lock was taken."""

    def __init__(self, path: Path, target: Path, descriptor: int, data: bytes) -> None:
        self.path = path
        self.target = target
        self._descriptor = descriptor
        self.data = data

    def unchanged(self) -> bool:
        """Whether the path still leads to the locked inode, and that inode still holds `data`."""
        try:
            if os.path.realpath(self.path) != str(self.target):
                return False
            same_inode = os.path.samestat(os.stat(self.target), os.fstat(self._descriptor))
        except OSError:
            return False
        return same_inode and _read_all(self._descriptor) == self.data

    def replace(self, data: bytes) -> None:
        """Write `data` in place of `self.data`; raises NotWritten or OSError."""
        if not self.unchanged():
            raise NotWritten("changed on disk during the run")
        held = os.fstat(self._descriptor)
        if not held.st_mode & _ANY_WRITE or not os.access(self.target, os.W_OK):
            raise NotWritten("read-only")
        if held.st_nlink > 1:
            self._write_in_place(data)
        else:
            self._write_and_rename(data, held)

    def _write_in_place(self, data: bytes) -> None:
        descriptor = os.open(self.target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
        with open(descriptor, "wb") as stream:
            if not os.path.samestat(os.fstat(descriptor), os.fstat(self._descriptor)):
                raise NotWritten("changed on disk during the run")
            stream.write(data)
            stream.truncate()
            stream.flush()
            os.fsync(stream.fileno())

    def _write_and_rename(self, data: bytes, held: os.stat_result) -> None:
        target = self.target
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".cflint-fix")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, stat.S_IMODE(held.st_mode))
            with contextlib.suppress(OSError, AttributeError):  # the owner is kept where the system lets us
                os.chown(temporary, held.st_uid, held.st_gid)
            if not self.unchanged():  # the last look, as close to the rename as it gets
                raise NotWritten("changed on disk during the run")
            os.replace(temporary, target)
        except BaseException:
            if os.path.lexists(temporary):
                os.unlink(temporary)
            raise


@contextmanager
def locked_file(path: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[LockedFile]:
    """Hold `path`'s file (through its symlinks) under an exclusive lock; raises NotWritten
    when another process holds the lock for longer than `wait`, or OSError."""
    target = Path(os.path.realpath(path))
    with open_regular_file(target) as stream:
        descriptor = stream.fileno()
        if not _lock(descriptor, wait):
            raise NotWritten(f"locked by another process for over {wait:g} s")
        yield LockedFile(path, target, descriptor, _read_all(descriptor))


def write_checked(path: Path, data: bytes, expected: bytes) -> None:
    """Replace the bytes of `path`, which were `expected` when the fix was made, with `data`;
    raises NotWritten (left as it is, and why) or OSError."""
    with locked_file(path) as locked:
        if locked.data != expected:
            raise NotWritten("changed on disk during the run")
        locked.replace(data)
