"""`python -c SCRIPT ARGS...` for the price of a fork: a Python that has imported Flask once
forks a child per run, which runs the script as the new process would have, in the given
folder and the caller's environment, and gives back its exit code, standard output and
standard error. A test worker starts one such server, the first time it is asked.

A run for which the imported modules could make a difference gets a process of its own: when
the folder the script puts first on sys.path, or the folder it runs in (`''` on sys.path),
holds a module of the same top-level name as one the server has imported (the new process
would have imported that folder's), or when PYTHONPATH is not the server's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

PRELOADED = ("flask", "flask.testing")

_SERVER = r"""
import json, os, signal, sys, tempfile
for name in sys.argv[1:]:
    __import__(name)


def top_level_names(folder):
    try:
        entries = os.listdir(folder)
    except OSError:
        return set()
    return {entry.split(".")[0] for entry in entries}


def run(script, argv, cwd, env):
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
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
    except BaseException as error:
        sys.excepthook(type(error), error, error.__traceback__)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


loaded = {name.split(".")[0] for name in sys.modules}
for line in sys.stdin:
    script, argv, cwd, env, first_on_path = json.loads(line)
    if (top_level_names(first_on_path) | top_level_names(cwd)) & loaded:
        print(json.dumps(None), flush=True)
        continue
    read_end, write_end = os.pipe()
    errors = tempfile.TemporaryFile()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.dup2(write_end, 1)
        os.dup2(errors.fileno(), 2)
        run(script, argv, cwd, env)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as output:
        out = output.read().decode("utf-8", "replace")
    _, status = os.waitpid(pid, 0)
    errors.seek(0)
    err = errors.read().decode("utf-8", "replace")
    errors.close()
    print(json.dumps([os.waitstatus_to_exitcode(status), out, err]), flush=True)
"""


class ForkedPython:
    def __init__(self) -> None:
        self.pythonpath = os.environ.get("PYTHONPATH")
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVER, *PRELOADED],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def run(self, script: str, argv: list[str], cwd: Path, first_on_path: Path) -> tuple[int, str, str] | None:
        """Exit code, standard output and standard error of the forked run, or None when it
        must be run as a process of its own."""
        if os.environ.get("PYTHONPATH") != self.pythonpath:
            return None
        assert self.process.stdin is not None and self.process.stdout is not None
        request = [script, argv, str(cwd), dict(os.environ), str(first_on_path)]
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the forking Python ended with exit code {self.process.wait()}")
        answer = json.loads(line)
        return None if answer is None else (answer[0], answer[1], answer[2])


@cache
def _server() -> ForkedPython:
    """Started at its first use in this process; it ends with the process, when its standard
    input closes."""
    return ForkedPython()


def run_python(
    script: str, *args: str, first_on_path: Path, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -c SCRIPT ARGS...` run in `cwd` (default: the current folder) with the current
    environment, its output captured as text, not checked; `first_on_path` is the folder the
    script (or, as `''`, Python) puts first on sys.path."""
    command = [sys.executable, "-c", script, *args]
    folder = cwd or Path.cwd()
    forked = _server().run(script, list(args), folder, first_on_path)
    if forked is None:
        return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120, check=False)
    code, out, err = forked
    return subprocess.CompletedProcess(command, code, out, err)
