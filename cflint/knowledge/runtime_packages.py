"""What the runtime provides (`runtime_packages.toml`: Flask 3.1 and its dependencies) and
which Flask releases break its import when a requirement pins them (`runtime_conflicts.toml`,
written by scripts/record_runtime_conflicts.py from the real wheels)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

from cflint.knowledge.data_files import DATA_DIR, read_data_file
from cflint.record import Record

# Compiled on first use (by `re`'s cache): only a Flask requirement with a version needs it.
_SIMPLE_CLAUSE = r"(==|>=)([0-9]+(?:\.[0-9]+)*)"


class RuntimePackage(Record, frozen=True):
    """A distribution the runtime provides: its PEP 503 name, how it is spelled, its release
    series on the runtime, and how that is known."""

    name: str
    display: str
    version: str
    source: str


@cache
def read_runtime_packages(path: Path = DATA_DIR / "runtime_packages.toml") -> Mapping[str, RuntimePackage]:
    return MappingProxyType(
        {
            name: RuntimePackage(name, str(entry["name"]), str(entry["version"]), str(entry["source"]))
            for name, entry in read_data_file(path).items()
        }
    )


class BrokenRelease(Record, frozen=True):
    """A Flask release whose import fails beside the newest dependencies it allows."""

    version: str
    pythons: tuple[str, ...]  # the target versions it was seen to fail on, "3.11"
    error: str  # the exception `import flask` raised
    installed: Mapping[str, str]  # what pip installed beside it
    culprit: str | None  # the dependency whose module raised it
    fixed_by: str | None  # a requirement of the culprit that makes the import work (`werkzeug<3`)


class FlaskReleases(Record, frozen=True):
    """Flask's releases as checked, oldest first, and those whose import breaks."""

    checked: tuple[str, ...]
    broken: Mapping[str, BrokenRelease]


@cache
def flask_releases(path: Path = DATA_DIR / "runtime_conflicts.toml") -> FlaskReleases:
    data = read_data_file(path)
    broken = {
        version: BrokenRelease(
            version,
            tuple(entry.get("pythons", ())),
            str(entry.get("error", entry.get("install-error", ""))),
            MappingProxyType(dict(entry.get("installed", {}))),
            entry.get("culprit"),
            entry.get("fixed-by"),
        )
        for version, entry in data.get("broken", {}).items()
    }
    return FlaskReleases(tuple(data["checked"]), MappingProxyType(broken))


def pinned_release(specifier: str, releases: FlaskReleases) -> str | None:
    """The checked release pip installs for a Flask requirement with this version specifier:
    the newest one it admits. None when it admits the newest checked release (pip may pick an
    even newer one, and the newest works), admits none of them, or cannot be read."""
    if not specifier or not releases.checked:
        return None
    simple = re.fullmatch(_SIMPLE_CLAUSE, specifier)
    if simple is not None:
        return _simple_pick(simple.group(1), _release(simple.group(2)), releases.checked)
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        admits = SpecifierSet(specifier)
    except InvalidSpecifier:
        return None
    admitted = [version for version in releases.checked if admits.contains(version)]
    if not admitted or admitted[-1] == releases.checked[-1]:
        return None
    return admitted[-1]


def _release(version: str) -> tuple[int, ...]:
    """A release number without its trailing zeros, as PEP 440 compares them (`2.0` is `2.0.0`)."""
    parts = [int(part) for part in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _simple_pick(operator: str, bound: tuple[int, ...], checked: tuple[str, ...]) -> str | None:
    """`pinned_release` for one `==` or `>=` clause on a plain release number, without
    `packaging`, whose import a small run does not otherwise pay for (`flask==3.0.3`)."""
    if operator == ">=":
        return None  # admits the newest checked release, or none of them
    admitted = [version for version in checked if _release(version) == bound]
    if not admitted or admitted[-1] == checked[-1]:
        return None
    return admitted[-1]


def keeps_out(specifier: str, version: str) -> bool:
    """Whether a requirement with this version specifier keeps pip from installing `version`."""
    if not specifier:
        return False
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return not SpecifierSet(specifier).contains(version, prereleases=True)
    except InvalidSpecifier:
        return False
