"""Configuration files, their discovery and precedence, and file selection."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]
TWO_PROBLEMS = {"requirements.txt": "", "user.py": "def main(request):\n    return 'x'\n\nmain = 3\n"}


def test_pyproject_table_found_walking_up(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "pyproject.toml": '[tool.cflint]\nignore = ["CF104"]\n',
            "fn/sub/x.py": "",
            **{f"fn/{k}": v for k, v in TWO_PROBLEMS.items()},
        },
    )
    assert cflint("fn").codes == ["CF103"]
    assert cflint(".", cwd=tmp_path / "fn" / "sub").codes == []


def test_pyproject_without_table_is_passed_over(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "cflint.toml": 'ignore = ["CF104"]\n',
            "fn/pyproject.toml": "[project]\nname = 'x'\n",
            **{f"fn/{k}": v for k, v in TWO_PROBLEMS.items()},
        },
    )
    assert cflint("fn").codes == ["CF103"]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({".cflint.toml": 'ignore = ["CF103"]\n', "cflint.toml": 'ignore = ["CF104"]\n'}, ["CF104"]),
        ({"cflint.toml": 'ignore = ["CF104"]\n', "pyproject.toml": '[tool.cflint]\nignore = ["CF103"]\n'}, ["CF103"]),
    ],
)
def test_file_precedence_in_one_folder(
    tmp_path: Path, cflint: Cflint, files: dict[str, str], expected: list[str]
) -> None:
    write_files(tmp_path, {**files, **TWO_PROBLEMS})
    assert cflint(".").codes == expected


def test_nearest_config_wins(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "cflint.toml": 'ignore = ["CF103"]\n',
            "fn/cflint.toml": 'ignore = ["CF104"]\n',
            **{f"fn/{k}": v for k, v in TWO_PROBLEMS.items()},
        },
    )
    assert cflint(".").codes == ["CF103"]


def test_command_line_wins_over_file(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"cflint.toml": 'select = ["CF104"]\n', **TWO_PROBLEMS})
    assert cflint(".").codes == ["CF104"]
    assert cflint("--select", "CF103", ".").codes == ["CF103"]
    assert cflint("--select", "CF1", "--ignore", "CF104", ".").codes == ["CF103"]


def test_explicit_config_file(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"elsewhere/settings.toml": 'ignore = ["CF103", "CF104"]\n', **TWO_PROBLEMS})
    assert cflint("--config", "elsewhere/settings.toml", ".").codes == []


def test_select_prefix_and_extend_select_for_default_off_rules(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": "def main():  # noqa: CF103\n    return 'x'\n"})
    assert cflint(".").codes == []
    assert cflint("--select", "CF0", ".").codes == []
    assert cflint("--extend-select", "CF011", ".").codes == ["CF011"]
    assert cflint("--select", "ALL", ".").codes == ["CF011"]


def test_per_file_ignores(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"cflint.toml": '[per-file-ignores]\n"user.py" = ["CF103"]\n', **TWO_PROBLEMS})
    assert cflint(".").codes == ["CF104"]
    assert cflint("--per-file-ignores", "user.py:CF104", ".").codes == ["CF103"]


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ('selct = ["CF1"]\n', "selct: unknown key"),
        ('select = "CF1"\nignore = 3\n', "ignore: expected a list of strings"),
        ('select = ["CF777"]\n', "select: unknown rule code or prefix 'CF777'"),
        ("entry-points = []\n", "entry-points: needs at least one entry point"),
        ('max-file-size = "lots"\n', 'max-file-size: expected a size such as 104857600 or "100 MiB"'),
        ('output-format = "xml"\n', "output-format: expected one of default, github, json, sarif, gitlab"),
        ('[per-file-ignores]\n"x.py" = ["CF9"]\n', "per-file-ignores.x.py: unknown rule code or prefix 'CF9'"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, cflint: Cflint, config: str, problem: str) -> None:
    write_files(tmp_path, {"cflint.toml": config, **TWO_PROBLEMS})
    result = cflint(".")
    assert (result.code, result.out) == (2, "")
    assert result.err == f"cflint: error: {tmp_path / 'cflint.toml'}: {problem}\n"


def test_gitignore_and_default_excludes(tmp_path: Path, cflint: Cflint) -> None:
    broken = "def f(:\n"
    write_files(
        tmp_path,
        {
            ".gitignore": "generated/\n*_gen.py\n",
            "generated/a.py": broken,
            "sub/b_gen.py": broken,
            ".venv/lib/c.py": broken,
            "node_modules/d.py": broken,
            "kept.py": broken,
        },
    )
    assert cflint("--ignore", "CF101", ".").lines == ["kept.py:1:7: CF001 cannot parse: invalid syntax"]


def test_exclude_and_extend_exclude(tmp_path: Path, cflint: Cflint) -> None:
    broken = "def f(:\n"
    write_files(
        tmp_path, {"a/x.py": broken, "b/y.py": broken, ".venv/z.py": broken, "cflint.toml": 'extend-exclude = ["a/"]\n'}
    )
    assert [line.split(":")[0] for line in cflint("--ignore", "CF101", ".").lines] == ["b/y.py"]
    replaced = cflint("--ignore", "CF101", "--exclude", "b", ".")
    assert [line.split(":")[0] for line in replaced.lines] == [".venv/z.py"]  # file's extend-exclude stays


def test_named_files_are_linted_even_when_excluded_unless_forced(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"cflint.toml": 'extend-exclude = ["legacy/"]\n', "legacy/x.py": "def f(:\n"})
    assert cflint("legacy/x.py").codes == ["CF001"]
    assert cflint("--force-exclude", "legacy/x.py").codes == []
    assert cflint(".").codes == []


def test_named_requirements_file_lints_its_function_root(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"fn/requirements.txt": "requests\n", "fn/handler.py": "def main():\n    return 1\n"})
    assert cflint("fn/requirements.txt").lines == [
        "fn:1:1: CF101 entry module user.py for entry point user.main not found in this function root; "
        'handler.py defines main(): rename it to user.py, or set entry-points = ["handler.main"]'
    ]


def test_tool_table_in_cflint_toml_gets_a_hint(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"cflint.toml": '[tool.cflint]\nignore = ["CF104"]\n', **TWO_PROBLEMS})
    result = cflint(".")
    assert result.code == 2
    assert result.err.endswith(
        "cflint.toml: tool: unknown key (outside pyproject.toml the keys stand at the top level, without [tool.cflint])\n"
    )
