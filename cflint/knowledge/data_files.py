"""The data files shipped in `knowledge/data/`: where they are, and how one is read.

A run does not parse them: each has a copy in `cflint.knowledge.tables`, a Python module
holding the file as it parses, written by scripts/generate_tables.py (a test holds each
copy equal to its file). Importing that copy costs a fraction of parsing the TOML, and
`tomllib` is then imported only for a config file.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
TABLES_PACKAGE = "cflint.knowledge.tables"
IMPORT_NAMES_FILE = "import_names.tsv"


def shipped_copy(path: Path) -> Any:
    """The pre-parsed copy of the shipped data file `path` (its module's TABLE), or None for any other file."""
    if Path(os.path.abspath(path)).parent != DATA_DIR:
        return None
    return importlib.import_module(f"{TABLES_PACKAGE}.{path.stem}").TABLE


def read_data_file(path: Path) -> dict[str, Any]:
    """The tables of one TOML data file: a shipped file's copy, else the file parsed.
    The result of a shipped file is shared by every caller: read it, never change it."""
    copy = shipped_copy(path)
    return copy if copy is not None else parse_data_file(path)


def parse_data_file(path: Path) -> dict[str, Any]:
    """The tables of one TOML data file, parsed."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    with path.open("rb") as stream:
        return tomllib.load(stream)


def parse_import_names(text: str) -> Mapping[str, tuple[str, ...]]:
    """The `distribution<TAB>module ...` lines of an import-name dataset, by distribution name as written."""
    names: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            distribution, _, modules = line.partition("\t")
            names[distribution] = tuple(modules.split())
    return names


def made_on_first_read(
    namespace: dict[str, Any], names: frozenset[str], make: Callable[[], Mapping[str, object]]
) -> Callable[[str], object]:
    """A module's `__getattr__` (PEP 562) that makes the tables `names` when one is first
    read, and keeps them in the module: a table most runs never look up is not made at import.
    The module declares each name's type by a bare annotation."""

    def __getattr__(name: str) -> object:
        if name not in names:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        namespace.update(make())
        return namespace[name]

    return __getattr__
