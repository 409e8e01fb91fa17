"""The throwaway virtual environment that holds the peers and cflint's run-time dependencies."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PEERS = ("flake8", "fixit", "pylint", "ruff")
PIP_TAIL_LINES = 5


class SetupError(Exception):
    """The environment cannot be prepared; the message says why in one line."""


@dataclass(frozen=True)
class Venv:
    path: Path

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    def script(self, name: str) -> Path:
        return self.path / "bin" / name

    def has_script(self, name: str) -> bool:
        return self.script(name).is_file()


def create_venv(path: Path) -> Venv:
    """A venv of the running Python at `path`, reused when it already has an interpreter."""
    venv = Venv(path)
    if venv.python.is_file():
        return venv
    completed = subprocess.run([sys.executable, "-m", "venv", str(path)], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SetupError(f"cannot create a venv at {path}: {_tail(completed.stderr)}")
    return venv


def _tail(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-PIP_TAIL_LINES:]) or "no output"


def pip_install(venv: Venv, requirements: Sequence[str]) -> str | None:
    """Install `requirements` into the venv; the error text when pip fails, else None."""
    completed = subprocess.run(
        [str(venv.python), "-m", "pip", "install", "--quiet", *requirements],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        return _tail(completed.stderr or completed.stdout)
    return None


def cflint_requirements(repo: Path) -> list[str]:
    """cflint's run-time dependencies as its pyproject.toml declares them."""
    try:
        import tomllib
    except ModuleNotFoundError:
        raise SetupError("the benchmark needs Python 3.11 or newer (it reads pyproject.toml with tomllib)") from None
    with (repo / "pyproject.toml").open("rb") as stream:
        project = tomllib.load(stream)["project"]
    return [str(requirement) for requirement in project.get("dependencies", [])]


def installed_versions(venv: Venv, distributions: Sequence[str]) -> dict[str, str]:
    """Version of each distribution installed in the venv ("missing" when absent)."""
    script = (
        "import importlib.metadata as m, json, sys\n"
        "def version(name):\n"
        "    try:\n"
        "        return m.version(name)\n"
        "    except m.PackageNotFoundError:\n"
        "        return 'missing'\n"
        "print(json.dumps({name: version(name) for name in sys.argv[1:]}))\n"
    )
    completed = subprocess.run(
        [str(venv.python), "-c", script, *distributions], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        return dict.fromkeys(distributions, "unknown")
    versions: dict[str, str] = json.loads(completed.stdout)
    return versions
