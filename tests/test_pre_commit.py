"""The pre-commit hook: its manifest, partial file lists, and a real `pre-commit try-repo` run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import REPO, CliResult, write_files

MANIFEST = REPO / ".pre-commit-hooks.yaml"
BAD_USER = "def main(request):\n    return 'hi'\n"
CF103_LINE = (
    "user.py:1:10: CF103 entry function 'main' takes parameter 'request', but the runtime calls it with no "
    "arguments; read the request from flask.request [unsafe fix: --unsafe-fixes]"
)


def _hook(hook_id: str = "cflint") -> dict[str, object]:
    clientlib = pytest.importorskip(
        "pre_commit.clientlib", reason="pre-commit is not installed (pip install pre-commit)"
    )
    hooks = {hook["id"]: hook for hook in clientlib.load_manifest(str(MANIFEST))}
    assert set(hooks) == {"cflint", "cflint-fix"}
    return hooks[hook_id]  # type: ignore[no-any-return]


def test_manifest_declares_the_cflint_hook() -> None:
    hook = _hook()
    assert (hook["id"], hook["language"], hook["entry"], hook["require_serial"]) == (
        "cflint",
        "python",
        "cflint --force-exclude",
        True,
    )


def test_manifest_declares_the_fixing_hook_over_the_same_files() -> None:
    hook = _hook("cflint-fix")
    assert (hook["language"], hook["entry"], hook["require_serial"]) == ("python", "cflint --force-exclude --fix", True)
    assert hook["files"] == _hook()["files"]


def test_fixing_hook_fixes_the_files_it_is_given(tmp_path: Path, cflint: Callable[..., CliResult]) -> None:
    user = "from .helpers import x\n\n\ndef main():\n    return x\n"
    write_files(tmp_path, {"requirements.txt": "", "helpers.py": "", "user.py": user})
    result = cflint(*str(_hook("cflint-fix")["entry"]).split()[1:], "user.py")
    assert result.code == 0
    assert (tmp_path / "user.py").read_text(encoding="utf-8").startswith("from helpers import x\n")


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("user.py", True),
        ("fn/helpers/db.py", True),
        ("stubs/x.pyi", True),
        ("fn/requirements.txt", True),
        ("pyproject.toml", True),
        ("fn/cflint.toml", True),
        ("fn/.cflint.toml", True),
        ("README.md", False),
        ("fn/requirements-dev.txt.bak", False),
        ("fn/old_requirements.txt", False),
        ("x.pyc", False),
    ],
)
def test_hook_runs_for_code_and_function_settings(path: str, runs: bool) -> None:
    assert bool(re.search(str(_hook()["files"]), path)) is runs


def test_a_requirements_file_alone_checks_its_function_root(tmp_path: Path, cflint: Callable[..., CliResult]) -> None:
    write_files(tmp_path, {"fn/requirements.txt": "flask\n", "fn/main.py": "def main():\n    return ''\n"})
    result = cflint("--force-exclude", "--color", "never", "fn/requirements.txt")
    assert result.code == 1
    assert result.lines == [
        "fn:1:1: CF101 entry module user.py for entry point user.main not found in this function root; "
        'main.py defines main(): rename it to user.py, or set entry-points = ["main.main"]'
    ]


def test_one_helper_file_reads_the_root_config(tmp_path: Path, cflint: Callable[..., CliResult]) -> None:
    write_files(
        tmp_path,
        {
            "fn/cflint.toml": 'entry-points = ["app.handler"]\n',
            "fn/requirements.txt": "",
            "fn/app.py": "def handler(event):\n    return ''\n",
            "fn/lib/util.py": "VALUE = 1\n",
        },
    )
    helper_only = cflint("--force-exclude", "--color", "never", "fn/lib/util.py")
    assert (helper_only.code, helper_only.lines) == (0, [])
    entry_only = cflint("--force-exclude", "--color", "never", "fn/app.py")
    assert entry_only.codes == ["CF103"] and entry_only.lines[0].startswith(
        "fn/app.py:1:13: CF103 entry function 'handler'"
    )


def test_a_helper_file_alone_still_finds_a_missing_entry_module(
    tmp_path: Path, cflint: Callable[..., CliResult]
) -> None:
    write_files(tmp_path, {"fn/requirements.txt": "flask\n", "fn/lib/util.py": "VALUE = 1\n"})
    result = cflint("--force-exclude", "--color", "never", "fn/lib/util.py")
    assert result.codes == ["CF101"] and result.lines[0].startswith("fn:1:1: CF101 ")


def test_force_exclude_skips_excluded_files_pre_commit_passes(tmp_path: Path, cflint: Callable[..., CliResult]) -> None:
    write_files(
        tmp_path, {"requirements.txt": "", "user.py": "def main():\n    return ''\n", "build/user.py": BAD_USER}
    )
    assert cflint("--force-exclude", "user.py", "build/user.py").code == 0
    assert cflint("user.py", "build/user.py").code == 1


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.mark.slow
def test_pre_commit_try_repo_fails_on_a_bad_function(tmp_path: Path) -> None:
    """`pre-commit try-repo` installs this checkout's HEAD (plus uncommitted changes to tracked files)
    into a fresh environment, from PyPI, and runs the hook on a repository with a bad user.py."""
    _hook()
    if shutil.which("git") is None:
        pytest.skip("git is not installed: pre-commit cannot run")
    if not (REPO / ".git").exists():
        pytest.skip(f"{REPO} is not a git checkout: pre-commit try-repo needs one")
    sample = write_files(tmp_path / "sample", {"user.py": BAD_USER, "requirements.txt": "flask\n", "README.md": "x\n"})
    _git("init", "-q", cwd=sample)
    _git("add", ".", cwd=sample)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "NO_COLOR": "1",
    }
    env.pop("PYTHONPATH", None)
    completed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "cflint", "--all-files", "--color", "never"],
        cwd=sample,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert re.search(r"^cflint\.+Failed$", output, re.M), output
    assert "- exit code: 1" in output
    assert CF103_LINE in output.splitlines(), output
