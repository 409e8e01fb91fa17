"""Record which Flask releases break the runtime's Flask import (CF308) into
`cflint/knowledge/data/runtime_conflicts.toml`.

The runtime provides Flask 3.1 and its dependencies (`runtime_packages.toml`). A
requirements.txt line that pins an older Flask makes pip install that Flask, and beside it the
newest release of each dependency that this Flask allows. For every Flask release on the
package index (from 1.0 on), and for each target Python given (default python3.11,
python3.12 and python3.13), this script lets pip do exactly that into a scratch folder
(`pip install --target --only-binary=:all: flask==X`), then imports Flask there in a fresh
interpreter. A release whose import fails is recorded with the error, the dependency whose
module raised it, and, when it makes the import work again, the pin of that dependency
below its installed major version (`Werkzeug<3`), itself checked by a second install:

    python3 scripts/record_runtime_conflicts.py [PYTHON...]

Nothing is kept but the data file (the wheels stay in pip's own cache).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scripts.record_runtime_modules import DEFAULT_PYTHONS, installed_python

DATA_FILE = Path(__file__).resolve().parents[1] / "cflint" / "knowledge" / "data" / "runtime_conflicts.toml"
OLDEST = (1, 0)
PROVIDED_MODULES = {
    "flask": "flask",
    "werkzeug": "werkzeug",
    "jinja2": "jinja2",
    "markupsafe": "markupsafe",
    "itsdangerous": "itsdangerous",
    "click": "click",
    "blinker": "blinker",
}
PROBE = """\
import json, traceback
from importlib.metadata import PackageNotFoundError, version
def installed(name):
    try:
        return version(name)
    except PackageNotFoundError:
        return None
result = {}
try:
    import flask
except Exception as exc:
    frames = traceback.extract_tb(exc.__traceback__)
    result["error"] = f"{type(exc).__name__}: {exc}"
    result["raised-in"] = [frame.filename for frame in frames]
result["installed"] = {name: installed(name) for name in %r if installed(name)}
print(json.dumps(result))
"""


def _pip(python: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    # --isolated: the package index alone, without this machine's pip configuration.
    command = [python, "-m", "pip", "--isolated", "--disable-pip-version-check", *arguments]
    return subprocess.run(command, capture_output=True, text=True)


def flask_versions(python: str) -> list[str]:
    """Flask's final releases on the index, oldest first, from OLDEST on."""
    done = _pip(python, "index", "versions", "flask")
    listed = re.search(r"Available versions: (.*)", done.stdout)
    if listed is None:
        raise SystemExit(f"record_runtime_conflicts: cannot list Flask's releases: {done.stderr.strip()}")
    versions = [version.strip() for version in listed.group(1).split(",")]
    finals = [version for version in versions if re.fullmatch(r"[0-9]+(\.[0-9]+)*", version)]
    kept = [version for version in finals if tuple(map(int, version.split(".")[:2])) >= OLDEST]
    return sorted(kept, key=lambda version: tuple(map(int, version.split("."))))


def trial(python: str, requirements: Iterable[str]) -> dict[str, Any]:
    """Install `requirements` as pip resolves them into a scratch folder and import Flask from it."""
    with tempfile.TemporaryDirectory(prefix="cflint-conflict-") as folder:
        done = _pip(python, "install", "-q", "--only-binary=:all:", "--target", folder, *requirements)
        if done.returncode != 0:
            return {"install-error": done.stderr.strip().splitlines()[-1]}
        probe = f"import sys; sys.path.insert(0, {folder!r})\n" + PROBE % (list(PROVIDED_MODULES),)
        # -S: without the interpreter's own site-packages, only what pip installed is importable.
        run = subprocess.run([python, "-I", "-S", "-c", probe], capture_output=True, text=True)
        if run.returncode != 0:
            return {"install-error": run.stderr.strip().splitlines()[-1]}
        result: dict[str, Any] = json.loads(run.stdout)
        return result


def culprit(result: dict[str, Any]) -> str | None:
    """The provided distribution whose module raised the import error (the last frame in one)."""
    for filename in reversed(result.get("raised-in", [])):
        parts = Path(filename).parts
        for name, module in PROVIDED_MODULES.items():
            if name != "flask" and module in parts:
                return name
    error = str(result.get("error", ""))
    found = re.search(r"from '([a-z0-9_]+)", error)
    if found and found.group(1) in PROVIDED_MODULES.values():
        return next(name for name, module in PROVIDED_MODULES.items() if module == found.group(1))
    return None


def record_version(python: str, version: str) -> dict[str, Any] | None:
    """What installing `flask==version` does to the import on `python`; None when it works."""
    result = trial(python, [f"flask=={version}"])
    if "error" not in result and "install-error" not in result:
        return None
    if "install-error" in result:
        return {"install-error": result["install-error"]}
    record: dict[str, Any] = {"error": _short(str(result["error"])), "installed": result["installed"]}
    blamed = culprit(result)
    if blamed is not None:
        record["culprit"] = blamed
        major = int(result["installed"][blamed].split(".")[0])
        pin = f"{blamed}<{major}"
        fixed = trial(python, [f"flask=={version}", pin])
        if "error" not in fixed and "install-error" not in fixed:
            record["fixed-by"] = pin
    return record


def _short(error: str) -> str:
    """The error without the file path Python appends to it (`(/tmp/.../urls.py)`)."""
    return re.sub(r" \((/|[A-Za-z]:\\)[^)]*\)$", "", error)


def render(pythons: dict[str, str], versions: list[str], broken: dict[str, dict[str, dict[str, Any]]]) -> str:
    lines = [
        "# Flask releases whose import fails when a requirements.txt line pins them (CF308): pip",
        "# installs the pinned Flask and, beside it, the newest release of each dependency it allows.",
        "# Written by scripts/record_runtime_conflicts.py from the real wheels on the package index",
        "# (pip install --target --only-binary=:all: flask==X, then `import flask` in a fresh",
        "# interpreter), on " + ", ".join(f"CPython {full}" for full in pythons.values()) + ".",
        "# Checked by hand once, on CPython 3.11.7: in a fresh virtual environment `pip install flask==2.0.2`",
        "# installs Werkzeug 3.1.9 beside it and `import flask` raises the url_quote ImportError recorded",
        "# below; `pip install 'werkzeug<3'` then (Werkzeug 2.3.8) makes it import.",
        "# Do not edit by hand.",
        "",
        f"checked = {json.dumps(versions)}",
    ]
    for version, by_python in broken.items():
        lines += ["", f'[broken."{version}"]']
        first = next(iter(by_python.values()))
        lines.append(f"pythons = {json.dumps(sorted(by_python))}")
        for key in ("error", "culprit", "fixed-by", "install-error"):
            if key in first:
                lines.append(f"{key} = {json.dumps(first[key])}")
        if "installed" in first:
            installed = ", ".join(f"{name} = {json.dumps(value)}" for name, value in first["installed"].items())
            lines.append(f"installed = {{ {installed} }}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pythons", nargs="*", default=list(DEFAULT_PYTHONS), help="target Python interpreters")
    arguments = parser.parse_args(argv)
    pythons: dict[str, str] = {}
    for name in arguments.pythons:
        found = installed_python(name) if "/" not in name else name
        if found is None:
            print(f"record_runtime_conflicts: {name} not found", file=sys.stderr)
            return 2
        release = [found, "-c", "import platform; print(platform.python_version())"]
        pythons[found] = subprocess.run(release, capture_output=True, text=True).stdout.strip()
    versions = flask_versions(next(iter(pythons)))
    broken: dict[str, dict[str, dict[str, Any]]] = {}
    for version in versions:
        for python, full in pythons.items():
            record = record_version(python, version)
            print(f"flask=={version} on {full}: {'works' if record is None else record}", file=sys.stderr)
            if record is not None:
                broken.setdefault(version, {})[".".join(full.split(".")[:2])] = record
    DATA_FILE.write_text(render(pythons, versions, broken), encoding="utf-8")
    print(f"wrote {DATA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
