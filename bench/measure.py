"""Run one command as a child process and measure its wall time, CPU time and peak memory."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

STDERR_TAIL_CHARS = 2000
LAUNCHER = Path(__file__).resolve().parent / "launch.py"
LAUNCH_FAILED = 125


@dataclass(frozen=True)
class Sample:
    """One run, as os.wait4 reports it for the tool's process.

    CPU time covers the process and every descendant it waited for; peak RSS is the largest
    single process among them, never below the launcher's own (about 8 MiB).
    """

    wall: float
    cpu: float
    peak_rss_kib: int
    exit_code: int
    timed_out: bool
    output_digest: str
    output_lines: int
    stderr_tail: str


def _kill_group(pid: int, killed: threading.Event) -> None:
    killed.set()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _read_result(path: Path) -> tuple[float, float, int, int] | None:
    """(wall, cpu, peak RSS in KiB, exit code) as launch.py wrote them, or None when it did not."""
    try:
        wall, user, system, peak_rss_kib, exit_code = path.read_text(encoding="ascii").split()
    except (OSError, ValueError):
        return None
    return float(wall), float(user) + float(system), int(peak_rss_kib), int(exit_code)


def run_once(argv: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float) -> Sample:
    """Run `argv` through launch.py in a session of its own; on timeout kill that session's process group."""
    with tempfile.TemporaryDirectory(prefix="cflint-bench-run-") as scratch:
        result_file = Path(scratch) / "result"
        stdout_file, stderr_file = Path(scratch) / "stdout", Path(scratch) / "stderr"
        with stdout_file.open("wb") as stdout, stderr_file.open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-I", "-S", str(LAUNCHER), str(result_file), *argv],
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
            )
            killed = threading.Event()
            timer = threading.Timer(timeout, _kill_group, (process.pid, killed))
            timer.start()
            try:
                launcher_exit = process.wait()
            except BaseException:
                _kill_group(process.pid, killed)
                process.wait()
                raise
            finally:
                timer.cancel()
        output = stdout_file.read_bytes()
        error_text = stderr_file.read_bytes().decode("utf-8", errors="replace")
        result = _read_result(result_file)
    if result is None:
        wall, cpu, peak_rss_kib, exit_code = float(timeout), 0.0, 0, launcher_exit or LAUNCH_FAILED
    else:
        wall, cpu, peak_rss_kib, exit_code = result
    return Sample(
        wall=wall,
        cpu=cpu,
        peak_rss_kib=peak_rss_kib,
        exit_code=exit_code,
        timed_out=killed.is_set(),
        output_digest=hashlib.sha256(output).hexdigest(),
        output_lines=output.count(b"\n"),
        stderr_tail=error_text[-STDERR_TAIL_CHARS:],
    )
