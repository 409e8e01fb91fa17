"""The package catalogue shipped in `knowledge/data/packages.toml`, and one project's view of it.

Distribution names are compared in their PEP 503 form (`NumPy`, `scikit_learn` →
`numpy`, `scikit-learn`); module names are dotted and matched by whole components.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cflint.knowledge.data_files import DATA_DIR, parse_import_names, read_data_file, shipped_copy
from cflint.knowledge.environment import installed_modules
from cflint.knowledge.runtime_packages import read_runtime_packages
from cflint.record import Record
from cflint.settings.config import Settings

# Compiled on first use (by `re`'s cache): most names are already in the form each gives.
_SEPARATORS = r"[-_.]+"
_NOT_ALPHANUMERIC = r"[^a-z0-9]+"
# Affixes a distribution name often has and its module name lacks (python-jose → jose).
_NAME_PREFIXES = ("python-", "py-", "py")
_NAME_SUFFIXES = ("-python", "-py", "-binary")
_API_VERSION = r"_v[0-9]+((alpha|beta|p)[0-9]*)*$"  # compiled on first use, by `re`'s cache
# Namespace packages that many distributions share (google-cloud-storage, protobuf and
# google-auth all install into `google`): only a module's full dotted name says which one.
NAMESPACE_PACKAGES = frozenset(
    {"google", "google.cloud", "azure", "azure.mgmt", "opentelemetry", "backports", "jaraco"}
)


def canonical_name(name: str) -> str:
    """A distribution name as PEP 503 normalises it."""
    if name.islower() and "_" not in name and "." not in name and "--" not in name:
        return name  # already normal, as the catalogue's names are: no expression run
    return re.sub(_SEPARATORS, "-", name).lower()


def _squashed(name: str) -> str:
    lowered = name.lower()
    return lowered if lowered.isascii() and lowered.isalnum() else re.sub(_NOT_ALPHANUMERIC, "", lowered)


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


class Distribution(Record, frozen=True):
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


def read_import_names(path: Path) -> Mapping[str, tuple[str, ...]]:
    """The `distribution<TAB>module ...` lines of an import-name dataset, by PEP 503 name
    (the shipped dataset is in that form already: its pre-parsed copy is used as it is)."""
    copy = shipped_copy(path)
    if copy is not None:
        return MappingProxyType(copy)
    names = parse_import_names(path.read_text(encoding="utf-8"))
    return MappingProxyType({canonical_name(name): modules for name, modules in names.items()})


class Catalogue(Record, frozen=True, eq=False, dict=True):
    """The shipped data: unsupported and native distributions, module names, dependencies."""

    unsupported: Mapping[str, Distribution]
    native: Mapping[str, Distribution]
    provides: Mapping[str, tuple[str, ...]]
    dependencies: Mapping[str, tuple[str, ...]]
    runtime: tuple[str, ...]
    traps: Mapping[str, str]
    import_names_path: Path | None = None

    @classmethod
    def load(
        cls,
        path: Path = DATA_DIR / "packages.toml",
        import_names: Path | None = None,
        runtime: Path = DATA_DIR / "runtime_packages.toml",
    ) -> Catalogue:
        data = read_data_file(path)
        return cls(
            unsupported=_entries(data["unsupported"]),
            native=_entries(data["native"]),
            provides=MappingProxyType(
                {canonical_name(name): _string_tuple(imports) for name, imports in data["provides"].items()}
            ),
            dependencies=MappingProxyType(
                {
                    (name if "*" in name else canonical_name(name)): tuple(
                        canonical_name(dep) for dep in _string_tuple(deps)
                    )
                    for name, deps in data["dependencies"].items()
                }
            ),
            runtime=tuple(read_runtime_packages(runtime)),
            traps=MappingProxyType({canonical_name(name): str(instead) for name, instead in data["traps"].items()}),
            import_names_path=import_names,
        )

    @cached_property
    def import_names(self) -> Mapping[str, tuple[str, ...]]:
        """The import-name dataset (read on first use: only CF303 needs it)."""
        if self.import_names_path is None:
            return MappingProxyType({})
        return read_import_names(self.import_names_path)

    def module_names(self, distribution: str) -> tuple[str, ...]:
        """The modules a distribution is known to provide (none when unknown); the
        catalogue's own `[provides]` entry wins over the dataset's."""
        known = self.provides.get(distribution)
        if known is None:
            known = self.import_names.get(distribution, ())
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

    def dependencies_of(self, distribution: str) -> tuple[str, ...]:
        """What the catalogue knows a distribution installs: its own entry, then any
        `name-*` pattern it matches (`google-cloud-*`)."""
        found = list(self.dependencies.get(distribution, ()))
        for pattern, deps in self.dependencies.items():
            if "*" in pattern and fnmatch.fnmatchcase(distribution, pattern):
                found.extend(dep for dep in deps if dep != distribution)
        return tuple(found)

    @cached_property
    def _providers(self) -> Mapping[str, frozenset[str]]:
        """Each module the catalogue or the dataset names, with the distributions providing it
        (by `module_names`: a `[provides]` entry replaces the dataset's line)."""
        providers: dict[str, set[str]] = {}
        for name in {*self.provides, *self.import_names}:
            for module in self.module_names(name):
                providers.setdefault(module, set()).add(name)
        return MappingProxyType({module: frozenset(names) for module, names in providers.items()})

    def certain_distribution(self, module: str) -> str | None:
        """The one distribution the catalogue knows provides `module`: the only one listing it
        (or its package) among what it provides, or one it knows by the module's own name.
        None when unsure, when only a shared namespace package (`google.cloud`) matches, or
        when the distribution cannot be installed."""
        for prefix in module_prefixes(module):
            if prefix in NAMESPACE_PACKAGES:
                return None
            listing = self._providers.get(prefix, frozenset())
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

    def installed_through(self, distributions: Iterable[str]) -> Mapping[str, str]:
        """Each distribution the listed ones install, with the listed one it comes
        through (a listed distribution comes through itself)."""
        through: dict[str, str] = {}
        for listed in distributions:
            through.setdefault(listed, listed)
        pending = list(through)
        while pending:
            name = pending.pop(0)
            for dep in self.dependencies_of(name):
                if dep not in through:
                    through[dep] = through[name]
                    pending.append(dep)
        return through


CATALOGUE = Catalogue.load(import_names=DATA_DIR / "import_names.tsv")


def _import_index(entries: Iterable[Distribution]) -> Mapping[str, Distribution]:
    index: dict[str, Distribution] = {}
    for entry in entries:
        for module in entry.imports:
            index.setdefault(module, entry)
    return MappingProxyType(index)


class PackagePolicy(Record, frozen=True, eq=False):
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


def _without_api_version(module: str) -> str | None:
    """`google.cloud.pubsub` for `google.cloud.pubsub_v1`: the API-version modules
    (`_v1`, `_v2beta1`) that distributions such as google-cloud-* provide beside the plain one."""
    if "_v" not in module:
        return None
    stripped = re.sub(_API_VERSION, "", module)
    return stripped if stripped != module else None


def _shares_a_stem(module: str, distribution: str) -> bool:
    """Whether an import name could plausibly come from a distribution of this name:
    one squashed name contains the other, or they begin alike."""
    top = _squashed(module.split(".")[0])
    for name in conventional_module_names(distribution):
        if len(top) >= 3 and len(name) >= 3 and (top in name or name in top):
            return True
        common = next((i for i, (a, b) in enumerate(zip(top, name, strict=False)) if a != b), min(len(top), len(name)))
        if common >= 4 and common >= min(len(top), len(name)) // 2:
            return True
    return False


class ModuleProvider(Record, frozen=True):
    """Which modules a set of listed distributions provides, by the catalogue, the
    `module-map` setting, or the naming convention (a module named like its distribution,
    give or take `python-`); and which come only through what those install."""

    known_modules: frozenset[str]
    conventional: frozenset[str]
    # modules (or squashed names) of distributions installed as dependencies → the listed one
    through_known: Mapping[str, str]
    through_conventional: Mapping[str, str]
    unknown: tuple[str, ...]  # listed distributions whose modules nothing records
    listed: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        distributions: Iterable[str],
        catalogue: Catalogue = CATALOGUE,
        module_map: Mapping[str, tuple[str, ...]] | None = None,
    ) -> ModuleProvider:
        module_map = module_map or {}
        listed = tuple(dict.fromkeys(distributions))

        def modules_of(name: str) -> tuple[str, ...]:
            return module_map[name] if name in module_map else catalogue.module_names(name)

        through = catalogue.installed_through(listed)
        known = frozenset(module for name in listed for module in modules_of(name))
        conventional = frozenset(squashed for name in listed for squashed in conventional_module_names(name))
        through_known: dict[str, str] = {}
        through_conventional: dict[str, str] = {}
        for name, source in through.items():
            if name == source:
                continue
            for module in modules_of(name):
                through_known.setdefault(module, source)
            for squashed in conventional_module_names(name):
                through_conventional.setdefault(squashed, source)
        unknown = tuple(name for name in listed if not modules_of(name))
        return cls(
            known,
            conventional,
            MappingProxyType(through_known),
            MappingProxyType(through_conventional),
            unknown,
            listed,
        )

    def provides(self, module: str) -> bool:
        """Whether a listed distribution itself provides the module."""
        return any(self._matches(prefix, self.known_modules, self.conventional) for prefix in _candidates(module))

    def installed_here(self, module: str) -> bool:
        """Whether a listed distribution, as installed in the environment cflint runs in,
        provides the module or a package it is in (a shared namespace package such as
        `google.cloud` alone does not count)."""
        wanted = [prefix for prefix in module_prefixes(module) if prefix not in NAMESPACE_PACKAGES]
        return bool(wanted) and any(not installed_modules(name).isdisjoint(wanted) for name in self.listed)

    def installed_through(self, module: str) -> str | None:
        """The listed distribution whose dependencies bring the module, if one does."""
        for prefix in _candidates(module):
            if prefix in self.through_known:
                return self.through_known[prefix]
            if _squashed(prefix) in self.through_conventional:
                return self.through_conventional[_squashed(prefix)]
        return None

    def plausible_source(self, module: str) -> str | None:
        """A listed distribution of unknown modules that the module could plausibly come from."""
        for name in self.unknown:
            if _shares_a_stem(module, name):
                return name
        return None

    @staticmethod
    def _matches(prefix: str, known: frozenset[str], conventional: frozenset[str]) -> bool:
        return prefix in known or _squashed(prefix) in conventional


def _candidates(module: str) -> Iterator[str]:
    """The module, the packages it is in, and each without an API-version suffix."""
    for prefix in module_prefixes(module):
        yield prefix
        plain = _without_api_version(prefix)
        if plain is not None:
            yield plain
