"""Distributions that install an unsupported one (`unsupported_dependents.toml`, written by
scripts/record_unsupported_dependents.py from each release's wheel metadata): `yake`
installs numpy, `fastai` installs torch."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

from cflint.knowledge.data_files import DATA_DIR, read_data_file
from cflint.knowledge.distributions import canonical_name
from cflint.record import Record

# The clauses whose version is a release pip may install or exceed (not `<`, `<=`, `!=`, `>`).
_FLOOR_OPERATORS = frozenset({"==", "===", "~=", ">="})


class Dependent(Record, frozen=True):
    """A distribution, the newest release checked, and each unsupported distribution it
    declares unconditionally with the oldest release that does."""

    name: str
    checked: str
    brings: Mapping[str, str]

    def installs(self, specifier: str) -> tuple[str, ...]:
        """The unsupported distributions a requirement with this version specifier installs
        through this one: those whose first declaring release is at or below a release the
        specifier is known to let pip install (the newest checked, or a version it names as
        a floor or a pin). Releases declare a dependency from some release on, so pip's
        choice, the newest release allowed, declares it too."""
        if not specifier:
            return tuple(self.brings)
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
        from packaging.version import InvalidVersion, Version

        try:
            admits = SpecifierSet(specifier)
        except InvalidSpecifier:
            return ()
        floors: list[Version] = []
        for text in (self.checked, *(clause.version for clause in admits if clause.operator in _FLOOR_OPERATORS)):
            try:
                version = Version(text)
            except InvalidVersion:
                continue  # a wildcard (`==2.*`)
            if admits.contains(version, prereleases=True):
                floors.append(version)
        if not floors:
            return ()
        return tuple(name for name, since in self.brings.items() if Version(since) <= max(floors))


@cache
def unsupported_dependents(path: Path = DATA_DIR / "unsupported_dependents.toml") -> Mapping[str, Dependent]:
    return MappingProxyType(
        {
            canonical_name(name): Dependent(
                canonical_name(name),
                str(entry["checked"]),
                MappingProxyType({canonical_name(dep): str(since) for dep, since in entry["brings"].items()}),
            )
            for name, entry in read_data_file(path).items()
        }
    )
