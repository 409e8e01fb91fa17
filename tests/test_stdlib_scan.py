"""cflint over every .py file of the running Python's standard library (its tests
included) and, with CFLINT_SCAN_SITE_PACKAGES=1, of the test environment's site-packages: no
crash, no CF003. CI scans the standard library alone: with site-packages (about 4,200 files
more) the scan takes longer than CI's time budget allows.

Some of the standard library's test files are invalid on purpose (bad encodings, Python 2
syntax); CF001 and CF002 on them are findings, not failures. Each tree is linted by one
`cflint` process with its default --jobs (one worker per core) and no result cache; each
one's file count and wall time is printed to the terminal, so they show in CI logs whether
or not pytest captures output.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from cflint.engine.registry import load_registry
from cflint.run.discovery import discover
from cflint.settings.config import SettingsResolver
from tests.helpers import REPO

STDLIB = Path(sysconfig.get_paths()["stdlib"])
SITE_PACKAGES = sorted({Path(sysconfig.get_paths()[key]) for key in ("purelib", "platlib")})
# The interpreter's own site-packages folder lies inside the stdlib folder but is not the
# standard library; the test environment's site-packages are linted with nothing excluded.
SCAN_SITE_PACKAGES = os.environ.get("CFLINT_SCAN_SITE_PACKAGES") == "1"
TREES = {
    "standard library": (STDLIB, "site-packages"),
    **{f"site-packages ({path})": (path, "") for path in SITE_PACKAGES if path.is_dir() and SCAN_SITE_PACKAGES},
}


def _python_files(top: Path, exclude: str) -> int:
    """The .py files cflint must lint in `top`: counted without cflint, to catch a file
    that discovery drops silently."""
    count = 0
    for folder, dir_names, file_names in os.walk(top):
        dir_names[:] = [d for d in dir_names if d != exclude and not os.path.islink(os.path.join(folder, d))]
        for name in file_names:
            path = os.path.join(folder, name)
            if (name.endswith(".py") and not os.path.islink(path)) or (
                name.endswith(".py") and os.path.realpath(path).startswith(os.path.realpath(top) + os.sep)
            ):
                count += 1
    return count


@pytest.mark.slow
def test_standard_library_and_site_packages_lint_without_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "cflint.toml"
    config.write_text("", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("NO_COLOR", None)

    def lint(top: Path, exclude: str) -> tuple[subprocess.CompletedProcess[str], float]:
        started = time.perf_counter()
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "cflint",
                "--select",
                "ALL",
                "--no-cache",
                "--config",
                str(config),
                "--exclude",
                exclude,
                str(top),
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        return completed, time.perf_counter() - started

    results = {name: lint(top, exclude) for name, (top, exclude) in TREES.items()}
    codes = load_registry().codes
    linted = {
        name: len(discover([top], SettingsResolver({"exclude": exclude}, codes, config), tmp_path).files)
        for name, (top, exclude) in TREES.items()
    }
    with capsys.disabled():
        for name, (completed, seconds) in results.items():
            found = completed.stdout.splitlines()
            parse_failures = sum(" CF001 " in line or " CF002 " in line for line in found)
            print(
                f"\n{name}: {linted[name]} files linted in {seconds:.1f} s wall time, exit {completed.returncode}, "
                f"{len(found)} findings ({parse_failures} CF001/CF002)"
            )
    for name, (completed, _) in results.items():
        top, exclude = TREES[name]
        assert (completed.returncode, completed.stderr) in ((0, ""), (1, "")), f"{name}: {completed.stderr[-3000:]}"
        assert [line for line in completed.stdout.splitlines() if " CF003 " in line] == [], name
        assert linted[name] == _python_files(top, exclude) > 0, name
