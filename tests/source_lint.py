"""Lint one module's source as a function folder's user.py and list where a code is reported.

Both helpers also select the crash and syntax codes (CF003, CF001, CF002) and fail when any
of them is reported, so a negative test cannot pass because the rule crashed."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

from tests.helpers import CliResult, write_files

GUARD_CODES = ("CF001", "CF002", "CF003")


def lint_source(cflint: Callable[..., CliResult], folder: Path, code: str, source: str, name: str) -> CliResult:
    """Run `code` plus the guard codes on `source`; assert exit 0/1 and no guard finding."""
    write_files(folder, {name: textwrap.dedent(source)})
    selected = ",".join(dict.fromkeys((code, *GUARD_CODES)))
    result = cflint("--select", selected, "--color", "never", name, cwd=folder)
    assert result.code in (0, 1), result.out + result.err
    guards = [line for line in result.lines if any(f": {guard} " in line for guard in GUARD_CODES if guard != code)]
    assert guards == [], "\n".join(guards)
    return result


def reported_lines(
    cflint: Callable[..., CliResult], folder: Path, code: str, source: str, *, name: str = "user.py"
) -> list[int]:
    """Lines where `code` is reported in `source` (dedented), run through the CLI."""
    result = lint_source(cflint, folder, code, source, name)
    return [int(line.split(":")[1]) for line in result.lines if f": {code} " in line]


def messages(cflint: Callable[..., CliResult], folder: Path, code: str, source: str) -> list[str]:
    result = lint_source(cflint, folder, code, source, "user.py")
    return [line.split(f": {code} ", 1)[1] for line in result.lines if f": {code} " in line]


def marked_lines(source: str) -> list[int]:
    """Lines of `source` that end with the marker comment `# !`."""
    return [number for number, line in enumerate(textwrap.dedent(source).splitlines(), 1) if line.endswith("# !")]
