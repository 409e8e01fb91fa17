"""`# noqa` directives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]


def lint(tmp_path: Path, cflint: Cflint, line: str, *args: str) -> list[str]:
    write_files(tmp_path, {"requirements.txt": "", "user.py": f"def main(request):{line}\n    return 'x'\n"})
    return [out.split(": ", 1)[1] for out in cflint(*args, ".").lines]


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("", ["CF103"]),
        ("  # noqa", []),
        ("  # NOQA", []),
        ("  # noqa: CF103", []),
        ("  # noqa:CF103", []),
        ("  # noqa: CF104", ["CF103"]),
        ("  # noqa: CF103, CF104 -- ported from GCF", []),
        ("  # noqa: CF104 CF103", []),
        ("  # noqa: E501", ["CF103"]),
        ("  # type: ignore  # noqa: CF103", []),
        ("  # just a comment mentioning noqa-like words: noqa", ["CF103"]),
    ],
)
def test_directives(tmp_path: Path, cflint: Cflint, comment: str, expected: list[str]) -> None:
    assert [found.split(" ")[0] for found in lint(tmp_path, cflint, comment)] == expected


@pytest.mark.parametrize(
    ("comment", "problem"),
    [
        ("  # noqa CF103", "missing ':' after 'noqa' (write '# noqa: CF103') [fix: --fix]"),
        ("  # noqa:", "no rule codes after 'noqa:'"),
        ("  # noqa: CF999", "unknown rule code CF999"),
        ("  # cflint: noqa", "'# cflint: noqa' must stand alone on its own line"),
    ],
)
def test_malformed_directive_is_reported_and_not_widened(
    tmp_path: Path, cflint: Cflint, comment: str, problem: str
) -> None:
    found = lint(tmp_path, cflint, comment)
    assert found[0].startswith("CF103 ")
    assert found[1] == f"CF010 invalid noqa directive: {problem}"


def test_noqa_text_inside_a_string_is_not_a_directive(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": "def main(request, x='# noqa'):\n    return 'x'\n"})
    assert cflint(".").codes == ["CF103"]


def test_file_level_directive_skips_the_file(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": "# cflint: noqa\ndef main(request):\n    return 'x'\n"})
    assert cflint(".").lines == []


def test_unused_noqa(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {"requirements.txt": "", "user.py": "def main(request):  # noqa: CF103, CF105, E501\n    return 'x'  # noqa\n"},
    )
    assert cflint("--extend-select", "CF011", ".").lines == [
        "user.py:1:21: CF011 unused noqa for CF105 [fix: --fix]",
        "user.py:2:17: CF011 unused blanket noqa [fix: --fix]",
    ]
