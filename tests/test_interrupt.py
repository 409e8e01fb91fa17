"""Ctrl-C: a real SIGINT to a running `python -m cflint`.

The process must exit with 130 within a second, print `cflint: interrupted` and no
traceback, and leave no worker process behind, with `--jobs 1` and `--jobs 2`, whether
the signal reaches the whole process group (Ctrl-C in a terminal) or only cflint.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

STDLIB = Path(sysconfig.get_paths()["stdlib"])
EXIT_BOUND_SECONDS = 1.0


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (a container's init may not reap orphans at once)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="module")
def slow_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough real code to keep two workers busy for well over ten seconds."""
    folder = tmp_path_factory.mktemp("slow")
    for index in range(40):
        shutil.copyfile(STDLIB / "argparse.py", folder / f"module_{index}.py")
    return folder


@pytest.mark.parametrize("target", ["process group", "cflint only"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigint_exits_130_at_once(slow_folder: Path, jobs: str, target: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "CFLINT_CACHE_DIR": tempfile.mkdtemp(prefix="cflint-cache-")}
    process = subprocess.Popen(
        [sys.executable, "-m", "cflint", "--no-cache", "--jobs", jobs, "."],
        cwd=slow_folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # A shell without job control starts background jobs with SIGINT ignored, and a
        # process keeps that (as cflint should): give the child the terminal's default.
        preexec_fn=_default_sigint,
    )
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while len(workers) < int(jobs) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
            workers = _children(process.pid)
        assert len(workers) == int(jobs), "the workers never started"
        time.sleep(0.5)  # into the middle of linting
        assert process.poll() is None
        sent = time.monotonic()
        if target == "process group":
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        elapsed = time.monotonic() - sent
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    print(f"\n--jobs {jobs}, SIGINT to the {target}: exit {process.returncode} after {elapsed:.3f} s")
    assert (process.returncode, out, err) == (130, "", "cflint: interrupted\n")
    assert elapsed < EXIT_BOUND_SECONDS
    time.sleep(0.2)
    assert not [pid for pid in workers if _running(pid)], "a worker outlived cflint"
