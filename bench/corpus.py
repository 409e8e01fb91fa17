"""The folders every tool lints: the guide's template function and the running Python's standard library."""

from __future__ import annotations

import shutil
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "inputs" / "template"
STDLIB_EXCLUDED_FOLDERS = frozenset(
    {"test", "tests", "idle_test", "site-packages", "dist-packages", "lib-dynload", "__pycache__"}
)
STDLIB_EXCLUDED_PREFIXES = ("config-",)


@dataclass(frozen=True)
class Corpus:
    name: str
    path: Path
    files: int
    lines: int


def _count_lines(path: Path) -> int:
    data = path.read_bytes()
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def _python_files(folder: Path) -> Iterator[Path]:
    return (path for path in sorted(folder.rglob("*.py")) if path.is_file())


def _summarize(name: str, folder: Path) -> Corpus:
    files = list(_python_files(folder))
    return Corpus(name, folder, len(files), sum(_count_lines(path) for path in files))


def build_template(destination: Path) -> Corpus:
    """The guide's template (user.py + requirements.txt), copied from bench/inputs/template."""
    folder = destination / "template"
    shutil.copytree(TEMPLATE, folder)
    return _summarize("small", folder)


def _excluded(relative: Path) -> bool:
    folders = relative.parts[:-1]
    return any(part in STDLIB_EXCLUDED_FOLDERS or part.startswith(STDLIB_EXCLUDED_PREFIXES) for part in folders)


def stdlib_source() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def build_stdlib(destination: Path, source: Path | None = None) -> Corpus:
    """The `.py` files of the standard library without its tests, copied so every tool sees the same files."""
    source = source or stdlib_source()
    folder = destination / "stdlib"
    for path in _python_files(source):
        relative = path.relative_to(source)
        if _excluded(relative):
            continue
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return _summarize("stdlib", folder)
