"""Lint one module's source as a function folder's user.py and list where a code is reported."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

from tests.helpers import CliResult, write_files


def reported_lines(
    cflint: Callable[..., CliResult], folder: Path, code: str, source: str, *, name: str = "user.py"
) -> list[int]:
    """Lines where `code` is reported in `source` (dedented), run through the CLI."""
    write_files(folder, {name: textwrap.dedent(source)})
    result = cflint("--select", code, "--color", "never", name, cwd=folder)
    assert result.code in (0, 1), result.out + result.err
    return [int(line.split(":")[1]) for line in result.lines if f": {code} " in line]


def messages(cflint: Callable[..., CliResult], folder: Path, code: str, source: str) -> list[str]:
    write_files(folder, {"user.py": textwrap.dedent(source)})
    result = cflint("--select", code, "--color", "never", "user.py", cwd=folder)
    return [line.split(f": {code} ", 1)[1] for line in result.lines if f": {code} " in line]


def marked_lines(source: str) -> list[int]:
    """Lines of `source` that end with the marker comment `# !`."""
    return [number for number, line in enumerate(textwrap.dedent(source).splitlines(), 1) if line.endswith("# !")]
