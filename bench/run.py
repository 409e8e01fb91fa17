"""Benchmark cflint against flake8, Fixit, pylint and ruff on the same inputs; print a markdown table.

Run from anywhere: `python bench/run.py` (see bench/README.md).
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus import Corpus, build_hostile, build_stdlib, build_template, stdlib_source
from environment import (
    PEERS,
    SetupError,
    Venv,
    cflint_requirements,
    create_venv,
    installed_versions,
    pip_install,
)
from plan import (
    CflintFeatures,
    Command,
    PlanOptions,
    base_environment,
    command_ids,
    commands_for,
    detect_cflint_features,
)
from report import render
from trials import Outcome, run_commands

REPO = Path(__file__).resolve().parent.parent
CORPORA = ("small", "stdlib", "hostile")
DEFAULT_TIMEOUT = 900.0
EXIT_OK, EXIT_TOOL_FAILED, EXIT_SETUP = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench/run.py",
        description="Time cflint and its peers (flake8, fixit, pylint, ruff) on the guide's template, "
        "on this Python's standard library and on generated worst-case files; print a markdown table of medians.",
    )
    parser.add_argument("--only", choices=CORPORA, help="measure one input only")
    parser.add_argument("--runs", type=int, metavar="N", help="runs per command (default: 5 small, 3 stdlib)")
    parser.add_argument(
        "--slow-runs",
        type=int,
        default=1,
        metavar="N",
        help="runs of fixit and pylint on the stdlib, minutes each (default: 1)",
    )
    parser.add_argument(
        "--venv", type=Path, metavar="DIR", help="create or reuse the peers' venv here (default: a temp dir)"
    )
    parser.add_argument("--skip-install", action="store_true", help="do not pip install into the venv (needs --venv)")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="NAME",
        help="a tool (flake8, fixit, pylint, ruff, cflint) or one row, e.g. fixit-stdlib; repeatable",
    )
    parser.add_argument("--pylint-stdlib", action="store_true", help="also run pylint on the stdlib (very slow)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"limit of one run; a run past it is killed and its row marked failed (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--cflint-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument for every cflint run, e.g. --cflint-arg=--select=ALL; repeatable",
    )
    parser.add_argument("--output", type=Path, metavar="FILE", help="also write the markdown report to FILE")
    return parser


def _check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    known = {*command_ids(CORPORA), *PEERS, "cflint"}
    unknown = sorted(set(args.skip) - known)
    if unknown:
        parser.error(f"--skip: unknown name {', '.join(unknown)} (one of: {', '.join(sorted(known))})")
    if args.skip_install and args.venv is None:
        parser.error("--skip-install needs --venv DIR (a venv that already has the peers)")
    if (args.runs is not None and args.runs < 1) or args.slow_runs < 1:
        parser.error("--runs and --slow-runs must be at least 1")


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _build_corpora(scratch: Path, only: str | None) -> list[Corpus]:
    corpora = []
    if only in (None, "small"):
        corpora.append(build_template(scratch))
    if only in (None, "stdlib"):
        _log(f"copying the standard library from {stdlib_source()} (without tests)")
        corpora.append(build_stdlib(scratch))
    if only in (None, "hostile"):
        corpora.append(build_hostile(scratch))
    for corpus in corpora:
        _log(f"input {corpus.name}: {corpus.files} files, {corpus.lines} lines at {corpus.path}")
    return corpora


def _install(venv: Venv, skip_install: bool) -> dict[str, str]:
    """Install cflint's dependencies and the peers; the peers that are missing afterwards, with why."""
    missing: dict[str, str] = {}
    if not skip_install:
        _log(f"installing cflint's dependencies and {', '.join(PEERS)} into {venv.path}")
        error = pip_install(venv, cflint_requirements(REPO))
        if error is not None:
            raise SetupError(f"cannot install cflint's dependencies: {error}")
        for peer in PEERS:
            error = pip_install(venv, [peer])
            if error is not None:
                missing[peer] = f"pip install {peer} failed: {error}"
    for peer in PEERS:
        if peer not in missing and not venv.has_script(peer):
            missing[peer] = f"no {venv.script(peer)}"
    for peer, reason in missing.items():
        _log(f"{peer} is not available ({reason}); its rows are skipped")
    return missing


def _git_revision() -> str:
    completed = subprocess.run(
        ["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True, text=True, check=False
    )
    return completed.stdout.strip() or "unknown revision"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return "unknown RAM"


@dataclass(frozen=True)
class StartConditions:
    revision: str
    load: tuple[float, float, float]


def _load_text(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.2f}" for value in load)


def _busy_warning(load_at_start: float) -> list[str]:
    cores = os.cpu_count() or 1
    if load_at_start < cores / 2:
        return []
    return [
        (
            f"- **The machine was busy when the benchmark started (load {load_at_start:.2f} on {cores} cores): "
            "wall times are inflated and noisy; CPU times are steadier.**"
        )
    ]


def _header(
    argv: Sequence[str],
    venv: Venv,
    features: CflintFeatures,
    missing: dict[str, str],
    start: StartConditions,
    elapsed: float,
) -> list[str]:
    versions = installed_versions(venv, [*PEERS, "libcst"])
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cache = "cold = `--no-cache`" if features.no_cache else "no `--no-cache` flag in this checkout: no warm rows"
    lines = [
        f"## cflint benchmark, {now}",
        "",
        (
            f"- Machine: {_cpu_model()}, {os.cpu_count()} cores, {_memory()}, {platform.system()} "
            f"{platform.release()}; load average {_load_text(start.load)} at start, "
            f"{_load_text(os.getloadavg())} at end"
        ),
        (
            f"- Python {platform.python_version()}; cflint {start.revision} run from the checkout "
            f"(`python -m cflint`, PYTHONPATH={REPO.name}); {cache}; "
            f"`--jobs` {'available' if features.jobs else 'absent'}"
        ),
        "- Peers: " + ", ".join(f"{name} {versions.get(name, 'unknown')}" for name in (*PEERS, "libcst")),
        (
            "- Each cell is the median of the runs; CPU = user + sys of the process and every child it waited "
            "for; peak RSS = the largest single process; × cflint = the row's value ÷ cflint cold on the same input"
        ),
        f"- Command: `{' '.join(['python bench/run.py', *argv])}`",
        f"- Whole benchmark: {elapsed:.0f} s",
    ]
    lines += [f"- Not measured: {peer} ({reason})" for peer, reason in missing.items()]
    return [*lines, *_busy_warning(start.load[0])]


def _measure(
    corpora: Sequence[Corpus],
    venv: Venv,
    scratch: Path,
    features: CflintFeatures,
    options: PlanOptions,
    missing: dict[str, str],
    timeout: float,
) -> list[tuple[Corpus, list[Outcome]]]:
    results = []
    for corpus in corpora:
        commands: list[Command] = [
            command
            for command in commands_for(corpus, venv, REPO, scratch, features, options)
            if command.tool not in missing
        ]
        _log(f"measuring {corpus.name}: {', '.join(f'{c.id} ×{c.runs}' for c in commands)}")
        results.append((corpus, run_commands(commands, timeout)))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    args = parser.parse_args(arguments)
    _check_arguments(parser, args)
    started = time.perf_counter()
    start = StartConditions(_git_revision(), os.getloadavg())
    options = PlanOptions(
        runs=args.runs,
        slow_runs=args.slow_runs,
        pylint_stdlib=args.pylint_stdlib,
        skip=frozenset(args.skip),
        cflint_args=tuple(args.cflint_arg),
    )
    with tempfile.TemporaryDirectory(prefix="cflint-bench-") as temporary:
        scratch = Path(temporary)
        try:
            venv = create_venv((args.venv or scratch / "venv").resolve())
            missing = _install(venv, args.skip_install)
            features = detect_cflint_features(venv, REPO, base_environment(scratch))
        except SetupError as exc:
            _log(f"error: {exc}")
            return EXIT_SETUP
        compileall.compile_dir(REPO / "cflint", quiet=1)
        corpora = _build_corpora(scratch, args.only)
        results = _measure(corpora, venv, scratch, features, options, missing, args.timeout)
        header = _header(arguments, venv, features, missing, start, time.perf_counter() - started)
        markdown = render(header, results)
    sys.stdout.write(markdown)
    if args.output is not None:
        args.output.write_text(markdown, encoding="utf-8")
        _log(f"report written to {args.output}")
    # A peer that crashes on the worst-case files is a finding of the benchmark, not its failure.
    failed = [
        outcome.command.id
        for _, group in results
        for outcome in group
        if outcome.failure is not None
        and (outcome.command.corpus.name != "hostile" or outcome.command.tool == "cflint")
    ]
    if failed:
        _log(f"these rows failed: {', '.join(failed)}")
        return EXIT_TOOL_FAILED
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
