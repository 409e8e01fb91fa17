"""CF602: syntax newer than the oldest target version, PEP 701 f-string forms included."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]


@pytest.mark.parametrize(
    ("source", "needs"),
    [
        ("type Alias = int\n", "3.12"),
        ("def first[T](items: list[T]) -> T:\n    return items[0]\n", "3.12"),
        ("class Box[T]:\n    pass\n", "3.12"),
        ("type Pair[T = int] = tuple[T, T]\n", "3.13"),
        ("def f[T = str]():\n    pass\n", "3.13"),
        ('x = f"{d["key"]}"\n', "3.12"),
        ("x = f'{'a'}'\n", "3.12"),
        ("x = f\"{chr(10) + '\\n'}\"\n", "3.12"),
        ('x = f"""{value  # the value\n}"""\n', "3.12"),
        ('x = f"{a +\n b}"\n', "3.12"),
        ('x = f"{f"{y}"}"\n', "3.12"),
        ("try:\n    pass\nexcept ValueError, TypeError:\n    pass\n", "3.14"),
        ('x = t"hello {name}"\n', "3.14"),
    ],
)
def test_reported_with_the_version_it_needs(source: str, needs: str, tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": source})
    result = cflint("--select", "CF602", ".", cwd=tmp_path)
    assert len(result.lines) == 1, result.out
    assert f"needs Python {needs}, but target-versions includes 3.11" in result.lines[0]


@pytest.mark.parametrize(
    "source",
    [
        'x = f"""{d["key"]}"""\n',
        "x = f\"{d['key']!r:>{width}}\"\n",
        'x = f"{value:#>10}"\n',
        'x = f"{value=}"\n',
        'x = f"""{a +\n b}"""\n',
        "try:\n    pass\nexcept (ValueError, TypeError):\n    pass\n",
        "from typing import TypeVar\nT = TypeVar('T')\n",
    ],
)
def test_311_syntax_is_not_reported(source: str, tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": source})
    assert cflint("--select", "CF602", ".", cwd=tmp_path).lines == []


def test_oldest_target_version_decides(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": 'type A = int\ndef f[T = int]():\n    pass\nx = f"{"a"}"\n',
            "cflint.toml": 'target-versions = ["3.12", "3.13"]\n',
        },
    )
    result = cflint("--select", "CF602", ".", cwd=tmp_path)
    assert result.lines == [
        "user.py:2:6: CF602 a type parameter default (PEP 696) needs Python 3.13, but target-versions includes 3.12"
    ]
    write_files(tmp_path, {"cflint.toml": 'target-versions = ["3.13"]\n'})
    assert cflint("--select", "CF602", ".", cwd=tmp_path).lines == []
