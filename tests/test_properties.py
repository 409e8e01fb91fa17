"""Property tests: for generated valid Python programs, linting never raises, never reports
CF003 (an internal error) nor CF001/CF002 (the programs compile), and gives the same
findings twice.

Programs come from hypothesmith's grammar strategy, linted in-process through FileLinter
with every rule on, as the entry module of a function folder. The run is reproducible
(derandomized, no example database). Each test runs twice: `quick` (a few dozen programs,
in the default test run) and `full` (marked slow; CFLINT_HYPOTHESIS_EXAMPLES programs,
default 2000, as .ci/run runs it); set it higher for a longer nightly-style run, e.g.
`CFLINT_HYPOTHESIS_EXAMPLES=20000 python -m pytest -m slow tests/test_properties.py`.

The parallel run (--jobs 2) and the serial one (--jobs 1) print the same output for
folders of generated programs, through the command line, without the result cache; it
tries one folder per 50 programs of the first test (at least 10).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cflint.engine.linter import FileJob, FileLinter
from cflint.engine.registry import load_registry
from cflint.model import Finding
from cflint.project import FileContext, FunctionRoot
from cflint.settings.config import Settings
from tests.helpers import CliResult, write_files

FULL_EXAMPLES = int(os.environ.get("CFLINT_HYPOTHESIS_EXAMPLES", "2000"))
QUICK_EXAMPLES = 40
COUNTS = [
    pytest.param(QUICK_EXAMPLES, id="quick"),
    pytest.param(FULL_EXAMPLES, id="full", marks=pytest.mark.slow),
]


def _folders(examples: int) -> int:
    """Each example of the parallel test is a folder of several programs linted twice by the CLI."""
    return max(examples // 50, 2 if examples <= QUICK_EXAMPLES else 10)


REPRODUCIBLE = settings(derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it generates
@pytest.mark.parametrize("examples", COUNTS)
def test_generated_programs_lint_without_error_and_deterministically(
    examples: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = load_registry()
    defaults = Settings()
    root = FunctionRoot(tmp_path, ".", defaults, frozenset({"user"}))
    context = FileContext(tmp_path / "user.py", "user.py", defaults, root, "user", frozenset({"main"}))
    enabled = frozenset(registry.codes)
    linter = FileLinter(registry)
    programs: list[int] = []
    gaps: list[str] = []

    def _parser_gap(finding: Finding) -> bool:
        """CF001 saying LibCST cannot parse what this CPython accepts: a known, reported gap
        (seen on 3.10 for a backslash-CRLF continuation at the end of a file)."""
        if finding.code == "CF001" and "LibCST" in finding.message and "accepts it" in finding.message:
            gaps.append(finding.message)
            return True
        return False

    def lint(source: str) -> list[Finding]:
        return linter.lint(FileJob(context, enabled, source.encode("utf-8")))

    @settings(REPRODUCIBLE, max_examples=examples)
    @given(hypothesmith.from_grammar())
    def check(source: str) -> None:
        programs.append(len(source))
        first = lint(source)
        assert [
            finding for finding in first if finding.code in ("CF001", "CF002", "CF003") and not _parser_gap(finding)
        ] == []
        assert lint(source) == first

    started = time.perf_counter()
    try:
        check()
    finally:
        with capsys.disabled():
            print(
                f"\nhypothesmith: {len(programs)} generated programs linted (max_examples={examples}) "
                f"in {time.perf_counter() - started:.1f} s, longest {max(programs, default=0)} characters; "
                f"{len(gaps)} reported as a LibCST parser gap"
            )
    assert len(programs) >= min(examples, 100)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() while pytest runs threads
@pytest.mark.parametrize("examples", COUNTS)
def test_parallel_and_serial_runs_agree(
    examples: int, tmp_path: Path, cflint: Callable[..., CliResult], capsys: pytest.CaptureFixture[str]
) -> None:
    folders: list[int] = []
    wanted = _folders(examples)

    @settings(REPRODUCIBLE, max_examples=wanted)
    @given(st.lists(hypothesmith.from_grammar(), min_size=2, max_size=8))
    def check(sources: list[str]) -> None:
        folder = tmp_path / f"fn{len(folders)}"
        folders.append(len(sources))
        names = ["user.py", *(f"module{index}.py" for index in range(1, len(sources)))]
        write_files(folder, {"requirements.txt": "", **dict(zip(names, sources, strict=True))})
        serial = cflint("--select", "ALL", "--no-cache", "--jobs", "1", cwd=folder)
        parallel = cflint("--select", "ALL", "--no-cache", "--jobs", "2", cwd=folder)
        assert parallel == serial
        assert serial.code in (0, 1) and serial.err == ""

    started = time.perf_counter()
    check()
    with capsys.disabled():
        print(
            f"\nhypothesmith: {len(folders)} folders of {sum(folders)} generated programs linted with --jobs 1 "
            f"and --jobs 2 (max_examples={wanted}) in {time.perf_counter() - started:.1f} s"
        )
    assert len(folders) >= min(wanted, 10)
