"""A function root's resolution: from the cache, else from pip, for each target version.
A warm run reads the cache only: pip's runner and the wheel reader are imported for a miss."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec.structs import replace

from cflint.resolve.model import PLATFORM, Failure, RootResolution, Version, VersionResolution
from cflint.resolve.store import ResolutionStore, default_folder, index_settings, resolution_key

if TYPE_CHECKING:
    from cflint.knowledge.requirements import RequirementLine, Requirements

_WHEEL_READERS = 8
_RETRIES = 3
_INCLUDE = re.compile(r"^\s*(-r|-c|--requirement|--constraint)\b", re.MULTILINE)
_INDEX_OPTIONS = {"--pypi-url": "--index-url", "--extra-index-url": "--extra-index-url", "--find-links": "--find-links"}


def resolve_requirements(
    requirements: Callable[[], Requirements],
    digest: str,
    folder: Path,
    versions: Sequence[Version],
    store: ResolutionStore | None = None,
    *,
    run_pip: bool = True,
) -> RootResolution:
    """What pip installs from a function folder's requirements (`requirements()` reads them;
    `digest` is their files' digest) for each of `versions`; nothing without a
    requirements.txt. A warm run reads only the cache; with `run_pip` False, so does a cold
    one, leaving out the versions the cache has no answer for. Raises UsageError when pip is
    needed and cannot be found."""
    if not (folder / "requirements.txt").is_file():
        return RootResolution()
    store = store or ResolutionStore(default_folder())
    index = index_settings()
    keys = {version: resolution_key(digest, version, PLATFORM, index) for version in versions}
    found = {version: store.get(key) for version, key in keys.items()}
    missing = [version for version, resolution in found.items() if resolution is None]
    if missing and run_pip:
        read = requirements()
        if builds_from_source(read):
            return RootResolution()
        made = _resolve_all(read, folder, missing)
        for version, resolution in made.items():
            found[version] = resolution
            if not any(failure.kind == "unreachable" for failure in resolution.failures):
                store.put(keys[version], resolution)
    return RootResolution(tuple(resolution for resolution in found.values() if resolution is not None))


def builds_from_source(requirements: Requirements) -> bool:
    """Whether pip would build something the requirements point at rather than take a wheel
    from an index: a local path, a VCS link, an editable install, a URL (its build would run
    code of the user's or of the link's). Such requirements are not resolved (CF304 reports
    them), nor are those cflint cannot read whole."""
    return (
        bool(requirements.problems)
        or not requirements.complete
        or any("://" in line.text or "@" in line.text for line in requirements.lines)
    )


def _resolve_all(
    requirements: Requirements, folder: Path, versions: Sequence[Version]
) -> dict[Version, VersionResolution]:
    """pip's answers for `versions`, one pip process per version side by side (each mostly
    waits on the index), then the modules of the wheels no other source knows, each read once."""
    from concurrent.futures import ThreadPoolExecutor

    from cflint.resolve.pip import pip_command

    pip = pip_command()
    with ThreadPoolExecutor(len(versions)) as pool:
        answers = list(pool.map(lambda version: _resolve(pip, requirements, folder, version), versions))
    urls = {
        url
        for resolution, version_urls in answers
        for distribution in resolution.distributions
        if _unknown_modules(distribution.name) and (url := version_urls.get(distribution.name, "")).endswith(".whl")
    }
    modules = _read_wheels(sorted(urls))
    return {
        resolution.version: replace(
            resolution,
            distributions=tuple(
                replace(distribution, modules=modules.get(version_urls.get(distribution.name, "")))
                if _unknown_modules(distribution.name)
                else distribution
                for distribution in resolution.distributions
            ),
        )
        for resolution, version_urls in answers
    }


def _unknown_modules(name: str) -> bool:
    from cflint.knowledge.distributions import CATALOGUE

    return not CATALOGUE.module_names(name) and name not in CATALOGUE.runtime


def _read_wheels(urls: Sequence[str]) -> Mapping[str, tuple[str, ...] | None]:
    if not urls:
        return {}
    from concurrent.futures import ThreadPoolExecutor

    from cflint.resolve.wheels import modules_of_wheel

    with ThreadPoolExecutor(min(len(urls), _WHEEL_READERS)) as pool:
        return dict(zip(urls, pool.map(modules_of_wheel, urls), strict=True))


def index_options(requirements: Requirements, folder: Path) -> list[str]:
    """The requirement files' index options, as pip's command line writes them."""
    options: list[str] = []
    for option in requirements.options:
        if option.option == "--no-index":
            options.append("--no-index")
        elif option.option in _INDEX_OPTIONS:
            options.extend((_INDEX_OPTIONS[option.option], _absolute_link(option.value, folder)))
    return options


def _absolute_link(value: str, folder: Path) -> str:
    if "://" in value or Path(value).is_absolute():
        return value
    return str(folder / value)


def _resolve(
    pip: Sequence[str], requirements: Requirements, folder: Path, version: Version
) -> tuple[VersionResolution, dict[str, str]]:
    """pip's answer for `version`; when pip fails on lines of the top-level requirements file,
    its answer for the other lines too (asking again without the failing ones, a few times)."""
    import tempfile

    failures: list[Failure] = []
    left_out: list[RequirementLine] = []
    with tempfile.TemporaryDirectory(prefix="cflint-retry-") as work:
        path = requirements.path
        for attempt in range(_RETRIES + 1):
            resolution, urls = _resolve_once(pip, requirements, path, folder, version)
            failure = resolution.failure
            if failure is None:
                names = tuple(dict.fromkeys(line.name for line in left_out if line.name is not None))
                partial = replace(resolution, failures=tuple(failures), left_out=names, partial=bool(failures))
                return partial, urls
            failure = _in_original(failure, path, requirements.path)
            failures.append(failure)
            failing = _failing_lines(requirements, failure) if attempt < _RETRIES else []
            if not failing:
                break
            left_out.extend(failing)
            path = Path(work) / f"requirements-{attempt}.txt"
            # With a byte order mark, as pip reads a file without one in the locale's encoding.
            path.write_text(_blanked(requirements.path, {line.line for line in left_out}), encoding="utf-8-sig")
    return VersionResolution(version, failures=tuple(failures)), {}


def _in_original(failure: Failure, path: Path, original: Path) -> Failure:
    """A failure pip gives for a temporary copy of the requirements file, naming the original's
    lines (the copy keeps their numbers)."""
    if path == original:
        return failure
    lines = tuple((str(original) if file == str(path) else file, line) for file, line in failure.lines)
    return replace(failure, lines=lines)


def _failing_lines(requirements: Requirements, failure: Failure) -> list[RequirementLine]:
    """The top-level requirement lines a failure is about, when pip can be asked again without
    them: only when the top-level file includes no other file and names no relative path (a
    copy of it in a temporary folder then means the same)."""
    top = requirements.path
    if failure.kind == "unreachable" or not _self_contained(requirements):
        return []
    if failure.lines:
        found = [line for line in requirements.lines if (str(line.path), line.line) in set(failure.lines)]
    else:
        names = {failure.parent} if failure.parent is not None else set(failure.names)
        found = [line for line in requirements.lines if line.name in names]
    return found if all(line.path == top and not line.constraint for line in found) else []


def _self_contained(requirements: Requirements) -> bool:
    from cflint.knowledge.requirements_format import decode_requirements

    top = requirements.path
    return (
        all(line.path == top for line in requirements.lines)
        and all(
            option.path == top
            and (option.option not in _INDEX_OPTIONS or _absolute_link(option.value, top.parent) == option.value)
            for option in requirements.options
        )
        and _INCLUDE.search(decode_requirements(top.read_bytes())) is None
    )


def _blanked(path: Path, numbers: set[int]) -> str:
    """The requirements file with the logical lines starting at `numbers` (and their
    backslash continuations) made empty, so that the other lines keep their numbers."""
    from cflint.knowledge.requirements_format import decode_requirements

    kept: list[str] = []
    blanking = False
    for number, text in enumerate(decode_requirements(path.read_bytes()).splitlines(), start=1):
        blanking = number in numbers or blanking
        kept.append("" if blanking else text)
        if not text.rstrip().endswith("\\"):
            blanking = False
    return "\n".join(kept) + "\n"


def _resolve_once(
    pip: Sequence[str], requirements: Requirements, path: Path, folder: Path, version: Version
) -> tuple[VersionResolution, dict[str, str]]:
    from cflint.resolve.pip import has_source_distribution, resolve_with_pip

    resolution, urls = resolve_with_pip(pip, path, folder, version)
    failure = resolution.failure
    needs_build = (
        failure is not None
        and failure.kind == "unsatisfiable"
        and bool(failure.requirement)
        and has_source_distribution(pip, failure.requirement, version, folder, index_options(requirements, folder))
    )
    if failure is not None and needs_build:
        return replace(resolution, failures=(_source_only(failure),)), urls
    return resolution, urls


def _source_only(failure: Failure) -> Failure:
    return replace(
        failure,
        kind="source-only",
        reason=f"no wheel matches {failure.requirement}, only a source distribution, which pip would build on "
        "the runtime: it installs only if it is pure Python, as the runtime cannot compile native code",
    )
