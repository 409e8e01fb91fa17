"""Record the standard-library modules the runtime has imported before a function runs
(CF309, CF305's fix) into `cflint/knowledge/data/runtime_modules.toml`.

For each target Python given (default: python3.11, python3.12 and python3.13 on PATH), a
fresh virtual environment gets Flask from pip, and a fresh interpreter imports Flask and
Werkzeug and makes an app, as the runtime does before it imports `user`. The names in
`sys.modules` that are standard-library modules are recorded, with the Python and Flask
versions they came from:

    python3 scripts/record_runtime_modules.py [PYTHON...]

`probe()` is what runs in the fresh interpreter (the tests run it too).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parents[1] / "cflint" / "knowledge" / "data" / "runtime_modules.toml"
DEFAULT_PYTHONS = ("python3.11", "python3.12", "python3.13")

PROBE = """\
import sys
startup = set(sys.modules)
import flask, werkzeug
from flask import request
flask.Flask("user")
import json
from importlib.metadata import version
standard = sys.stdlib_module_names
def tops(names):
    return {name.split(".")[0] for name in names} & standard
print(json.dumps({
    "python": ".".join(map(str, sys.version_info[:3])),
    "flask": version("flask"),
    "werkzeug": version("werkzeug"),
    "startup": sorted(tops(startup)),
    "flask-imports": sorted(tops(sys.modules) - tops(startup)),
}))
"""


def installed_python(name: str) -> str | None:
    """A working interpreter called `name` (python3.12): on PATH, or installed by pyenv (whose
    shim of a version that is not selected does not run)."""
    version = name.removeprefix("python")
    candidates = [shutil.which(name), *map(str, sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/{name}")))]
    for candidate in candidates:
        if candidate is not None and subprocess.run([candidate, "-c", ""], capture_output=True).returncode == 0:
            return candidate
    return None


def probe(python: str) -> dict[str, Any]:
    """What a fresh interpreter `python` (which can import Flask) has imported by then."""
    done = subprocess.run([python, "-I", "-c", PROBE], capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _probe_in_fresh_venv(python: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cflint-runtime-") as folder:
        subprocess.run([python, "-m", "venv", folder], check=True)
        bin_dir = Path(folder) / ("Scripts" if sys.platform == "win32" else "bin")
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "flask"], check=True)
        return probe(str(bin_dir / "python"))


def _toml_list(names: object) -> str:
    assert isinstance(names, list)
    lines = [f'    "{name}",' for name in names]
    return "[\n" + "\n".join(lines) + "\n]"


def render(records: list[dict[str, Any]]) -> str:
    parts = [
        "# The standard-library modules in sys.modules when the runtime imports a function, by Python",
        "# version: those Python imports at start-up, and those importing Flask and Werkzeug and making",
        "# an app adds (CF309; CF305's fix). A module of the function folder with one of these names is",
        "# never imported. Written by scripts/record_runtime_modules.py; do not edit by hand.",
    ]
    for record in records:
        python = str(record["python"])
        minor = ".".join(python.split(".")[:2])
        parts += [
            "",
            f'["{minor}"]',
            f'python = "{python}"',
            f'flask = "{record["flask"]}"',
            f'werkzeug = "{record["werkzeug"]}"',
            f"startup = {_toml_list(record['startup'])}",
            f"flask-imports = {_toml_list(record['flask-imports'])}",
        ]
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pythons", nargs="*", default=list(DEFAULT_PYTHONS), help="target Python interpreters")
    arguments = parser.parse_args(argv)
    records = []
    for python in arguments.pythons:
        found = installed_python(python) if "/" not in python else python
        if found is None:
            print(f"record_runtime_modules: {python} not found", file=sys.stderr)
            return 2
        records.append(_probe_in_fresh_venv(found))
    DATA_FILE.write_text(render(records), encoding="utf-8")
    print(f"wrote {DATA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
