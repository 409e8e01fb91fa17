"""Which commands are measured on which input, and how each is run."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus import Corpus
from environment import Venv

INHERITED_VARIABLES_DROPPED = ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME", "CFLINT_CACHE_DIR", "VIRTUAL_ENV")
PYLINT_EXIT_USAGE = 32


@dataclass(frozen=True)
class CflintFeatures:
    """What the checkout's command line offers (main may predate the cache and --jobs)."""

    no_cache: bool
    jobs: bool


@dataclass(frozen=True)
class Command:
    """One measured row: `argv` run in the corpus folder, `runs` times.

    `fresh_cache` is emptied before every run (a cold cflint); `prime` runs the command once,
    unmeasured, before the measured runs (a warm cache).
    """

    id: str
    tool: str
    corpus: Corpus
    argv: tuple[str, ...]
    display: str
    env: Mapping[str, str]
    ok_exit_codes: frozenset[int]
    runs: int
    fresh_cache: Path | None
    prime: bool
    scenario: str


@dataclass(frozen=True)
class PlanOptions:
    runs: int | None
    slow_runs: int
    pylint_stdlib: bool
    skip: frozenset[str]
    cflint_args: tuple[str, ...]


SMALL_RUNS, STDLIB_RUNS = 5, 3
SLOW_COMMANDS = frozenset({"fixit-stdlib", "pylint-stdlib"})


def base_environment(scratch: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in INHERITED_VARIABLES_DROPPED}
    env["PYLINTHOME"] = str(scratch / "pylint-home")
    env["NO_COLOR"] = "1"
    return env


def cflint_environment(base: Mapping[str, str], repo: Path, cache: Path) -> dict[str, str]:
    return {**base, "PYTHONPATH": str(repo), "CFLINT_CACHE_DIR": str(cache)}


def detect_cflint_features(venv: Venv, repo: Path, env: Mapping[str, str]) -> CflintFeatures:
    completed = subprocess.run(
        [str(venv.python), "-m", "cflint", "--help"],
        env={**env, "PYTHONPATH": str(repo)},
        capture_output=True,
        text=True,
        check=False,
    )
    return CflintFeatures(no_cache="--no-cache" in completed.stdout, jobs="--jobs" in completed.stdout)


def _runs(command_id: str, corpus: Corpus, options: PlanOptions) -> int:
    if command_id in SLOW_COMMANDS:
        return options.slow_runs
    if options.runs is not None:
        return options.runs
    return SMALL_RUNS if corpus.name == "small" else STDLIB_RUNS


def _display(tool: str, argv: Sequence[str]) -> str:
    """The command as a user would type it: the tool's name, not the venv's paths."""
    arguments = argv[3:] if tool == "cflint" else argv[1:]
    return " ".join((tool, *arguments))


def commands_for(
    corpus: Corpus,
    venv: Venv,
    repo: Path,
    scratch: Path,
    features: CflintFeatures,
    options: PlanOptions,
) -> list[Command]:
    """The rows of one input's table: cflint cold and warm, then the peers."""
    base = base_environment(scratch)
    parallel = ("-j2",) if corpus.name == "stdlib" else ()
    cflint = (str(venv.python), "-m", "cflint", *options.cflint_args)
    cold_cache = scratch / f"cflint-cache-cold-{corpus.name}"
    warm_cache = scratch / f"cflint-cache-warm-{corpus.name}"
    candidates = [
        ("cflint-cold", "cflint", (*cflint, *(("--no-cache",) if features.no_cache else ()), "."),
         cflint_environment(base, repo, cold_cache), frozenset({0, 1}), "cold", cold_cache),
        ("cflint-warm", "cflint", (*cflint, "."),
         cflint_environment(base, repo, warm_cache), frozenset({0, 1}), "warm", None),
        ("flake8", "flake8", (str(venv.script("flake8")), *parallel, "."),
         base, frozenset({0, 1}), "", None),
        ("fixit", "fixit", (str(venv.script("fixit")), "lint", "."),
         base, frozenset({0, 1, 2, 3}), "", None),
        ("pylint", "pylint", (str(venv.script("pylint")), "--recursive=y", *parallel, "."),
         base, frozenset(range(PYLINT_EXIT_USAGE)), "", None),
        ("ruff", "ruff", (str(venv.script("ruff")), "check", "--no-cache", "."),
         base, frozenset({0, 1}), "", None),
    ]
    commands = []
    for stem, tool, argv, env, ok_exit_codes, scenario, fresh_cache in candidates:
        command_id = f"{stem}-{corpus.name}"
        if scenario == "warm" and not features.no_cache:
            continue
        if command_id == "pylint-stdlib" and not options.pylint_stdlib:
            continue
        if command_id in options.skip or tool in options.skip:
            continue
        commands.append(
            Command(
                id=command_id,
                tool=tool,
                corpus=corpus,
                argv=argv,
                display=_display(tool, argv),
                env=env,
                ok_exit_codes=ok_exit_codes,
                runs=_runs(command_id, corpus, options),
                fresh_cache=fresh_cache,
                prime=scenario == "warm",
                scenario=scenario,
            )
        )
    return commands


def command_ids(corpora: Sequence[str]) -> list[str]:
    """Every id `--skip` accepts besides a tool's name."""
    return [
        f"{stem}-{name}"
        for name in corpora
        for stem in ("cflint-cold", "cflint-warm", "flake8", "fixit", "pylint", "ruff")
    ]
