"""Property tests: for generated valid Python programs, linting never raises, never reports
CF003 (an internal error) nor CF001/CF002 (the programs compile), and gives the same
findings twice.

Programs come from hypothesmith's grammar strategy, linted in-process through FileLinter
with every rule on, as the entry module of a function folder. The run is reproducible
(derandomized, no example database). CFLINT_HYPOTHESIS_EXAMPLES sets how many programs to
try (default 2000, the CI run); set it higher for a longer nightly-style run, e.g.
`CFLINT_HYPOTHESIS_EXAMPLES=20000 python -m pytest tests/test_properties.py`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings

from cflint.config import Settings
from cflint.engine import FileJob, FileLinter
from cflint.registry import load_registry
from cflint.rule import FileContext, FunctionRoot
from cflint.types import Finding

EXAMPLES = int(os.environ.get("CFLINT_HYPOTHESIS_EXAMPLES", "2000"))


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it generates
def test_generated_programs_lint_without_error_and_deterministically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = load_registry()
    defaults = Settings()
    root = FunctionRoot(tmp_path, ".", defaults, frozenset({"user"}))
    context = FileContext(tmp_path / "user.py", "user.py", defaults, root, "user", frozenset({"main"}))
    enabled = frozenset(registry.codes)
    linter = FileLinter(registry)
    programs: list[int] = []

    def lint(source: str) -> list[Finding]:
        return linter.lint(FileJob(context, enabled, source.encode("utf-8")))

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(hypothesmith.from_grammar())
    def check(source: str) -> None:
        programs.append(len(source))
        first = lint(source)
        assert [finding for finding in first if finding.code in ("CF001", "CF002", "CF003")] == []
        assert lint(source) == first

    started = time.perf_counter()
    try:
        check()
    finally:
        linter.close()
        with capsys.disabled():
            print(
                f"\nhypothesmith: {len(programs)} generated programs linted (max_examples={EXAMPLES}) "
                f"in {time.perf_counter() - started:.1f} s, longest {max(programs, default=0)} characters"
            )
    assert len(programs) >= min(EXAMPLES, 100)
