"""The Python environment cflint runs in, as a source of module names: a distribution that
is installed there (`pip install -r requirements.txt` into cflint's own virtual environment)
says exactly which modules it provides, by the files its RECORD lists, as deptry and
fawltydeps read it. Only consulted for a listed distribution, and only when the shipped data
does not already provide the imported module, so a run that needs it pays for it alone
(`importlib.metadata` is imported then)."""

from __future__ import annotations

import os

_NOT_MODULES = (".dist-info", ".egg-info", ".data")


def _module_of(parts: tuple[str, ...]) -> str | None:
    """The dotted module a file installs (`a/b/__init__.py` is `a.b`; `a/c.cpython-312-x86_64-linux-gnu.so`
    is `a.c`); None for a file that is not a module, or one outside the installation folder."""
    if not parts or parts[0] == ".." or parts[0].endswith(_NOT_MODULES):
        return None
    *folders, name = parts
    stem, dot, suffix = name.partition(".")
    if not dot or suffix.rsplit(".", 1)[-1] not in ("py", "so", "pyd"):
        return None
    dotted = folders if stem == "__init__" else [*folders, stem]
    if not dotted or not all(part.isidentifier() for part in dotted):
        return None
    return ".".join(dotted)


def installed_modules(distribution: str) -> frozenset[str]:
    """The dotted modules and packages that the distribution of this name, as installed in
    this environment, provides; empty when it is not installed or lists no files."""
    from importlib import metadata

    try:
        files = metadata.distribution(distribution).files
    except (metadata.PackageNotFoundError, ValueError, OSError):
        return frozenset()
    modules = (_module_of(tuple(file.parts)) for file in files or ())
    return frozenset(module for module in modules if module is not None)


def environment_fingerprint() -> str:
    """What changes when a distribution is installed into or removed from this environment:
    the modification time of each of its site-packages folders (pip adds or removes a
    `.dist-info` folder there). Findings that read the environment are cached under it; where
    cflint itself is installed from is not part of it, so two copies of one install share
    their results."""
    import site  # imported at start-up already, unless Python runs with -S

    folders = [*site.getsitepackages(), site.getusersitepackages()]
    stamps = []
    for folder in folders:
        try:
            stamps.append(f"{folder}:{os.stat(folder).st_mtime_ns}")
        except OSError:
            continue
    return "|".join(stamps)
