"""The platform guide's examples: only the external-API call lacks a timeout."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import GUIDE_FIXTURES, CliResult

Cflint = Callable[..., CliResult]
EXAMPLES = sorted(path.name for path in GUIDE_FIXTURES.glob("*.py"))
HANDLER_ENTRY_POINTS = "handlers.get_user,handlers.create_user,handlers.update_user"


def _function_folder(example: str, folder: Path) -> tuple[str, ...]:
    """Copy a guide example into a function folder; the CLI options its entry points need."""
    shutil.copy(GUIDE_FIXTURES / "requirements.txt", folder / "requirements.txt")
    if example == "handlers.py":
        shutil.copy(GUIDE_FIXTURES / example, folder / example)
        return ("--entry-points", HANDLER_ENTRY_POINTS)
    shutil.copy(GUIDE_FIXTURES / example, folder / "user.py")
    return ()


def test_external_api_example_gets_exactly_one_finding(tmp_path: Path, cflint: Cflint) -> None:
    options = _function_folder("external_api.py", tmp_path)
    result = cflint(*options, "--color", "never", ".", cwd=tmp_path)
    assert result.lines == [
        "user.py:14:20: CF403 requests.get() without a timeout can wait past the function's"
        " execution time limit; pass timeout= in seconds [unsafe fix: --unsafe-fixes]"
    ], result.out + result.err


@pytest.mark.parametrize("example", [name for name in EXAMPLES if name != "external_api.py"])
def test_other_guide_examples_get_no_resource_finding(example: str, tmp_path: Path, cflint: Cflint) -> None:
    options = _function_folder(example, tmp_path)
    result = cflint(*options, "--select", "CF4,CF7", "--color", "never", ".", cwd=tmp_path)
    assert (result.code, result.lines) == (0, []), result.out + result.err
