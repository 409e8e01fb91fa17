"""The package catalogue shipped in `cflint/data/packages.toml`, and one project's view of it.

Distribution names are compared in their PEP 503 form (`NumPy`, `scikit_learn` →
`numpy`, `scikit-learn`); module names are dotted and matched by whole components.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cflint.settings.config import Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DATA_DIR = Path(__file__).resolve().parent / "data"
_SEPARATORS = re.compile(r"[-_.]+")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
# Affixes a distribution name often has and its module name lacks (python-jose → jose).
_NAME_PREFIXES = ("python-", "py-", "py")
_NAME_SUFFIXES = ("-python", "-py", "-binary")


def canonical_name(name: str) -> str:
    """A distribution name as PEP 503 normalises it."""
    return _SEPARATORS.sub("-", name).lower()


def _squashed(name: str) -> str:
    return _NOT_ALPHANUMERIC.sub("", name.lower())


def module_prefixes(module: str) -> Iterator[str]:
    """`a.b.c`, `a.b`, `a`: the module and the packages it is in, longest first."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        yield ".".join(parts[:end])


def conventional_module_names(distribution: str) -> frozenset[str]:
    """Squashed module names a distribution of this name provides by convention."""
    names = {distribution}
    for prefix in _NAME_PREFIXES:
        if distribution.startswith(prefix) and len(distribution) > len(prefix):
            names.add(distribution[len(prefix) :])
    for suffix in _NAME_SUFFIXES:
        if distribution.endswith(suffix):
            names.add(distribution[: -len(suffix)])
    return frozenset(_squashed(name) for name in names)


@dataclass(frozen=True)
class Distribution:
    """A catalogue entry: a distribution, the modules it provides, why it is listed."""

    name: str
    imports: tuple[str, ...]
    reason: str


def _string_tuple(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"expected a list of strings, got {value!r}")
    return tuple(value)


def _entries(table: Mapping[str, Any]) -> Mapping[str, Distribution]:
    return MappingProxyType(
        {
            canonical_name(name): Distribution(
                canonical_name(name), _string_tuple(entry["imports"]), str(entry["reason"])
            )
            for name, entry in table.items()
        }
    )


@dataclass(frozen=True, eq=False)
class Catalogue:
    """The shipped data: unsupported and native distributions, module names, dependencies."""

    unsupported: Mapping[str, Distribution]
    native: Mapping[str, Distribution]
    provides: Mapping[str, tuple[str, ...]]
    dependencies: Mapping[str, tuple[str, ...]]
    runtime: tuple[str, ...]
    traps: Mapping[str, str]

    @classmethod
    def load(cls, path: Path = DATA_DIR / "packages.toml") -> Catalogue:
        with path.open("rb") as stream:
            data = tomllib.load(stream)
        return cls(
            unsupported=_entries(data["unsupported"]),
            native=_entries(data["native"]),
            provides=MappingProxyType(
                {canonical_name(name): _string_tuple(imports) for name, imports in data["provides"].items()}
            ),
            dependencies=MappingProxyType(
                {
                    canonical_name(name): tuple(canonical_name(dep) for dep in _string_tuple(deps))
                    for name, deps in data["dependencies"].items()
                }
            ),
            runtime=tuple(canonical_name(name) for name in _string_tuple(data["runtime"]["provides"])),
            traps=MappingProxyType({canonical_name(name): str(instead) for name, instead in data["traps"].items()}),
        )

    def module_names(self, distribution: str) -> tuple[str, ...]:
        """The modules a distribution is known to provide (none when unknown)."""
        known = self.provides.get(distribution, ())
        for table in (self.unsupported, self.native):
            entry = table.get(distribution)
            if entry is not None:
                known = (*known, *entry.imports)
        return known

    def describe(self, distribution: str, reason: str) -> Distribution:
        """An entry for a distribution a configuration names, with its known or conventional modules."""
        if distribution in self.unsupported:
            return self.unsupported[distribution]
        imports = self.module_names(distribution) or (distribution.replace("-", "_"),)
        return Distribution(distribution, imports, reason)

    def certain_distribution(self, module: str) -> str | None:
        """The one distribution the catalogue knows provides `module`: the only one listing it
        (or its package) among what it provides, or one it knows by the module's own name.
        None when unsure, or when the distribution cannot be installed."""
        for prefix in module_prefixes(module):
            listing = {name for name, imports in self.provides.items() if prefix in imports}
            if len(listing) == 1:
                (name,) = listing
                return None if name in self.unsupported or name in self.native else name
            if listing:
                return None
        top = canonical_name(module.split(".")[0])
        known = {*self.provides, *self.dependencies, *(dep for deps in self.dependencies.values() for dep in deps)}
        if top in known and not self.module_names(top) and top not in self.unsupported and top not in self.native:
            return top
        return None

    def with_dependencies(self, distributions: Iterable[str]) -> frozenset[str]:
        """The distributions and, as far as the catalogue knows, everything they install."""
        found: set[str] = set()
        pending = list(distributions)
        while pending:
            name = pending.pop()
            if name not in found:
                found.add(name)
                pending.extend(self.dependencies.get(name, ()))
        return frozenset(found)


CATALOGUE = Catalogue.load()


def _import_index(entries: Iterable[Distribution]) -> Mapping[str, Distribution]:
    index: dict[str, Distribution] = {}
    for entry in entries:
        for module in entry.imports:
            index.setdefault(module, entry)
    return MappingProxyType(index)


@dataclass(frozen=True, eq=False)
class PackagePolicy:
    """The catalogue as one configuration changes it (`unsupported-packages`,
    `extend-unsupported-packages`, `allow-packages`)."""

    unsupported: Mapping[str, Distribution]
    native: Mapping[str, Distribution]
    allowed_modules: frozenset[str]
    unsupported_by_module: Mapping[str, Distribution]

    @classmethod
    def for_settings(cls, settings: Settings, catalogue: Catalogue = CATALOGUE) -> PackagePolicy:
        allowed = {canonical_name(name) for name in settings.allow_packages}
        if settings.unsupported_packages is None:
            listed = dict(catalogue.unsupported)
        else:
            listed = {
                canonical_name(name): catalogue.describe(canonical_name(name), "listed in unsupported-packages")
                for name in settings.unsupported_packages
            }
        for name in settings.extend_unsupported_packages:
            canonical = canonical_name(name)
            listed.setdefault(canonical, catalogue.describe(canonical, "listed in extend-unsupported-packages"))
        unsupported = {name: entry for name, entry in listed.items() if name not in allowed}
        native = {
            name: entry for name, entry in catalogue.native.items() if name not in allowed and name not in unsupported
        }
        allowed_modules = frozenset(module for name in allowed for module in catalogue.describe(name, "").imports)
        return cls(
            MappingProxyType(unsupported),
            MappingProxyType(native),
            allowed_modules,
            _import_index(unsupported.values()),
        )

    def unsupported_module(self, module: str) -> Distribution | None:
        """The unsupported distribution an absolute module name comes from, if any."""
        for prefix in module_prefixes(module):
            if prefix in self.allowed_modules:
                return None
            if prefix in self.unsupported_by_module:
                return self.unsupported_by_module[prefix]
        return None


@dataclass(frozen=True)
class ModuleProvider:
    """Which modules a set of installed distributions provides, by the catalogue or by
    the naming convention (a module named like its distribution, give or take `python-`)."""

    known_modules: frozenset[str]
    conventional: frozenset[str]

    @classmethod
    def of(cls, distributions: Iterable[str], catalogue: Catalogue = CATALOGUE) -> ModuleProvider:
        installed = catalogue.with_dependencies(distributions)
        known = frozenset(module for name in installed for module in catalogue.module_names(name))
        conventional = frozenset(squashed for name in installed for squashed in conventional_module_names(name))
        return cls(known, conventional)

    def provides(self, module: str) -> bool:
        return any(
            prefix in self.known_modules or _squashed(prefix) in self.conventional for prefix in module_prefixes(module)
        )
