"""The GitHub Action (action.yml): its script, run as the runner would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO, write_files

BAD_USER = "import requests\n\ndef main(request):\n    return requests.get('https://example.com').text\n"


def _run_action(
    workspace: Path, runner_temp: Path, bin_dir: Path | None, **inputs: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION_PATH": str(REPO),
        "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_TEMP": str(runner_temp),
        "CFLINT_CACHE_DIR": str(runner_temp / "cache"),
        **{f"INPUT_{name.upper()}": value for name, value in inputs.items()},
    }
    if bin_dir is not None:
        env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return subprocess.run(
        ["bash", str(REPO / "action" / "run.sh")], env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture
def cflint_on_path(tmp_path: Path) -> Path:
    """A `cflint` command that runs this checkout, as an installed one would."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "cflint"
    script.write_text(f'#!/bin/sh\nPYTHONPATH="{REPO}" exec "{sys.executable}" -m cflint "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return bin_dir


def test_action_inputs_are_passed_to_the_script() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    step = action["runs"]["steps"][0]
    assert action["runs"]["using"] == "composite"
    assert step["run"] == 'bash "$GITHUB_ACTION_PATH/action/run.sh"'
    assert {f"INPUT_{name.upper().replace('-', '_')}" for name in action["inputs"]} == set(step["env"])


def test_action_annotates_and_writes_sarif(tmp_path: Path, cflint_on_path: Path) -> None:
    workspace = write_files(tmp_path / "repo", {"fn/requirements.txt": "requests\n", "fn/user.py": BAD_USER})
    completed = _run_action(
        workspace, tmp_path / "runner", cflint_on_path, paths="fn", sarif_file="cflint.sarif", install="false"
    )
    assert completed.returncode == 1, completed.stderr
    lines = completed.stdout.splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::error"]
    assert lines[0].startswith("::error file=fn/user.py,line=3,col=10,")
    assert "title=cflint (CF103)::entry function 'main' takes parameter 'request'" in lines[0]
    assert lines[1].startswith("::error file=fn/user.py,line=4,col=12,")
    assert "title=cflint (CF403)::requests.get() without a timeout" in lines[1]
    log = json.loads((workspace / "cflint.sarif").read_text(encoding="utf-8"))
    assert sorted(r["ruleId"] for r in log["runs"][0]["results"]) == ["CF103", "CF403"]


def test_action_on_clean_code_exits_zero_without_annotations(tmp_path: Path, cflint_on_path: Path) -> None:
    workspace = write_files(tmp_path / "repo", {"requirements.txt": "", "user.py": "def main():\n    return 'ok'\n"})
    completed = _run_action(workspace, tmp_path / "runner", cflint_on_path, install="false", args="--select ALL")
    assert (completed.returncode, completed.stdout) == (0, ""), completed.stderr


@pytest.mark.slow
def test_action_installs_cflint_from_its_checkout(tmp_path: Path) -> None:
    workspace = write_files(tmp_path / "repo", {"fn/requirements.txt": "requests\n", "fn/user.py": BAD_USER})
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    completed = _run_action(workspace, runner_temp, None, paths="fn")
    assert completed.returncode == 1, completed.stderr
    assert (runner_temp / "cflint-venv" / "bin" / "cflint").exists()
    assert completed.stdout.count("::error file=fn/user.py") == 2
