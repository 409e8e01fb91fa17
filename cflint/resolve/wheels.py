"""The modules a wheel installs, read from its file list (RECORD) or top_level.txt, for the
distributions whose modules no other source knows."""

from __future__ import annotations

import posixpath
import shutil
import tempfile
import urllib.request
import zipfile
from collections.abc import Iterable
from pathlib import PurePosixPath

_LARGEST_WHEEL = 64 * 1024 * 1024
_TIMEOUT_SECONDS = 30
_EXTENSION_SUFFIXES = (".so", ".pyd")


def modules_of_wheel(url: str) -> tuple[str, ...] | None:
    """The top-level modules of the wheel at `url` (for a namespace package, its first regular
    package: `google.cloud.storage`); None when it cannot be fetched or read."""
    try:
        with tempfile.TemporaryFile() as copy:
            with urllib.request.urlopen(url, timeout=_TIMEOUT_SECONDS) as response:
                length = response.headers.get("Content-Length")
                if length is not None and int(length) > _LARGEST_WHEEL:
                    return None
                shutil.copyfileobj(response, copy)
            if copy.tell() > _LARGEST_WHEEL:
                return None
            copy.seek(0)
            with zipfile.ZipFile(copy) as wheel:
                return modules_of_files(wheel.namelist())
    except (OSError, ValueError, zipfile.BadZipFile):
        return None


def modules_of_files(names: Iterable[str]) -> tuple[str, ...]:
    """The importable top-level names among a wheel's files: modules at its root, packages
    (a folder with `__init__.py`, under any namespace folders), extension modules."""
    files = [PurePosixPath(name) for name in names if not name.endswith("/")]
    initialised = {str(path.parent) for path in files if path.name == "__init__.py"}
    modules: set[str] = set()
    for path in files:
        top = path.parts[0]
        if top.endswith((".dist-info", ".data")):
            continue
        if len(path.parts) == 1:
            if path.suffix == ".py":
                modules.add(path.stem)
            elif path.suffix in _EXTENSION_SUFFIXES:
                modules.add(path.name.split(".")[0])
            continue
        folder = ""
        for part in path.parts[:-1]:
            folder = posixpath.join(folder, part) if folder else part
            if folder in initialised:
                modules.add(folder.replace("/", "."))
                break
        else:
            if path.suffix == ".py" or path.suffix in _EXTENSION_SUFFIXES:
                # a module in a namespace folder without any __init__.py
                modules.add(".".join((*path.parts[:-1], path.name.split(".")[0])))
    return tuple(sorted(name for name in modules if all(part.isidentifier() for part in name.split("."))))
