"""Record which distributions install an unsupported one (CF302 without `--resolve`) into
`cflint/knowledge/data/unsupported_dependents.toml`.

For each reviewed candidate below, pip reads the `Requires-Dist` of its newest release
(the metadata of its wheel for CPython 3.12 on manylinux x86_64, without downloading it);
the package index's JSON API lists the releases. A dependency counts when it is in the catalogue's `[unsupported]`
table (numpy, pandas, scipy, torch...), is not an extra, and its environment marker is true
on Linux CPython for every target version (3.11, 3.12, 3.13). For each such dependency, a
binary search over the final releases finds the oldest from which every release checked
declares it (`since`), so that an old pin (`shapely==1.8.5`, before Shapely needed
numpy) is not reported. Candidates that bring nothing are listed in the file's header.

    python3 scripts/record_unsupported_dependents.py
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import urllib.request
from functools import cache
from typing import Any

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from cflint.knowledge.data_files import DATA_DIR, read_data_file

DATA_FILE = DATA_DIR / "unsupported_dependents.toml"
TARGETS = ("3.11", "3.12", "3.13")
# Reviewed by hand: distributions seen in function code that may pull in numerical packages.
CANDIDATES = (
    "yake",
    "fastai",
    "seaborn",
    "xarray",
    "shapely",
    "transformers",
    "sentence-transformers",
    "pyproj",
    "geopandas",
    "wordcloud",
    "bokeh",
    "folium",
    "librosa",
    "gensim",
    "imbalanced-learn",
    "prophet",
    "pmdarima",
    "db-dtypes",
    "pandas-gbq",
    "datasets",
    "accelerate",
    "timm",
    "pytorch-lightning",
    "torchmetrics",
    "umap-learn",
    "mlflow",
    "pyod",
    "imageio",
    "tifffile",
    "patsy",
    "numexpr",
    "fastparquet",
    "plotly",
    "altair",
    "networkx",
    "nltk",
    "textblob",
)


@cache
def _json(path: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"https://pypi.org/pypi/{path}/json", timeout=60) as response:
        result: dict[str, Any] = json.load(response)
        return result


def _finals(name: str) -> list[tuple[Version, str]]:
    """The final releases with at least one file not yanked, oldest first, each with the
    version as the index spells it (`0.4` is not `0.4.0` there)."""
    found = []
    for text, files in _json(name)["releases"].items():
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if not version.is_prerelease and not version.is_devrelease and any(not f["yanked"] for f in files):
            found.append((version, text))
    return sorted(found)


def _environment(target: str) -> dict[str, str]:
    return {
        "python_version": target,
        "python_full_version": f"{target}.0",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "platform_python_implementation": "CPython",
        "implementation_name": "cpython",
        "extra": "",
    }


def _always(marker: Marker | None) -> bool:
    return marker is None or all(marker.evaluate(_environment(target)) for target in TARGETS)


@cache
def _requires_dist(name: str, version: str | None) -> list[str] | None:
    """A release's `Requires-Dist` (the newest release when None), from the metadata of the
    wheel pip would pick for CPython 3.12 on manylinux x86_64 (pip reads only the metadata);
    None when it has no such wheel."""
    command = [
        *(sys.executable, "-m", "pip", "--isolated", "--disable-pip-version-check", "install", "--dry-run"),
        *("--no-deps", "--ignore-installed", "--only-binary=:all:", "--quiet", "--report", "-"),
        *("--python-version", "3.12", "--platform", "manylinux2014_x86_64", "--implementation", "cp"),
        name if version is None else f"{name}=={version}",
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return None
    (installed,) = json.loads(done.stdout)["install"]
    requires: list[str] = installed["metadata"].get("requires_dist", [])
    return requires


def declared(name: str, version: str | None, unsupported: frozenset[str]) -> set[str]:
    """The unsupported distributions a release declares unconditionally (the newest when None;
    none when it has no wheel to read)."""
    found = set()
    for line in _requires_dist(name, version) or ():
        requirement = Requirement(line)
        dependency = str(canonicalize_name(requirement.name))
        if dependency in unsupported and _always(requirement.marker):
            found.add(dependency)
    return found


def since(name: str, dependency: str, releases: list[tuple[Version, str]], unsupported: frozenset[str]) -> str:
    """The oldest release from which the releases checked declare `dependency` (the newest does)."""
    low, high = 0, len(releases) - 1  # releases[high] declares it
    while low < high:
        middle = (low + high) // 2
        if dependency in declared(name, releases[middle][1], unsupported):
            high = middle
        else:
            low = middle + 1
    return releases[high][1]


def main() -> int:
    catalogue = read_data_file(DATA_DIR / "packages.toml")
    unsupported = frozenset(str(canonicalize_name(name)) for name in catalogue["unsupported"])
    entries: list[str] = []
    nothing: list[str] = []
    for candidate in CANDIDATES:
        name = str(canonicalize_name(candidate))
        newest = Version(_json(name)["info"]["version"])
        brings = sorted(declared(name, None, unsupported))
        if not brings:
            nothing.append(f"{name} {newest}")
            continue
        releases = [(version, text) for version, text in _finals(name) if version <= newest]
        firsts = {dependency: since(name, dependency, releases, unsupported) for dependency in brings}
        shown = ", ".join(f'{dependency} = "{version}"' for dependency, version in firsts.items())
        entries += ["", f"[{name}]", f'checked = "{newest}"', f"brings = {{ {shown} }}"]
        print(f"{name} {newest}: {firsts}", file=sys.stderr)
    today = datetime.date.today().isoformat()
    header = [
        "# Distributions that install one the runtime cannot install (CF302): each with the newest",
        "# release checked and, for each unsupported distribution it declares unconditionally (no extra,",
        "# a marker true on Linux CPython 3.11-3.13), the oldest release from which it does (`brings`).",
        f"# Source: each release's wheel metadata as pip reads it (`pip install --dry-run --report`), {today}.",
        "# Written by scripts/record_unsupported_dependents.py; do not edit by hand.",
        "# Checked and bringing none: " + ", ".join(nothing) + ".",
    ]
    DATA_FILE.write_text("\n".join(header + entries) + "\n", encoding="utf-8")
    print(f"wrote {DATA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
