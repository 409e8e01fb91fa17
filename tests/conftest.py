from __future__ import annotations

import io
import sys
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
    """Run `cflint ARGS` in-process in `cwd` (default: tmp_path), with `stdin` (UTF-8) as its
    standard input if given, and capture its output. The result cache lives in a folder of its
    own, outside the linted tree."""
    monkeypatch.setenv("CFLINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))

    def run(*args: str, cwd: Path | None = None, stdin: str | None = None) -> CliResult:
        monkeypatch.chdir(cwd or tmp_path)
        monkeypatch.delenv("NO_COLOR", raising=False)
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8"))
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
