"""`python -c SCRIPT ARGS...` for the price of a fork: a Python that has imported some modules
once (Flask, for serving functions) forks a child per run, which runs the script as the new
process would have, in the caller's folder and environment, and gives back its exit code and
standard output. A test worker starts one such server, the first time it is asked.

A run for which the preloaded modules could make a difference is not forked: when the
folder the script puts first on sys.path holds a module of the same top-level name as one
the server has imported (the new process would have imported that folder's), or when
PYTHONPATH is not the server's. `run` then answers None and the caller starts the process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path

_SERVER = r"""
import json, os, signal, sys, traceback
for name in sys.argv[1:]:
    __import__(name)


def top_level_names(folder):
    try:
        entries = os.listdir(folder)
    except OSError:
        return set()
    return {entry.split(".")[0] for entry in entries}


def run(script, argv, cwd, env):
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 2)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.argv = ["-c", *argv]
    signal.alarm(120)
    try:
        exec(compile(script, "<string>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
        code = 0
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    os._exit(code)


loaded = {name.split(".")[0] for name in sys.modules}
for line in sys.stdin:
    script, argv, cwd, env, first_on_path = json.loads(line)
    if top_level_names(first_on_path) & loaded:
        print(json.dumps(None), flush=True)
        continue
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.dup2(write_end, 1)
        run(script, argv, cwd, env)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as output:
        out = output.read().decode("utf-8", "replace")
    _, status = os.waitpid(pid, 0)
    print(json.dumps([os.waitstatus_to_exitcode(status), out]), flush=True)
"""


class ForkedPython:
    def __init__(self, preload: Sequence[str]) -> None:
        self.pythonpath = os.environ.get("PYTHONPATH")
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVER, *preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def run(self, script: str, argv: Sequence[str], first_on_path: Path) -> tuple[int, str] | None:
        """The exit code and standard output of `python -c SCRIPT ARGV...` run in the current
        folder and environment, or None when it must be run as a process of its own."""
        if os.environ.get("PYTHONPATH") != self.pythonpath:
            return None
        assert self.process.stdin is not None and self.process.stdout is not None
        request = [script, list(argv), os.getcwd(), dict(os.environ), str(first_on_path)]
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the forking Python ended with exit code {self.process.wait()}")
        answer = json.loads(line)
        return None if answer is None else (answer[0], answer[1])


@cache
def forked_python(*preload: str) -> ForkedPython:
    """The server that has imported `preload`, started at its first use in this process; it
    ends with the process, when its standard input closes."""
    return ForkedPython(preload)
