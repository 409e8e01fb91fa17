"""Measure cflint's cold start against its floor, `python -c "import libcst"`.

A cold run is `cflint --no-cache .` in bench/inputs/template (the guide's template function),
run as the installed `cflint` script runs it: `python -c` with the text of that script
(`--module` runs `python -m cflint` instead, which imports runpy as well). Both commands run
with the same interpreter (default: this one; `--python` picks a venv's), in that folder,
after `compileall` of cflint and of the interpreter's site-packages so that no run pays for
writing `.pyc` files.

Two modes:
- wall (default): the two commands alternate, `--runs` times each; prints both medians and the
  ratio. Alternating spreads the machine's changing load over both.
- callgrind (`--callgrind`): each command once under `valgrind --tool=callgrind` with
  `PYTHONHASHSEED=0`; prints both instruction counts and the ratio. Repeats agree to about
  0.01 %, so this is the measure for comparing two versions of the code on a noisy machine.

`--checkout DIR` measures the cflint of another checkout (an A/B against a commit); `--copy`
runs in a temporary copy of the template instead, where no config file lies above the folder
(in place, config discovery finds and parses this repository's pyproject.toml).

Run: `python bench/cold_start.py [--python .venv/bin/python] [--runs 31] [--callgrind]
[--checkout DIR] [--copy] [--module]`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "bench" / "inputs" / "template"
FLOOR_ARGS = ("-c", "import libcst")
# What the `cflint` script that pip writes for [project.scripts] runs.
SCRIPT_ARGS = ("-c", "import sys\nfrom cflint.cli import run_command\nsys.exit(run_command())", "--no-cache", ".")
MODULE_ARGS = ("-m", "cflint", "--no-cache", ".")
COLLECTED = re.compile(rb"Collected\s*:\s*(\d+)")


def _environment(checkout: Path) -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "CFLINT_CACHE_DIR")}
    environment["PYTHONPATH"] = str(checkout)
    environment["PYTHONHASHSEED"] = "0"
    return environment


def _compile(python: str, checkout: Path) -> None:
    """Write the .pyc files of cflint and of the interpreter's site-packages once, before any run."""
    script = (
        "import compileall, sys, sysconfig\n"
        "for folder in (sys.argv[1], sysconfig.get_paths()['purelib']):\n"
        "    compileall.compile_dir(folder, quiet=1)\n"
    )
    subprocess.run([python, "-c", script, str(checkout / "cflint")], check=True, stdout=subprocess.DEVNULL)


def _run_wall(python: str, args: Sequence[str], environment: dict[str, str], folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run([python, *args], cwd=folder, env=environment, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def _instructions(python: str, args: Sequence[str], environment: dict[str, str], folder: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="cflint-callgrind-") as scratch:
        completed = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={Path(scratch) / 'callgrind.out'}",
                python,
                *args,
            ],
            cwd=folder,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
    found = COLLECTED.search(completed.stderr)
    if found is None:
        raise SystemExit(
            f"cold_start: no instruction count from valgrind:\n{completed.stderr.decode(errors='replace')}"
        )
    return int(found.group(1))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench/cold_start.py", description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="the interpreter to run both commands with")
    parser.add_argument("--runs", type=int, default=31, help="wall mode: runs of each command (default 31)")
    parser.add_argument("--callgrind", action="store_true", help="count instructions under valgrind instead")
    parser.add_argument("--checkout", type=Path, default=REPO, help="the checkout to run (default: this one)")
    parser.add_argument("--copy", action="store_true", help="run in a temporary copy of the template")
    parser.add_argument("--module", action="store_true", help="run `python -m cflint` instead of the script's code")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    options.python = os.path.abspath(options.python)  # not resolved: a venv's python is a link to its base
    checkout = options.checkout.resolve()
    environment = _environment(checkout)
    _compile(options.python, checkout)
    with tempfile.TemporaryDirectory(prefix="cflint-cold-start-") as scratch:
        folder = TEMPLATE
        if options.copy:
            folder = Path(scratch) / "template"
            shutil.copytree(TEMPLATE, folder)
        _measure(options, environment, folder)
    return 0


def _measure(options: argparse.Namespace, environment: dict[str, str], folder: Path) -> None:
    cflint_args = MODULE_ARGS if options.module else SCRIPT_ARGS
    shown = "python -m cflint" if options.module else "cflint (script)"
    if options.callgrind:
        floor = _instructions(options.python, FLOOR_ARGS, environment, folder)
        cold = _instructions(options.python, cflint_args, environment, folder)
        print(f"floor (import libcst): {floor:,} instructions")
        print(f"{shown} --no-cache .: {cold:,} instructions")
        print(f"ratio: {cold / floor:.4f}")
        return
    floors: list[float] = []
    colds: list[float] = []
    for _ in range(options.runs):
        floors.append(_run_wall(options.python, FLOOR_ARGS, environment, folder))
        colds.append(_run_wall(options.python, cflint_args, environment, folder))
    floor_median, cold_median = statistics.median(floors), statistics.median(colds)
    print(f"floor (import libcst): median {floor_median * 1000:.1f} ms of {options.runs} runs")
    print(f"{shown} --no-cache .: median {cold_median * 1000:.1f} ms of {options.runs} runs")
    print(f"ratio: {cold_median / floor_median:.3f}")


if __name__ == "__main__":
    raise SystemExit(main())
