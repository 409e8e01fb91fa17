"""Library APIs that the runtime's versions of those libraries no longer have (data in
`data/removed_apis.toml`), and whether a requirements pin still installs a version with them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cflint.knowledge.data_files import DATA_DIR, made_on_first_read, read_data_file
from cflint.knowledge.distributions import canonical_name
from cflint.record import Record


class RemovedApi(Record, frozen=True):
    """An API that newer releases of a library no longer have (an entry of `removed_apis.toml`)."""

    name: str  # qualified, as imported: flask.escape
    distribution: str  # PEP 503 form
    removed_in: str
    instead: str
    call: bool = False  # only some calls are gone: those without `requires_keyword`
    requires_keyword: str | None = None
    positional: int | None = None  # ...and with fewer positional arguments than this
    moved_to: str | None = None  # the module that has the same name now


def _entry(raw: Mapping[str, Any]) -> RemovedApi:
    return RemovedApi(
        name=str(raw["name"]),
        distribution=canonical_name(str(raw["distribution"])),
        removed_in=str(raw["removed-in"]),
        instead=str(raw["instead"]),
        call=bool(raw.get("call", False)),
        requires_keyword=raw.get("requires-keyword"),
        positional=raw.get("positional"),
        moved_to=raw.get("moved-to"),
    )


REMOVED_APIS_FILE = DATA_DIR / "removed_apis.toml"


def load_removed_apis(path: Path = REMOVED_APIS_FILE) -> Mapping[str, RemovedApi]:
    data = read_data_file(path)
    return MappingProxyType({entry.name: entry for entry in map(_entry, data["api"])})


# The APIs' qualified names, read from the data without making its entries, which are made
# when the module's `REMOVED_APIS` is first read: most code names none of them.
API_NAMES = frozenset(str(raw["name"]) for raw in read_data_file(REMOVED_APIS_FILE)["api"])
REMOVED_APIS: Mapping[str, RemovedApi]  # by qualified name


__getattr__ = made_on_first_read(globals(), frozenset({"REMOVED_APIS"}), lambda: {"REMOVED_APIS": load_removed_apis()})


def pin_keeps_api(specifier: str, removed_in: str) -> bool:
    """Whether every version `specifier` allows is older than `removed_in` (so pip installs
    one that still has the API). An empty or open-ended specifier allows the newest."""
    if not specifier:
        return False
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        allowed = SpecifierSet(specifier)
        removed = Version(removed_in)
    except (InvalidSpecifier, InvalidVersion):
        return False
    probes = {removed, Version("9999")}
    for item in allowed:
        try:
            version = Version(item.version.rstrip(".*"))
        except InvalidVersion:
            return False
        if version >= removed:
            probes.add(version)
    return not any(allowed.contains(probe, prereleases=True) for probe in probes)
