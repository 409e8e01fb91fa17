"""`--resolve` against the real package index, on the pins that issue's corpora hold. Slow,
and skipped (with the reason printed) when PyPI cannot be reached."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from cflint.knowledge.requirements import read_requirements
from cflint.resolve.resolution import resolve_requirements
from cflint.resolve.store import ResolutionStore
from tests.helpers import run_subprocess, write_files
from tests.test_resolve import MAIN, PIP_ISOLATED

pytestmark = pytest.mark.slow

CASES = {
    "yake": (
        "yake==0.4.8",
        "CF302",
        "error",
        "yake==0.4.8 installs numpy (yake -> numpy), which the runtime cannot install",
    ),
    "psycopg": (  # native: the runtime cannot build it, so an error
        "psycopg2-binary==2.9.2",
        "CF307",
        "error",
        "cannot be installed on Python 3.11, 3.12, 3.13: no wheel matches psycopg2-binary==2.9.2, only a source "
        "distribution, and psycopg2-binary needs native code",
    ),
    "aiohttp": ("aiohttp==3.8.3", "CF307", "warning", "aiohttp==3.8.3 needs a build from source on Python 3.12, 3.13:"),
    "pytorch": (
        "pytorch",
        "CF307",
        "error",
        "pytorch cannot be installed on Python 3.11, 3.12, 3.13: no wheel matches pytorch, only a source distribution",
    ),
}


def _pypi_reachable() -> str | None:
    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
    except OSError as exc:
        return f"pypi.org cannot be reached: {exc}"
    return None


@pytest.fixture(scope="module", autouse=True)
def _needs_pypi() -> None:
    reason = _pypi_reachable()
    if reason is not None:
        print(reason)
        pytest.skip(reason)


def test_the_issues_pins_get_their_findings(tmp_path: Path) -> None:
    for folder, (requirement, *_) in CASES.items():
        write_files(tmp_path / folder, {"requirements.txt": f"{requirement}\n", "user.py": MAIN})
    env = {**PIP_ISOLATED, "CFLINT_CACHE_DIR": str(tmp_path / "cache")}
    result = run_subprocess("--resolve", "--output-format", "json", ".", cwd=tmp_path, env=env)
    findings = json.loads(result.out)
    for folder, (_, code, severity, message) in CASES.items():
        found = [
            (f["code"], f["severity"], f["message"]) for f in findings if f["path"] == f"{folder}/requirements.txt"
        ]
        assert any(c == code and s == severity and message in m for c, s, m in found), (folder, found)


def test_an_old_flask_pin_resolves_beside_werkzeug_3(tmp_path: Path) -> None:
    write_files(tmp_path, {"requirements.txt": "Flask==2.0.2\n"})
    requirements = read_requirements(tmp_path / "requirements.txt", tmp_path)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PIP_ISOLATED.items():
            patch.setenv(name, value)
        resolution = resolve_requirements(
            lambda: requirements, "flask-2.0.2", tmp_path, [(3, 12)], ResolutionStore(tmp_path / "c")
        )
    (version,) = resolution.versions
    resolved = version.by_name()
    assert resolved["flask"].version == "2.0.2"
    assert resolved["werkzeug"].version.startswith("3.")
