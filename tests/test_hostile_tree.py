"""A function folder holding every kind of entry that makes a `Path` method fail:
symlink loops, dangling symlinks, a FIFO, a file whose read fails (EIO) and a folder that
cannot be listed. Each of the `Path` and `os` calls that discovery and `cflint package`
make is tried on every entry, and lint and package runs give a finding for each entry,
never an exception.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cflint.fs.files import read_regular_file
from tests.helpers import CliResult, write_files

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="FIFOs, symlinks and /proc/self/mem")

Cflint = Callable[..., CliResult]
LOOP = "cannot read: Too many levels of symbolic links"
MISSING = "cannot read: No such file or directory"
EIO = "cannot read: Input/output error"

# Every entry that some call fails on, and the finding it must get.
EXPECTED = {
    "fn/loop.py": f"CF002 {LOOP}",
    "fn/data": f"CF002 {LOOP}",
    "fn/gone.py": f"CF002 {MISSING}",
    "fn/dangling": f"CF002 {MISSING}",
    "fn/pipe": "CF002 not a regular file (a FIFO): not packed",
    "fn/mem.py": f"CF002 {EIO}",
    "fn/blob.bin": f"CF002 {EIO}",
    "fn/locked": "CF002 cannot read folder: Permission denied",
}


def _make_tree(root: Path) -> Path:
    folder = write_files(
        root / "fn", {"user.py": "def main():\n    return 'ok'\n", "requirements.txt": "", "locked/inner.py": "x = 1\n"}
    )
    os.symlink("loop.py", folder / "loop.py")
    os.symlink("data", folder / "data")
    os.symlink("missing.py", folder / "gone.py")
    os.symlink("missing", folder / "dangling")
    os.mkfifo(folder / "pipe")
    # A regular file every process may open but whose read fails with EIO, even for root.
    os.symlink("/proc/self/mem", folder / "mem.py")
    os.symlink("/proc/self/mem", folder / "blob.bin")
    return folder


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tree, with `locked` made unlistable as it is for other users (tests run as root,
    which lists any folder whatever its mode)."""
    folder = _make_tree(tmp_path)
    real_scandir, real_listdir = os.scandir, os.listdir

    def refuse(path: object) -> None:
        if isinstance(path, (str, os.PathLike)) and Path(os.fspath(path)).name == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))

    def scandir(path: str | os.PathLike[str] = ".") -> Iterator[os.DirEntry[str]]:
        refuse(path)
        return real_scandir(path)

    def listdir(path: str | os.PathLike[str] = ".") -> list[str]:
        refuse(path)
        return real_listdir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", listdir)
    return folder


def _calls(path: Path) -> dict[str, Callable[[], object]]:
    """The filesystem calls discovery, the package rules and `cflint package` make."""

    def entry() -> os.DirEntry[str]:
        return next(e for e in os.scandir(path.parent) if e.name == path.name)

    return {
        "Path.exists": path.exists,
        "Path.is_file": path.is_file,
        "Path.is_dir": path.is_dir,
        "Path.is_symlink": path.is_symlink,
        "Path.stat": path.stat,
        "Path.glob": lambda: list(path.glob("*.py")),
        "Path.iterdir": lambda: list(path.iterdir()),
        "os.path.lexists": lambda: os.path.lexists(path),
        "os.path.realpath": lambda: os.path.realpath(path),
        "os.stat": lambda: os.stat(path),
        "os.scandir": lambda: list(os.scandir(path)),
        "os.walk": lambda: list(os.walk(path)),
        "DirEntry.is_dir": lambda: entry().is_dir(),
        "DirEntry.is_file": lambda: entry().is_file(),
        "DirEntry.stat": lambda: entry().stat(),
        "read_regular_file": lambda: read_regular_file(path),
    }


def test_every_hostile_entry_fails_some_call(tree: Path) -> None:
    """The tree is as hostile as meant: each entry makes at least one call raise."""
    failing: dict[str, list[str]] = {}
    for name in EXPECTED:
        path = tree.parent / name
        for call_name, call in _calls(path).items():
            try:
                call()
            except OSError:
                failing.setdefault(name, []).append(call_name)
    assert sorted(failing) == sorted(EXPECTED)
    # The calls that used to crash a run:
    assert "DirEntry.is_dir" in failing["fn/loop.py"] and "DirEntry.is_file" in failing["fn/data"]


def test_lint_gives_a_finding_for_each_entry(tree: Path, cflint: Cflint) -> None:
    result = cflint("--select", "ALL", "fn", cwd=tree.parent)
    assert result.err == ""
    assert result.code == 1
    assert result.lines == [f"{name}:1:1: {finding}" for name, finding in sorted(EXPECTED.items())]


def test_package_gives_the_same_findings_and_packs_the_rest(tree: Path, cflint: Cflint) -> None:
    refused = cflint("package", "--color", "never", "fn", cwd=tree.parent)
    assert refused.lines == [f"{name}:1:1: {finding}" for name, finding in sorted(EXPECTED.items())]
    assert refused.code == 1 and refused.err.startswith("cflint package: not packing fn: 8 errors above")
    forced = cflint("package", "--color", "never", "--force", "fn", cwd=tree.parent)
    assert forced.code == 0, forced.err
    assert forced.lines[-3:] == [
        f"Wrote fn.zip: {(tree.parent / 'fn.zip').stat().st_size} bytes, 2 files",
        "  requirements.txt  0 bytes",
        "  user.py           28 bytes",
    ]
