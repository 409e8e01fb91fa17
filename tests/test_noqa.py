"""`# noqa` directives."""

from __future__ import annotations

import json
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
        # whitespace before the colon, as ruff reads it: the codes named, no more
        ("  # noqa : CF103", []),
        ("  # noqa\t:\tCF103", []),
        ("  # noqa : CF104", ["CF103"]),
        ("  # noqa -- reason", []),
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
        ("  # noqa : CF999", "unknown rule code CF999"),
        ("  # noqa :", "no rule codes after 'noqa:'"),
        # another mark where the colon belongs: never widened into a blanket directive
        ("  # noqa; CF104", "missing ':' after 'noqa' (write '# noqa: CF104') [fix: --fix]"),
        ("  # noqa, CF104", "missing ':' after 'noqa' (write '# noqa: CF104') [fix: --fix]"),
        ("  # noqa-CF104", "missing ':' after 'noqa' (write '# noqa: CF104') [fix: --fix]"),
        ("  # noqa ; CF104", "missing ':' after 'noqa' (write '# noqa: CF104') [fix: --fix]"),
        ("  # noqa.", "'.' after 'noqa' (write '# noqa' for every code, '# noqa: CODE' for one)"),
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


@pytest.mark.parametrize(
    ("comment", "repaired"),
    [
        ("# noqa CF103", "# noqa: CF103"),
        ("# noqa; CF103", "# noqa: CF103"),
        ("# noqa,CF103", "# noqa:CF103"),
        ("# noqa - CF103 -- why", "# noqa : CF103 -- why"),
    ],
)
def test_the_missing_colon_is_repaired(tmp_path: Path, cflint: Cflint, comment: str, repaired: str) -> None:
    write_files(tmp_path, {"requirements.txt": "", "user.py": f"def main(request):  {comment}\n    return 'x'\n"})
    cflint("--fix", ".")
    assert (tmp_path / "user.py").read_text() == f"def main(request):  {repaired}\n    return 'x'\n"
    assert cflint(".").lines == []


MUST_FINISH = (
    "import subprocess\n\n\ndef main():\n    subprocess.run(['true'])  # noqa CF403 -- must finish\n    return 'x'\n"
)


@pytest.mark.parametrize("level", [["--fix"], ["--fix", "--unsafe-fixes"], ["--fix-only", "--unsafe-fixes"]])
def test_a_malformed_noqa_naming_the_code_is_repaired_and_the_call_left_alone(
    tmp_path: Path, cflint: Cflint, level: list[str]
) -> None:
    """The user meant to suppress CF403 there: at any fix level the directive is repaired and
    the call keeps having no timeout."""
    write_files(tmp_path, {"requirements.txt": "", "user.py": MUST_FINISH})
    cflint(*level, ".")
    assert (tmp_path / "user.py").read_text() == MUST_FINISH.replace("# noqa CF403", "# noqa: CF403")
    assert cflint(".").lines == []


@pytest.mark.parametrize("comment", ["# noqa CF403", "# noqa: CF403, CF999", "# noqa; CF403"])
def test_the_finding_a_malformed_noqa_names_is_reported_without_its_fix(
    tmp_path: Path, cflint: Cflint, comment: str
) -> None:
    source = MUST_FINISH.replace("# noqa CF403", comment)
    write_files(tmp_path, {"requirements.txt": "", "user.py": source})
    result = cflint("--select", "CF403,CF010", "--output-format", "json", ".")
    fixes = {finding["code"]: finding["fix"] for finding in json.loads(result.out)}
    assert fixes["CF403"] is None
    cflint("--select", "CF403", "--fix", "--unsafe-fixes", ".")
    assert (tmp_path / "user.py").read_text() == source


def test_a_malformed_noqa_naming_another_code_leaves_the_fix() -> None:
    """`# noqa : CF999` names CF999 only: CF403's fix stays."""
    from cflint.engine.noqa import scan
    from cflint.engine.registry import load_registry

    found = scan("x = 1  # noqa : CF999\n", load_registry().codes)
    assert found.directives == {}
    assert [bad.codes for bad in found.bad] == [("CF999",)]


def test_the_editor_reads_a_directive_as_the_linter_does() -> None:
    """Whitespace before the colon: the editor adds a code to the list and finds the code
    under the cursor, as it does for `# noqa: CODE`."""
    from cflint.engine.registry import load_registry
    from cflint.lsp.noqa_comments import add_noqa, noqa_code_at
    from cflint.model import Position

    source = "x = f()  # noqa : CF401\n"
    change = add_noqa(source, 1, "CF403", load_registry().codes)
    assert change is not None
    assert (change.start, change.end, change.new_text) == (Position(1, 24), Position(1, 24), ", CF403")
    assert noqa_code_at(source, 1, source.index("CF401") + 2) == "CF401"
