"""What package rules see: the files of a function package, from a ZIP or a folder."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path

from cflint.fs.links import OutsideLink
from cflint.record import Record
from cflint.settings.config import Settings
from cflint.settings.values import MIB

REQUIREMENTS = "requirements.txt"


class PackageEntry(Record, frozen=True):
    """One file of a package: its posix path inside the package, the bytes it adds to the
    package (its compressed size in a ZIP, its file size in a folder), and in a folder, for
    a symbolic link to a file outside it, where that lies."""

    path: str
    size: int
    link: OutsideLink | None = None

    @property
    def name(self) -> str:
        return self.path.rpartition("/")[2]


class PackageProblem(Record, frozen=True):
    """Why (part of) an archive cannot be trusted or read; `member` is where to report
    it, or None for the archive itself (also for member names unsafe to print as a path)."""

    reason: str
    member: str | None = None


HeadReader = Callable[[str, int], "bytes | None"]


class Package(Record, frozen=True, dict=True):
    """A function package: a ZIP's file members, or the files `cflint package` would
    pack from a folder. `size` is the archive's size on disk, or for a folder the total
    of its files before compression. `read_head(path, n)` gives an entry's first n bytes
    (None when unreadable); it never decompresses more than n bytes."""

    path: Path
    display_path: str
    settings: Settings
    is_archive: bool
    size: int
    entries: tuple[PackageEntry, ...]
    read_head: HeadReader
    problems: tuple[PackageProblem, ...] = ()

    @cached_property
    def file_paths(self) -> frozenset[str]:
        return frozenset(entry.path for entry in self.entries)

    def finding_path(self, member: str | None) -> str:
        if member is None:
            return self.display_path
        return member if self.display_path == "." else f"{self.display_path}/{member}"

    def path_of(self, finding_path: str) -> Path:
        """The path (real, or inside the archive) a finding of this package is about."""
        if finding_path == self.display_path:
            return self.path
        prefix = "" if self.display_path == "." else self.display_path + "/"
        return self.path / finding_path[len(prefix) :]

    def nested_folder_of(self, root_file: str) -> str | None:
        """The folder holding `root_file` (e.g. `user.py`) when the package has it in a
        folder but not at its root: the shallowest such folder, None otherwise."""
        if root_file in self.file_paths:
            return None
        suffix = "/" + root_file
        folders = [entry.path[: -len(suffix)] for entry in self.entries if entry.path.endswith(suffix)]
        return min(folders, key=lambda folder: (folder.count("/"), folder)) if folders else None


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < MIB:
        return f"{size / 1024:.1f} KiB"
    if size < 1024 * MIB:
        return f"{size / MIB:.1f} MiB"
    return f"{size / (1024 * MIB):.1f} GiB"
