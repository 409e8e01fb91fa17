"""Requirement findings (CF302, CF304, CF306) are suppressed like any other: a `# noqa`
on their requirements.txt line, and per-file-ignores patterns that match the printed path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]
USER = "def main():\n    return 'ok'\n"


def test_noqa_on_a_requirement_line(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": USER, "requirements.txt": "numpy==1.26\nsklearn\n"})
    assert cflint("--select", "CF302,CF304", ".", cwd=tmp_path).codes == ["CF302", "CF304"]
    write_files(tmp_path, {"requirements.txt": "numpy==1.26  # noqa: CF302\nsklearn # noqa\n"})
    result = cflint("--select", "CF302,CF304", ".", cwd=tmp_path)
    assert result.code == 0, result.out


def test_noqa_for_another_code_does_not_suppress(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": USER, "requirements.txt": "numpy==1.26  # noqa: CF304\n"})
    assert cflint("--select", "CF302", ".", cwd=tmp_path).codes == ["CF302"]


def test_noqa_in_an_included_file(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": USER, "requirements.txt": "-r base.txt\n", "base.txt": "numpy\n"})
    assert cflint("--select", "CF302", ".", cwd=tmp_path).lines[0].startswith("base.txt:1:1: CF302")
    write_files(tmp_path, {"base.txt": "numpy  # noqa: CF302 we vendor a pure build\n"})
    assert cflint("--select", "CF302", ".", cwd=tmp_path).code == 0


@pytest.mark.parametrize(
    "pattern", ["requirements.txt", "*.txt", "functions/x/requirements.txt", "functions/*/requirements.txt"]
)
def test_per_file_ignores_match_the_printed_path(pattern: str, tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "functions/x/user.py": USER,
            "functions/x/requirements.txt": "numpy\n",
            "functions/y/user.py": "import numpy\n\ndef main():\n    return 'ok'\n",
            "functions/y/requirements.txt": "requests\n",
        },
    )
    before = cflint("--select", "CF301,CF302", ".", cwd=tmp_path)
    assert [line.split(":")[0] for line in before.lines] == ["functions/x/requirements.txt", "functions/y/user.py"]
    write_files(tmp_path, {"cflint.toml": f'per-file-ignores = {{"{pattern}" = ["CF302"]}}\n'})
    after = cflint("--select", "CF301,CF302", ".", cwd=tmp_path)
    assert [line.split(":")[0] for line in after.lines] == ["functions/y/user.py"]
