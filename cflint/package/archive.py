"""Read a ZIP archive where it lies: list and judge its members, and read a member's
first bytes on demand. Nothing is extracted, and no more is decompressed than asked for."""

from __future__ import annotations

import re
import struct
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from cflint.fs.files import open_regular_file
from cflint.package.contents import PackageEntry, PackageProblem, format_size

# The archive may unpack to at most this many times max-package-size.
UNPACKED_SIZE_FACTOR = 10
# Deflate cannot expand data more than 1032-fold (a 258-byte match costs at least two bits).
MAX_DEFLATE_RATIO = 1032
_DEFLATE_SLACK = 1024
_ENCRYPTED_FLAG = 0x1
_UNIX_FILE_TYPE = 0o170000
_UNIX_SYMLINK = 0o120000
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# `C:\\x` or `C:/x`; `a:b.py` is a legal relative name on the Linux runtime.
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[/\\]")
_CORRUPTION = (zipfile.BadZipFile, EOFError, OSError, ValueError, struct.error, NotImplementedError, OverflowError)


class ArchiveError(Exception):
    """The archive as a whole cannot be read or must not be read."""


def unsafe_name_problem(name: str) -> str | None:
    """Why extracting a member of this name would write outside the target folder, or
    to another name than the one listed."""
    if "\0" in name:
        return (
            f"member {name!r} has a NUL byte in its name: unzip tools cut the name there or refuse it, "
            "so it unpacks under another name than the one listed; the archive is damaged or crafted"
        )
    if name.startswith(("/", "\\")) or _WINDOWS_DRIVE.match(name):
        return f"member {name!r} has an absolute path: unpacking it writes outside the function's folder"
    if ".." in re.split(r"[/\\]", name):
        return f"member {name!r} has a '..' path: unpacking it writes outside the function's folder"
    return None


def member_path(name: str) -> str:
    """The path a member unpacks to, as unzip tools read it: backslashes are separators, and
    a leading `./` (bsdtar's `tar -a -cf fn.zip .`, Windows' tar.exe) is the archive's root."""
    path = name.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return "" if path == "." else path


def backslash_problem(names: list[str]) -> PackageProblem:
    example = names[0]
    return PackageProblem(
        f"{len(names)} member name{'s use' if len(names) > 1 else ' uses'} backslashes ({example!r}), which the ZIP "
        "format does not allow: Linux, where the function runs, may read them as part of the file name, not as "
        "folders. Windows PowerShell 5.1's Compress-Archive writes them; zip with PowerShell 7's Compress-Archive, "
        "7-Zip or `tar -a -cf fn.zip *` from inside the folder instead"
    )


def _declared_size_problem(info: zipfile.ZipInfo) -> str | None:
    if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
        return (
            f"member is stored uncompressed but declares {info.file_size} bytes for "
            f"{info.compress_size} bytes of data: the archive is damaged or crafted"
        )
    limit = MAX_DEFLATE_RATIO * info.compress_size + _DEFLATE_SLACK
    if info.compress_type == zipfile.ZIP_DEFLATED and info.file_size > limit:
        return (
            f"member declares {format_size(info.file_size)} uncompressed, more than its "
            f"{format_size(info.compress_size)} of compressed data can hold: the archive is damaged or crafted"
        )
    return None


class Archive:
    """An open ZIP archive: its file members as package entries, what is wrong with
    them, and `read_head` for a member's first bytes."""

    def __init__(self, zip_file: zipfile.ZipFile) -> None:
        self._zip = zip_file
        self._readable: dict[str, zipfile.ZipInfo] = {}
        self._unreadable: dict[str, str] = {}
        entries: list[PackageEntry] = []
        problems: list[PackageProblem] = []
        infos = zip_file.infolist()
        counts = Counter(member_path(info.filename) for info in infos)
        backslashed: list[str] = []
        for info in infos:
            # zipfile cuts `filename` at a NUL byte; `orig_filename` is the name as stored.
            unsafe = unsafe_name_problem(info.orig_filename)
            if unsafe is not None:
                problems.append(PackageProblem(unsafe))
                continue
            if not info.filename:
                problems.append(PackageProblem("a member has an empty name: the archive is damaged or crafted"))
                continue
            if "\\" in info.filename:
                backslashed.append(info.filename)
            name = member_path(info.filename)
            if not name or name.endswith("/") or name in self._readable or name in self._unreadable:
                continue
            if (info.external_attr >> 16) & _UNIX_FILE_TYPE == _UNIX_SYMLINK:
                problems.append(
                    PackageProblem(
                        "member is a symbolic link: unpacked, it can point outside the function's folder", name
                    )
                )
                continue
            entries.append(PackageEntry(name, info.compress_size))
            if counts[name] > 1:
                problems.append(
                    PackageProblem(
                        f"member appears {counts[name]} times: unzip tools disagree about which copy they keep", name
                    )
                )
            why_unreadable = (
                "member is encrypted: the runtime cannot read it, nor can cflint check it"
                if info.flag_bits & _ENCRYPTED_FLAG
                else _declared_size_problem(info)
            )
            if why_unreadable is None:
                self._readable[name] = info
            else:
                self._unreadable[name] = why_unreadable
                problems.append(PackageProblem(why_unreadable, name))
        if backslashed:
            problems.append(backslash_problem(backslashed))
        self.entries = tuple(entries)
        self.problems = tuple(problems)

    @classmethod
    @contextmanager
    def open(cls, path: Path, unpacked_limit: int) -> Iterator[Archive]:
        """Open `path`; raises OSError if it cannot be read, ArchiveError if it is not a
        sound ZIP or declares more than `unpacked_limit` bytes uncompressed."""
        with open_regular_file(path) as stream:
            zip_file = cls._open_zip(stream)
            with zip_file:
                archive = cls(zip_file)
                archive.check_declared_size(unpacked_limit)
                yield archive

    @staticmethod
    def _open_zip(stream: BinaryIO) -> zipfile.ZipFile:
        signature = stream.read(4)
        stream.seek(0)
        try:
            return zipfile.ZipFile(stream)
        except _CORRUPTION as exc:
            if not signature.startswith(_ZIP_SIGNATURES):
                raise ArchiveError("not a ZIP archive") from None
            raise ArchiveError(f"corrupt ZIP archive: {exc}") from None

    def check_declared_size(self, unpacked_limit: int) -> None:
        """Raises ArchiveError if the members declare more than `unpacked_limit` bytes uncompressed."""
        declared = sum(info.file_size for info in self._zip.infolist())
        if declared > unpacked_limit:
            raise ArchiveError(
                f"archive declares {format_size(declared)} uncompressed, over {UNPACKED_SIZE_FACTOR} "
                f"times max-package-size ({format_size(unpacked_limit)}): a possible ZIP bomb, not read"
            )

    def declared_size(self, name: str) -> int:
        return self._readable[name].file_size

    def is_readable(self, name: str) -> bool:
        return name in self._readable

    def read_head(self, name: str, limit: int) -> bytes:
        """At most `limit` bytes from the start of member `name`, checked against its
        CRC when that reaches its end; raises ArchiveError when it cannot be read."""
        info = self._readable.get(name)
        if info is None:
            raise ArchiveError(self._unreadable.get(name, f"no member {name!r}"))
        try:
            with self._zip.open(info) as member:
                return member.read(limit)
        except Exception as exc:
            raise ArchiveError(f"member cannot be read: {exc}") from None
