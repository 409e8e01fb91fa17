"""The folders every tool lints: the guide's template function, the running Python's standard library,
and generated worst-case files (`hostile`)."""

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


HOSTILE_FUNCTIONS_BYTES = 10_000_000  # just under the default max-file-size (10 MiB)


def _hostile_files() -> dict[str, str]:
    """Inputs that once broke cflint's bounds: chains without operators or brackets that once ran for minutes,
    an `elif` chain CPython 3.11 cannot compile, a data literal of 1 MB, and a file of small
    functions just under the default max-file-size."""
    function = "def f{0}(a, b):\n    return a + b * {0}\n\n\n"
    functions, size, index = [], 0, 0
    while size < HOSTILE_FUNCTIONS_BYTES - 100:
        text = function.format(index)
        functions.append(text)
        size += len(text)
        index += 1
    return {
        "chain_calls.py": "x = a" + ".b()" * 5000 + "\n",
        "chain_attributes.py": "x = a" + ".b" * 3000 + "\n",
        "chain_subscripts.py": "x = a" + "[0]" * 3000 + "\n",
        "chain_not.py": "x = " + "not " * 3000 + "a\n",
        "elif_chain.py": "def f(x):\n    if x == 0:\n        return 0\n"
        + "".join(f"    elif x == {i}:\n        return {i}\n" for i in range(1, 3000)),
        "data_literal.py": "DATA = [" + ", ".join(str(i) for i in range(150_000)) + "]\n",
        "functions.py": "".join(functions),
    }


def build_hostile(destination: Path) -> Corpus:
    folder = destination / "hostile"
    folder.mkdir()
    for name, text in _hostile_files().items():
        (folder / name).write_text(text, encoding="utf-8")
    return _summarize("hostile", folder)
