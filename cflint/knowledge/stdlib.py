"""Standard-library module names across the runtime's Python versions (data in `knowledge/data/stdlib.toml`)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cflint.knowledge.data_files import DATA_DIR, made_on_first_read, read_data_file
from cflint.knowledge.distributions import module_prefixes
from cflint.record import Record


def _version(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major), int(minor)


class RemovedName(Record, frozen=True):
    """A name a standard-library module no longer has (an entry of `stdlib.toml`'s `removed-names`)."""

    name: str  # qualified: collections.MutableMapping
    removed_in: tuple[int, int]
    instead: str
    source: str  # the "What's New" section that lists the removal


def _removed_names(groups: list[dict[str, Any]]) -> Mapping[str, RemovedName]:
    removed = {}
    for group in groups:
        for name in group["names"]:
            qualified = f"{group['module']}.{name}"
            removed[qualified] = RemovedName(
                qualified, _version(group["removed-in"]), group["instead"].format(name=name), group["source"]
            )
    return MappingProxyType(removed)


def _load(path: Path) -> tuple[Mapping[str, tuple[int, int]], frozenset[str]]:
    data = read_data_file(path)
    removed = {module: _version(version) for version, modules in data["removed"].items() for module in modules}
    added = {module for modules in data["added"].values() for module in modules}
    standard = frozenset(sys.stdlib_module_names) | added | {module.split(".")[0] for module in removed} | {"__main__"}
    return MappingProxyType(removed), standard


STDLIB_FILE = DATA_DIR / "stdlib.toml"
REMOVED, STANDARD_MODULES = _load(STDLIB_FILE)
# The removed names, qualified, read from the data without making its entries: those are made
# when the module's `REMOVED_NAMES` is first read.
REMOVED_NAME_KEYS = frozenset(
    f"{group['module']}.{name}" for group in read_data_file(STDLIB_FILE)["removed-names"] for name in group["names"]
)
REMOVED_NAMES: Mapping[str, RemovedName]  # by qualified name
__getattr__ = made_on_first_read(
    globals(),
    frozenset({"REMOVED_NAMES"}),
    lambda: {"REMOVED_NAMES": _removed_names(read_data_file(STDLIB_FILE)["removed-names"])},
)


def is_standard(module: str) -> bool:
    """Whether an absolute module name is in the standard library of some Python 3.10-3.14."""
    return module.split(".")[0] in STANDARD_MODULES


def removed_in(module: str) -> tuple[str, tuple[int, int]] | None:
    """The removed standard-library module `module` is or is in, and the version that removed it."""
    for prefix in module_prefixes(module):
        if prefix in REMOVED:
            return prefix, REMOVED[prefix]
    return None


@cache  # read on first use: most runs never ask
def _runtime_imports(path: Path = DATA_DIR / "runtime_modules.toml") -> Mapping[tuple[int, int], Mapping[str, str]]:
    """By Python version, each standard-library module in `sys.modules` when the runtime
    imports the function, with what imported it: Python at start-up, or Flask."""
    by_version: dict[tuple[int, int], Mapping[str, str]] = {}
    for version, record in read_data_file(path).items():
        importers = {module: "Flask" for module in record["flask-imports"]}
        importers.update({module: "Python" for module in record["startup"]})
        by_version[_version(version)] = MappingProxyType(importers)
    return MappingProxyType(by_version)


def imported_by_runtime(module: str, versions: Iterable[tuple[int, int]]) -> str | None:
    """What has imported the standard-library module `module` (a top-level name) before the
    function is imported, on one of the target `versions`: "Python" or "Flask"; None when no
    recorded version has it imported (a version without a record counts for nothing)."""
    if module not in STANDARD_MODULES:
        return None
    recorded = _runtime_imports()
    return next(
        (recorded[version][module] for version in sorted(versions) if module in recorded.get(version, {})), None
    )
