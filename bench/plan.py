"""Which commands are measured on which input, and how each is run."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus import Corpus
from environment import SetupError, Venv

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
    """Read `cflint --help` from the checkout; SetupError when it does not run in the venv."""
    completed = subprocess.run(
        [str(venv.python), "-m", "cflint", "--help"],
        env={**env, "PYTHONPATH": str(repo)},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        tail = " | ".join(completed.stderr.strip().splitlines()[-3:])
        raise SetupError(f"cflint from {repo} does not run with {venv.python}: {tail}")
    return CflintFeatures(no_cache="--no-cache" in completed.stdout, jobs="--jobs" in completed.stdout)


def _runs(command_id: str, corpus: Corpus, options: PlanOptions) -> int:
    if command_id in SLOW_COMMANDS:
        return options.slow_runs
    if options.runs is not None:
        return options.runs
    return SMALL_RUNS if corpus.name == "small" else STDLIB_RUNS


def _display(tool: str, argv: Sequence[str]) -> str:
    """The command as a user would type it: the tool's name, not the venv's paths."""
    if tool == "floor":
        return 'python -c "import libcst"'
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
    findings_or_clean = frozenset({0, 1})

    def row(
        stem: str,
        argv: tuple[str, ...],
        env: Mapping[str, str] = base,
        ok_exit_codes: frozenset[int] = findings_or_clean,
        scenario: str = "",
        fresh_cache: Path | None = None,
    ) -> Command:
        command_id, tool = f"{stem}-{corpus.name}", stem.partition("-")[0]
        return Command(
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

    rows = [
        row(
            "cflint-cold",
            (*cflint, *(("--no-cache",) if features.no_cache else ()), "."),
            env=cflint_environment(base, repo, cold_cache),
            scenario="cold",
            fresh_cache=cold_cache,
        ),
        row("cflint-warm", (*cflint, "."), env=cflint_environment(base, repo, warm_cache), scenario="warm"),
        row("flake8", (str(venv.script("flake8")), *parallel, ".")),
        row("fixit", (str(venv.script("fixit")), "lint", "."), ok_exit_codes=frozenset({0, 1, 2, 3})),
        row(
            "pylint",
            (str(venv.script("pylint")), "--recursive=y", *parallel, "."),
            ok_exit_codes=frozenset(range(PYLINT_EXIT_USAGE)),
        ),
        row("ruff", (str(venv.script("ruff")), "check", "--no-cache", ".")),
        # The floor the design's choice of LibCST sets for a cold run: Python's start-up and
        # `import libcst`, in the same venv.
        row("floor", (str(venv.python), "-c", "import libcst"), ok_exit_codes=frozenset({0})),
    ]
    by_stem = {command.id.removesuffix(f"-{corpus.name}"): command for command in rows}
    return [
        command
        for command in (by_stem[stem] for stem in _row_stems(corpus.name))
        if not (command.prime and not features.no_cache)
        and not (command.id == "pylint-stdlib" and not options.pylint_stdlib)
        and command.id not in options.skip
        and command.tool not in options.skip
    ]


def _row_stems(corpus_name: str) -> tuple[str, ...]:
    """The rows of an input's table, in order: the floor only for the template; on the worst
    cases cflint cold against the fast peers only (Fixit and pylint take minutes on them)."""
    if corpus_name == "hostile":
        return ("cflint-cold", "flake8", "ruff")
    floor = ("floor",) if corpus_name == "small" else ()
    return ("cflint-cold", "cflint-warm", *floor, "flake8", "fixit", "pylint", "ruff")


def command_ids(corpora: Sequence[str]) -> list[str]:
    """Every id `--skip` accepts besides a tool's name."""
    return [f"{stem}-{name}" for name in corpora for stem in _row_stems(name)]
