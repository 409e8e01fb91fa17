"""Build ZIP archives for tests, including damaged and crafted ones."""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path

CENTRAL_HEADER = b"PK\x01\x02"
LOCAL_HEADER = b"PK\x03\x04"
TEMPLATE_USER_PY = (Path(__file__).parent / "fixtures" / "guide" / "template_user.py").read_text(encoding="utf-8")
TEMPLATE_FILES = {"user.py": TEMPLATE_USER_PY, "requirements.txt": "pyyaml\n"}


def make_zip(path: Path, members: dict[str, str | bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def _central_header_offset(data: bytes, name: str) -> int:
    """Where the central directory record of member `name` starts."""
    offset = data.find(CENTRAL_HEADER)
    while offset != -1:
        name_length = struct.unpack_from("<H", data, offset + 28)[0]
        if data[offset + 46 : offset + 46 + name_length] == name.encode():
            return offset
        offset = data.find(CENTRAL_HEADER, offset + 4)
    raise KeyError(name)


def declare_size(path: Path, name: str, size: int) -> None:
    """Rewrite the uncompressed size the central directory declares for `name`."""
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, _central_header_offset(data, name) + 24, size)
    path.write_bytes(bytes(data))


def rename_member(path: Path, name: str, new_name: bytes) -> None:
    """Write `new_name` (as long as `name`, any bytes) over member `name` in its local and
    central headers, as a crafted archive would have it."""
    assert len(new_name) == len(name.encode())
    data = bytearray(path.read_bytes())
    central = _central_header_offset(data, name)
    local = struct.unpack_from("<I", data, central + 42)[0]
    for start in (central + 46, local + 30):
        data[start : start + len(new_name)] = new_name
    path.write_bytes(bytes(data))


def mark_encrypted(path: Path, name: str) -> None:
    """Set the 'encrypted' flag of `name` in its local and central headers."""
    data = bytearray(path.read_bytes())
    central = _central_header_offset(data, name)
    local = struct.unpack_from("<I", data, central + 42)[0]
    for flag_offset in (central + 8, local + 6):
        flags = struct.unpack_from("<H", data, flag_offset)[0]
        struct.pack_into("<H", data, flag_offset, flags | 0x1)
    path.write_bytes(bytes(data))


def damage_member_data(path: Path, name: str) -> None:
    """Flip bytes inside the compressed data of member `name`."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    data = bytearray(path.read_bytes())
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    for offset in range(start, start + min(info.compress_size, 8)):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def make_large_stored_zip(path: Path, size: int, members: dict[str, str]) -> Path:
    """An archive of `members` plus a stored `data.bin` of `size` bytes written from a
    repeated chunk of random bytes: as big on disk as it says, quickly."""
    chunk = os.urandom(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        info = zipfile.ZipInfo("data.bin")
        info.compress_type = zipfile.ZIP_STORED
        info.file_size = size
        with archive.open(info, "w") as member:
            whole, rest = divmod(size, len(chunk))
            for _ in range(whole):
                member.write(chunk)
            member.write(chunk[:rest])
    return path


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under `folder` with its size and modification time."""
    found = {}
    for directory, _, files in os.walk(folder):
        for name in [".", *files]:
            stat = os.stat(os.path.join(directory, name))
            found[os.path.relpath(os.path.join(directory, name), folder)] = (stat.st_size, stat.st_mtime_ns)
    return found


END_OF_CENTRAL_DIRECTORY = b"PK\x05\x06"


def empty_member_name(path: Path, name: str) -> None:
    """Rewrite member `name` to have an empty file name, in its local and central headers,
    fixing the offsets that follow. Python's zipfile refuses to write such a member, but
    other tools and hand-made archives contain them."""
    data = bytearray(path.read_bytes())
    central = _central_header_offset(data, name)
    local = struct.unpack_from("<I", data, central + 42)[0]
    end = data.rfind(END_OF_CENTRAL_DIRECTORY)
    removed = len(name.encode())
    # Later members' local headers and the central directory move up by `removed` bytes.
    offset = data.find(CENTRAL_HEADER)
    while 0 <= offset < end:
        header_offset = struct.unpack_from("<I", data, offset + 42)[0]
        if header_offset > local:
            struct.pack_into("<I", data, offset + 42, header_offset - removed)
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, offset + 28)
        offset += 46 + name_length + extra_length + comment_length
    directory_size, directory_offset = struct.unpack_from("<II", data, end + 12)
    struct.pack_into("<II", data, end + 12, directory_size - removed, directory_offset - removed)
    struct.pack_into("<H", data, central + 28, 0)
    del data[central + 46 : central + 46 + removed]
    struct.pack_into("<H", data, local + 26, 0)
    del data[local + 30 : local + 30 + removed]
    path.write_bytes(bytes(data))
