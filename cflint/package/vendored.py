"""What `pip install --target` put in a function folder: third-party code, not the user's.

One reading for a folder on disk (discovery) and for an archive's members (the archive
lint), so a folder and its ZIP leave out the same modules."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from cflint.fs.files import read_regular_file


def top_level_names(record: str | None, top_level: str | None) -> set[str]:
    """The top-level names (`requests`, `six.py`) one `*.dist-info` lists: the first path
    segment of each RECORD row, else the names of its top_level.txt."""
    if record is not None:
        names = {row.split(",")[0].split("/")[0] for row in record.splitlines() if row}
    elif top_level is not None:
        names = set(top_level.split())
    else:
        names = set()
    return {name for name in names if name and name != ".." and not name.endswith(".dist-info")}


def is_vendored(member: str, vendored: Iterable[str]) -> bool:
    """Whether a path inside the function folder (`requests/api.py`) lies under a vendored name."""
    return member.split("/", 1)[0] in vendored


def vendored_modules(folder: Path) -> frozenset[str]:
    """Top-level names that `pip install --target` put in `folder`: what the RECORD (or
    top_level.txt) of each `*.dist-info` beside them lists. Third-party code, not the user's."""
    names: set[str] = set()
    try:
        infos = [entry.path for entry in os.scandir(folder) if entry.name.endswith(".dist-info") and entry.is_dir()]
    except OSError:
        return frozenset()
    for info in infos:
        names.update(top_level_names(_text_of(Path(info) / "RECORD"), _text_of(Path(info) / "top_level.txt")))
    return frozenset(names)


def _text_of(path: Path) -> str | None:
    try:
        data, _ = read_regular_file(path)
    except OSError:
        return None
    return data.decode("utf-8", "replace")
