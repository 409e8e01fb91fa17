"""Run one command as a child process and measure its wall time, CPU time and peak memory."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

STDERR_TAIL_CHARS = 2000


@dataclass(frozen=True)
class Sample:
    """One run. CPU time and peak RSS cover the child and every descendant it waited for (os.wait4)."""

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
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_once(argv: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float) -> Sample:
    """Run `argv` in its own session; on timeout kill that session's process group."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(argv),
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
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            _kill_group(process.pid, killed)
            process.wait()
            raise
        finally:
            wall = time.perf_counter() - start
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        output = stdout.read()
        stderr.seek(0)
        error_text = stderr.read().decode("utf-8", errors="replace")
    return Sample(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_rss_kib=usage.ru_maxrss,
        exit_code=process.returncode,
        timed_out=killed.is_set(),
        output_digest=hashlib.sha256(output).hexdigest(),
        output_lines=output.count(b"\n"),
        stderr_tail=error_text[-STDERR_TAIL_CHARS:],
    )
