from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.cli.main import main
from tests.helpers import CliResult


@pytest.fixture
def cflint(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[..., CliResult]:
    """Run `cflint ARGS` in-process in `cwd` (default: tmp_path) and capture its output.
    The result cache lives in a folder of its own, outside the linted tree."""
    monkeypatch.setenv("CFLINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))

    def run(*args: str, cwd: Path | None = None) -> CliResult:
        monkeypatch.chdir(cwd or tmp_path)
        monkeypatch.delenv("NO_COLOR", raising=False)
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
