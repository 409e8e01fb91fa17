"""A function root's resolution: from the cache, else from pip, for each target version."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from msgspec.structs import replace

from cflint.knowledge.distributions import CATALOGUE
from cflint.project import FunctionRoot
from cflint.resolve.model import Failure, ResolvedDistribution, RootResolution, Version, VersionResolution
from cflint.resolve.pip import PLATFORM, has_source_distribution, pip_command, resolve_with_pip
from cflint.resolve.store import ResolutionStore, default_folder, index_settings, resolution_key
from cflint.resolve.wheels import modules_of_wheel

_INDEX_OPTIONS = {"--pypi-url": "--index-url", "--extra-index-url": "--extra-index-url", "--find-links": "--find-links"}


def resolve_root(root: FunctionRoot, store: ResolutionStore | None = None) -> RootResolution:
    """What pip installs from the root's requirements for each target version (none without
    a requirements.txt). Raises UsageError when pip cannot be found and is needed."""
    if not root.requirements.found:
        return RootResolution()
    store = store or ResolutionStore(default_folder())
    index = index_settings()
    keys = {
        version: resolution_key(root.requirements_digest, version, PLATFORM, index)
        for version in root.settings.target_versions
    }
    found = {version: store.get(key) for version, key in keys.items()}
    missing = [version for version, resolution in found.items() if resolution is None]
    if missing:
        pip = pip_command()
        from concurrent.futures import ThreadPoolExecutor  # a warm run starts no thread

        # One pip process per version, side by side: each mostly waits on the index.
        with ThreadPoolExecutor(len(missing)) as pool:
            made = dict(zip(missing, pool.map(lambda version: _resolve(pip, root, version), missing), strict=True))
        for version, resolution in made.items():
            found[version] = resolution
            if resolution.failure is None or resolution.failure.kind != "unreachable":
                store.put(keys[version], resolution)
    return RootResolution(tuple(resolution for resolution in found.values() if resolution is not None))


def index_options(root: FunctionRoot) -> list[str]:
    """The root's requirement files' index options, as pip's command line writes them."""
    options: list[str] = []
    for option in root.requirements.options:
        if option.option == "--no-index":
            options.append("--no-index")
        elif option.option in _INDEX_OPTIONS:
            options.extend((_INDEX_OPTIONS[option.option], _absolute_link(option.value, root.path)))
    return options


def _absolute_link(value: str, folder: Path) -> str:
    if "://" in value or Path(value).is_absolute():
        return value
    return str(folder / value)


def _resolve(pip: Sequence[str], root: FunctionRoot, version: Version) -> VersionResolution:
    resolution, urls = resolve_with_pip(pip, root.requirements_path, root.path, version)
    failure = resolution.failure
    if failure is not None:
        needs_build = (
            failure.kind == "unsatisfiable"
            and bool(failure.requirement)
            and has_source_distribution(pip, failure.requirement, version, root.path, index_options(root))
        )
        return replace(resolution, failure=_source_only(failure)) if needs_build else resolution
    read = tuple(_with_modules(distribution, urls.get(distribution.name)) for distribution in resolution.distributions)
    return replace(resolution, distributions=read)


def _source_only(failure: Failure) -> Failure:
    return replace(
        failure,
        kind="source-only",
        reason=f"no wheel matches {failure.requirement}, only a source distribution, which pip would have to "
        "build, and the runtime cannot compile native code",
    )


def _with_modules(distribution: ResolvedDistribution, url: str | None) -> ResolvedDistribution:
    """The distribution with its modules read from its wheel, when no other source knows them."""
    if url is None or not distribution.wheel:
        return distribution
    if CATALOGUE.module_names(distribution.name) or distribution.name in CATALOGUE.runtime:
        return distribution
    return replace(distribution, modules=modules_of_wheel(url))
