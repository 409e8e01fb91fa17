"""The requirements.txt reader: every form of line pip accepts, includes and their loops."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cflint.knowledge import requirements as cflint_requirements
from cflint.knowledge.requirements import Requirements, read_requirements
from cflint.knowledge.requirements_format import logical_lines
from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]


def _read(tmp_path: Path, files: dict[str, str]) -> Requirements:
    write_files(tmp_path, files)
    return read_requirements(tmp_path / "requirements.txt", tmp_path)


def test_comments_blank_lines_and_continuations_keep_first_line_numbers() -> None:
    text = "# header\n\nrequests \\\n  >=2.28  # why\nx#y\n  # indented comment\nflask\n"
    assert [(line.number, line.text) for line in logical_lines(text)] == [
        (3, "requests   >=2.28"),
        (5, "x#y"),
        (7, "flask"),
    ]


def test_a_comment_line_ends_a_continuation() -> None:
    assert [line.text for line in logical_lines("requests \\\n# note\nflask\n")] == ["requests", "flask"]


def test_requirement_forms(tmp_path: Path) -> None:
    result = _read(
        tmp_path,
        {
            "requirements.txt": "\n".join(
                [
                    "NumPy>=1.0",
                    'requests[socks] >= 2.28, <3 ; python_version >= "3.8"',
                    "scikit_learn==1.* --hash=sha256:abc --hash=sha256:def",
                    "pkg @ https://example.com/pkg-1.0-py3-none-any.whl",
                    "yaml-tool==${VERSION}",
                    'old ; python_version < "3.8"',
                    "--index-url https://example.com/simple",
                    "--extra-index-url=https://example.com/extra",
                    "--prefer-binary",
                ]
            )
        },
    )
    assert [(line.line, line.name) for line in result.lines] == [
        (1, "numpy"),
        (2, "requests"),
        (3, "scikit-learn"),
        (4, "pkg"),
        (5, "yaml-tool"),
        (6, "old"),
    ]
    assert result.problems == ()
    assert result.complete
    assert [line.name for line in result.installed(((3, 11), (3, 13)))] == [
        "numpy",
        "requests",
        "scikit-learn",
        "pkg",
        "yaml-tool",
    ]


def test_lines_pip_cannot_install_from_the_index(tmp_path: Path) -> None:
    result = _read(
        tmp_path,
        {
            "requirements.txt": "\n".join(
                [
                    "-e ./vendor/lib",
                    "./local",
                    "dist/thing-1.0.tar.gz",
                    "foo @ git+https://github.com/x/foo.git",
                    "git+https://github.com/x/bar.git#egg=bar",
                    "bad requirement !!",
                    "--bogus",
                    "requests --no-deps",
                    "-r",
                ]
            )
        },
    )
    problems = {problem.line: problem.problem for problem in result.problems}
    assert problems[1].startswith("editable install of a local path")
    assert "local path" in problems[2] and "local path" in problems[3]
    assert "VCS URL" in problems[4] and "VCS URL" in problems[5]
    assert problems[6].startswith("cannot parse requirement")
    assert problems[7] == "pip does not know the option --bogus"
    assert problems[8] == "pip does not know the option --no-deps"
    assert problems[9] == "-r needs a value"
    assert {line.name for line in result.lines} >= {"foo", "bar"}
    assert not result.complete  # ./local names no distribution


def test_include_loop_is_reported_once_and_reading_stops(tmp_path: Path) -> None:
    result = _read(
        tmp_path,
        {
            "requirements.txt": "flask\n-r more.txt\n",
            "more.txt": "requests\n-r requirements.txt\n",
        },
    )
    assert [line.name for line in result.lines] == ["flask", "requests"]
    assert [(p.path.name, p.line, p.problem) for p in result.problems] == [
        ("more.txt", 2, "requirement files include each other: requirements.txt -> more.txt -> requirements.txt"),
    ]


def _include_chain(length: int, last: str) -> dict[str, str]:
    files = {"requirements.txt": "flask\n-r req0.txt\ngunicorn\n"}
    for number in range(length):
        files[f"req{number}.txt"] = f"-r req{number + 1}.txt\n" if number < length - 1 else last
    return files


def test_a_chain_of_600_includes_is_read_as_pip_reads_it(tmp_path: Path, cflint: Cflint) -> None:
    files = _include_chain(600, "requests\n-r req300.txt\n")
    result = _read(tmp_path / "fn", files)
    assert [line.name for line in result.lines] == ["flask", "requests", "gunicorn"]
    assert [(p.path.name, p.line, p.problem.split(":")[0]) for p in result.problems] == [
        ("req599.txt", 2, "requirement files include each other")
    ]
    assert result.problems[0].problem.startswith("requirement files include each other: req300.txt -> req301.txt -> ")
    write_files(tmp_path / "fn", {"user.py": "import requests\n\ndef main():\n    return requests.__name__\n"})
    lint = cflint("--no-cache", "fn")
    assert [line.split(" ")[1] for line in lint.lines] == ["CF304"]
    assert "CF003" not in lint.out and "include each other" in lint.out


def test_self_include_and_diamond(tmp_path: Path) -> None:
    result = _read(
        tmp_path,
        {
            "requirements.txt": "-r a.txt\n-r b.txt\n",
            "a.txt": "-r common.txt\n",
            "b.txt": "--requirement=common.txt\n-rb.txt\n",
            "common.txt": "six\n",
        },
    )
    assert [line.name for line in result.lines] == ["six"]
    assert [(p.path.name, p.line) for p in result.problems] == [("b.txt", 2)]


def test_constraints_and_missing_or_outside_includes(tmp_path: Path) -> None:
    (tmp_path / "fn").mkdir()
    write_files(tmp_path, {"common.txt": "six\n"})
    result = _read(
        tmp_path / "fn",
        {
            "requirements.txt": "-c constraints.txt\n-r missing.txt\n-r ../common.txt\nrequests\n",
            "constraints.txt": "numpy<2\n",
        },
    )
    assert [(line.name, line.constraint) for line in result.lines] == [("numpy", True), ("requests", False)]
    assert [line.name for line in result.installed(((3, 11),))] == ["requests"]
    problems = [(p.line, p.problem) for p in result.problems]
    assert problems[0] == (2, "cannot read missing.txt: No such file or directory")
    assert problems[1] == (3, "../common.txt is outside the function folder, so it is not in the uploaded ZIP")
    assert not result.complete


def test_variable_name_makes_the_set_incomplete(tmp_path: Path) -> None:
    result = _read(tmp_path, {"requirements.txt": "${PACKAGE}==1.0\n"})
    assert result.problems == () and not result.complete


def test_missing_and_undecodable_files(tmp_path: Path) -> None:
    assert not read_requirements(tmp_path / "requirements.txt").found
    (tmp_path / "requirements.txt").write_bytes(b"flask\n\xff\xfe\n")
    result = read_requirements(tmp_path / "requirements.txt")
    assert result.found and not result.complete
    assert [(p.line, p.problem) for p in result.problems] == [(2, "not UTF-8 text")]


def test_read_once_per_root_however_many_files_and_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cflint: Callable[..., CliResult]
) -> None:
    calls: list[Path] = []

    def counting(path: Path, root: Path | None = None) -> Requirements:
        calls.append(path)
        return read_requirements(path, root)

    monkeypatch.setattr(cflint_requirements, "read_requirements", counting)
    write_files(
        tmp_path,
        {
            "user.py": "import yaml\n",
            "a.py": "import requests\n",
            "b.py": "import boto3\n",
            "requirements.txt": "pyyaml\nrequests\nnumpy\n",
        },
    )
    result = cflint("--select", "CF302,CF303,CF304,CF601", ".", cwd=tmp_path)
    assert result.lines == [
        "b.py:1:8: CF303 boto3 is imported, but no requirements.txt line provides it [unsafe fix: --unsafe-fixes]",
        "requirements.txt:3:1: CF302 numpy cannot be installed on the runtime (C extension modules)",
    ]
    assert calls == [tmp_path / "requirements.txt"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from(list("ab-_.=<>~!@;:#\\/$={}[], \"'\tr-ec+1")), max_size=40), max_size=8)
)
def test_reader_never_raises(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "requirements.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        result = read_requirements(path)
    assert result.found
    assert all(1 <= line.line <= max(len(lines), 1) for line in result.lines)


# Edge cases of the requirements reader, each one a comparison or branch that no case above
# tells apart (a mutation of it would pass them all).


def test_oserror_reading_requirements_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    """The OSError branch of read_requirements: a folder named requirements.txt, and a
    reader that raises PermissionError."""
    (tmp_path / "requirements.txt").mkdir()
    result = read_requirements(tmp_path / "requirements.txt")
    assert result.found and result.complete is False and result.lines == ()
    assert [(p.path, p.line, p.text, p.problem) for p in result.problems] == [
        (tmp_path / "requirements.txt", 1, "", "cannot read: not a regular file (a folder)")
    ]

    def unreadable(path: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(path))

    result = read_requirements(tmp_path / "other.txt", tmp_path, read_bytes=unreadable)
    assert result.found and not result.complete
    assert [(p.line, p.text, p.problem) for p in result.problems] == [(1, "", "cannot read: Permission denied")]


def test_bare_options_remote_includes_and_direct_urls(tmp_path: Path) -> None:
    result = _read(
        tmp_path,
        {
            "requirements.txt": "\n".join(
                [
                    "-e",
                    "--index-url",
                    "-r https://example.com/r.txt",
                    "https://example.com/pkg-1.0.tar.gz#egg=pkg",
                    "file:///tmp/pkg-1.0.tar.gz",
                    "flask",
                ]
            )
        },
    )
    path = tmp_path / "requirements.txt"
    assert [(p.path, p.line, p.text, p.problem) for p in result.problems] == [
        (path, 1, "-e", "-e needs a value"),
        (path, 2, "--index-url", "--index-url needs a value"),
        (path, 5, "file:///tmp/pkg-1.0.tar.gz", "installs from a local path, not from the package index"),
    ]
    assert [(line.path, line.line, line.text, line.name) for line in result.lines] == [
        (path, 4, "https://example.com/pkg-1.0.tar.gz#egg=pkg", "pkg"),
        (path, 5, "file:///tmp/pkg-1.0.tar.gz", None),
        (path, 6, "flask", "flask"),
    ]
    assert not result.complete  # the remote include and the unnamed file: URL


def test_remote_include_alone_makes_the_set_incomplete(tmp_path: Path) -> None:
    result = _read(tmp_path, {"requirements.txt": "-r https://example.com/r.txt\nflask\n"})
    assert result.problems == () and not result.complete
    assert [line.name for line in result.lines] == ["flask"]


def test_markers_are_evaluated_for_the_given_versions_not_the_host(tmp_path: Path) -> None:
    result = _read(tmp_path, {"requirements.txt": 'old; python_version < "3.8"\nnew; python_version >= "3.12"\n'})
    assert [line.name for line in result.installed(((3, 7),))] == ["old"]
    assert [line.name for line in result.installed(((3, 11),))] == []
    assert [line.name for line in result.installed(((3, 12),))] == ["new"]
    assert [line.name for line in result.installed(((3, 7), (3, 13)))] == ["old", "new"]


@pytest.mark.parametrize(
    ("marker", "installed"),
    [
        ('sys_platform == "linux"', True),
        ('sys_platform == "win32"', False),
        ('platform_system == "Linux"', True),
        ('platform_system == "Windows"', False),
        ('os_name == "posix"', True),
        ('os_name == "nt"', False),
        ('platform_python_implementation == "CPython"', True),
        ('platform_python_implementation == "PyPy"', False),
        ('implementation_name == "cpython"', True),
        ('implementation_name == "pypy"', False),
        ('python_full_version == "3.11.0"', True),
        ('python_full_version < "3.8"', False),
        ('python_version == "3.11"', True),
        ('extra == "docs"', False),
    ],
)
def test_each_marker_variable_of_the_linux_runtime(marker: str, installed: bool, tmp_path: Path) -> None:
    result = _read(tmp_path, {"requirements.txt": f"pkg; {marker}\n"})
    assert [line.name for line in result.installed(((3, 11),))] == (["pkg"] if installed else [])


# Every reported problem is asserted whole (path, line, text, message),
# `complete` as the bool it is, and what a line means is checked against pip's own parser.


def _problems(result: Requirements) -> list[tuple[str, int, str, str]]:
    return [(p.path.name, p.line, p.text, p.problem) for p in result.problems]


def _pip_reads(path: Path) -> list[tuple[str, bool, bool]] | None:
    """(requirement, constraint, editable) for each requirement pip's requirements-file parser
    yields and pip's constructor accepts; None when pip refuses the file."""
    from pip._internal.exceptions import InstallationError
    from pip._internal.network.session import PipSession
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import parse_requirements

    found = []
    try:
        for parsed in parse_requirements(str(path), session=PipSession()):
            install_req_from_parsed_requirement(parsed)
            found.append((parsed.requirement, parsed.constraint, parsed.is_editable))
    except (InstallationError, SystemExit):
        return None
    return found


def _packaging_error(text: str) -> str:
    """The first line of packaging's message for a requirement it cannot parse."""
    from packaging.requirements import InvalidRequirement, Requirement

    with pytest.raises(InvalidRequirement) as raised:
        Requirement(text)
    return f"cannot parse requirement: {str(raised.value).splitlines()[0]}"


@pytest.mark.parametrize(
    ("line", "lines"),
    [
        ("-r a.txt -r b.txt", [("flask", False)]),
        ("-r a.txt -c b.txt", [("flask", False)]),
        ("-c b.txt -r a.txt", [("flask", False)]),
        ("-c b.txt -c a.txt", [("six", True)]),
        ("-r a.txt stray -c b.txt", [("flask", False)]),
        ("--pre -r a.txt", [("flask", False)]),
        ("-rb.txt", [("six", False)]),
        ("-r\ta.txt", [("flask", False)]),
    ],
)
def test_an_option_line_reads_the_first_file_as_pip_does(
    line: str, lines: list[tuple[str, bool]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _read(tmp_path, {"requirements.txt": line + "\n", "a.txt": "flask\n", "b.txt": "six\n"})
    assert [(item.name, item.constraint) for item in result.lines] == lines
    assert result.problems == () and result.complete is True
    monkeypatch.chdir(tmp_path)
    assert [(name, constraint) for name, constraint, _ in _pip_reads(tmp_path / "requirements.txt")] == lines


def test_an_editable_option_wins_over_an_include_as_in_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _read(tmp_path, {"requirements.txt": "-e ./x -e ./y -r a.txt\n", "a.txt": "flask\n", "x/setup.py": ""})
    assert [(item.line, item.text, item.name, item.constraint) for item in result.lines] == [
        (1, "-e ./x -e ./y -r a.txt", None, False)
    ]
    assert _problems(result) == [
        (
            "requirements.txt",
            1,
            "-e ./x -e ./y -r a.txt",
            "editable install of a local path: the runtime installs from the package index",
        )
    ]
    assert result.complete is False
    monkeypatch.chdir(tmp_path)
    assert _pip_reads(tmp_path / "requirements.txt") == [("./x", False, True)]


def test_requirements_included_by_a_constraints_file_are_installed_as_in_pip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "requirements.txt": "-c constraints.txt\n",
        "constraints.txt": "numpy<2\n-r more.txt\n-c pins.txt\n",
        "more.txt": "flask\n",
        "pins.txt": "six\n",
    }
    result = _read(tmp_path, files)
    assert [(item.path.name, item.name, item.constraint) for item in result.lines] == [
        ("constraints.txt", "numpy", True),
        ("more.txt", "flask", False),
        ("pins.txt", "six", True),
    ]
    assert [item.name for item in result.installed(((3, 11),))] == ["flask"]
    monkeypatch.chdir(tmp_path)
    assert _pip_reads(tmp_path / "requirements.txt") == [
        ("numpy<2", True, False),
        ("flask", False, False),
        ("six", True, False),
    ]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("--pre stray --bogus", "pip does not know the option --bogus"),
        ("-q", "pip does not know the option -q"),
        ("--pr x", "--pr is ambiguous"),
        ("--no", "--no is ambiguous"),
        ("--pre=yes", "--pre takes no value"),
        ("--prefer-binary=1 --bogus", "--prefer-binary takes no value"),
        ("-r", "-r needs a value"),
        ("pkg --hash sha1:aa", "--hash takes sha256, sha384 or sha512"),
        ("requests --hash='unclosed", "pip cannot split its options (an unclosed quote?)"),
        ("bad requirement !!", _packaging_error("bad requirement !!")),
        ("git+git@github.com:x/y.git#egg=y", _packaging_error("git+git@github.com:x/y.git#egg=y")),
    ],
)
def test_a_line_pip_refuses_is_one_whole_problem(line: str, problem: str, tmp_path: Path) -> None:
    result = _read(tmp_path, {"requirements.txt": f"flask\n{line}\n"})
    assert _problems(result) == [("requirements.txt", 2, line, problem)]
    assert [item.name for item in result.lines] == ["flask"]
    assert result.complete is False  # pip stops at the line, so what it installs is unknown
    assert _pip_reads(tmp_path / "requirements.txt") is None


@pytest.mark.parametrize("line", ["--bogus", "bad requirement !!", "-e ./lib", "https://example.com/x-1.0.tar.gz"])
def test_a_bad_or_unnamed_constraint_leaves_the_installed_set_known(line: str, tmp_path: Path) -> None:
    result = _read(tmp_path, {"requirements.txt": "-c constraints.txt\nflask\n", "constraints.txt": line + "\n"})
    assert [(item.name, item.constraint) for item in result.lines][-1] == ("flask", False)
    assert all(problem.path.name == "constraints.txt" and problem.text == line for problem in result.problems)
    assert result.complete is True


@pytest.mark.parametrize(
    "line",
    ["--pre stray --no-index", "--pre -", "-ihttps://example.com/simple", "--pre -- --bogus", "--pre --"],
)
def test_option_lines_pip_accepts(line: str, tmp_path: Path) -> None:
    result = _read(tmp_path, {"requirements.txt": line + "\n"})
    assert result.problems == () and result.complete is True
    assert _pip_reads(tmp_path / "requirements.txt") == []


def test_requirement_text_before_options_is_kept_whole(tmp_path: Path) -> None:
    result = _read(
        tmp_path,
        {"requirements.txt": "requests >= 2.0, <3 --hash=sha256:aa\nflask\t--hash=sha256:aa\n"},
    )
    assert [(item.line, item.text, item.name, item.specifier) for item in result.lines] == [
        (1, "requests >= 2.0, <3", "requests", "<3,>=2.0"),
    ]
    # pip splits a requirement from its options only at a space: the tab stays in the requirement
    assert _problems(result) == [
        (
            "requirements.txt",
            2,
            "flask\t--hash=sha256:aa",
            _packaging_error("flask\t--hash=sha256:aa"),
        )
    ]
    assert result.complete is False
    assert _pip_reads(tmp_path / "requirements.txt") is None
    (tmp_path / "requirements.txt").write_text("requests >= 2.0, <3 --hash=sha256:aa:bb\n", encoding="utf-8")
    assert _pip_reads(tmp_path / "requirements.txt") == [("requests >= 2.0, <3", False, False)]
    result = read_requirements(tmp_path / "requirements.txt")
    assert [item.name for item in result.lines] == ["requests"] and result.problems == ()


def test_encodings_from_a_bom_or_a_coding_line_in_the_first_two(tmp_path: Path) -> None:
    cases: dict[bytes, list[tuple[int, str, str]]] = {
        "requests\n".encode("utf-16"): [],
        "# -*- coding: latin-1 -*-\n# caf\xe9\nrequests\n".encode("latin-1"): [],
        b"\n# coding: latin-1\n# caf\xe9\nrequests\n": [],
        b"# a\n# b\n# coding: nosuch\nrequests\n": [],  # only the first two lines can name it
        b"--index-url https://example.com/coding=nosuch/\nrequests\n": [],  # not a comment
        b"# coding: nosuch\nrequests\n": [(1, "", "unknown encoding in its coding line (unknown encoding: nosuch)")],
        b"# coding: ascii\n# caf\xc3\xa9\nrequests\n": [(2, "", "not ascii text")],
        b"\nrequests\n\xff\nsix\n": [(3, "", "not UTF-8 text")],
    }
    for data, problems in cases.items():
        (tmp_path / "requirements.txt").write_bytes(data)
        result = read_requirements(tmp_path / "requirements.txt")
        assert [(p.path, p.line, p.text, p.problem) for p in result.problems] == [
            (tmp_path / "requirements.txt", *problem) for problem in problems
        ], data
        assert [item.name for item in result.lines] == ([] if problems else ["requests"])
        assert result.complete is (not problems)


def test_continuations_around_comment_lines() -> None:
    text = "# note \\\nrequests \\\n  >=2 \\\n# why\nflask \\\n  ==3 \\"
    assert [(line.number, line.text) for line in logical_lines(text)] == [
        (2, "requests   >=2"),
        (5, "flask   ==3"),
    ]


def test_missing_file_and_root_above_the_file(tmp_path: Path) -> None:
    assert read_requirements(tmp_path / "requirements.txt") == Requirements(tmp_path / "requirements.txt", found=False)
    write_files(tmp_path, {"common.txt": "six\n", "fn/requirements.txt": "-r ../common.txt\n"})
    result = read_requirements(tmp_path / "fn" / "requirements.txt", root=tmp_path)
    assert result.path == tmp_path / "fn" / "requirements.txt"
    assert [(item.path, item.name) for item in result.lines] == [(tmp_path / "common.txt", "six")]
    assert result.problems == () and result.complete is True


def test_include_problems_are_whole(tmp_path: Path) -> None:
    (tmp_path / "fn").mkdir()
    write_files(tmp_path, {"common.txt": "six\n"})
    for line, problem in [
        ("-r missing.txt", "cannot read missing.txt: No such file or directory"),
        ("-c missing.txt", "cannot read missing.txt: No such file or directory"),
        ("-r ../common.txt", "../common.txt is outside the function folder, so it is not in the uploaded ZIP"),
        ("-r requirements.txt", "requirement files include each other: requirements.txt -> requirements.txt"),
    ]:
        result = _read(tmp_path / "fn", {"requirements.txt": f"flask\n{line}\n"})
        assert [(p.path, p.line, p.text, p.problem) for p in result.problems] == [
            (tmp_path / "fn" / "requirements.txt", 2, line, problem)
        ]
        assert [item.name for item in result.lines] == ["flask"]
        assert result.complete is ("include each other" in problem)
    result = _read(tmp_path / "fn", {"requirements.txt": "-r https://example.com/r.txt\n"})
    assert result.problems == () and result.complete is False


@pytest.mark.parametrize(
    ("line", "name", "constraint", "problem"),
    [
        ("foo @ git+https://github.com/x/foo.git", "foo", False, "installs from a VCS URL, not from the package index"),
        ("foo @ file:///tmp/foo-1.0.tar.gz", "foo", False, "installs from a local file, not from the package index"),
        ("foo @ https://example.com/foo-1.0.tar.gz", "foo", False, None),
        (
            "git+https://github.com/x/bar.git@v1#egg=bar",
            "bar",
            False,
            "installs from a VCS URL, not from the package index",
        ),
        ("https://user@example.com/pkg-1.0.tar.gz#egg=pkg", "pkg", False, None),
        ("vendor/lib", None, False, "installs from a local path, not from the package index"),
        ("vendor\\lib", None, False, "installs from a local path, not from the package index"),
        ("-e vendor/lib", None, False, "editable install of a local path: the runtime installs from the package index"),
        (
            "-e git+https://h/x.git#egg=x",
            "x",
            False,
            "editable install of a VCS URL: the runtime installs from the package index",
        ),
        (
            "-e https://h/x-1.0.tar.gz",
            None,
            False,
            "editable install of a URL: the runtime installs from the package index",
        ),
    ],
)
def test_each_direct_reference_line_whole(
    line: str, name: str | None, constraint: bool, problem: str | None, tmp_path: Path
) -> None:
    for in_constraints in (False, True):
        files = (
            {"requirements.txt": "-c c.txt\n", "c.txt": line + "\n"}
            if in_constraints
            else {"requirements.txt": line + "\n"}
        )
        result = _read(tmp_path, files)
        file = tmp_path / ("c.txt" if in_constraints else "requirements.txt")
        assert [(item.path, item.line, item.text, item.name, item.constraint) for item in result.lines] == [
            (file, 1, line, name, in_constraints)
        ]
        assert [(p.path, p.line, p.text, p.problem) for p in result.problems] == (
            [(file, 1, line, problem)] if problem else []
        )
        assert result.complete is (in_constraints or name is not None)


def test_a_line_with_a_variable_in_its_name(tmp_path: Path) -> None:
    result = _read(tmp_path, {"requirements.txt": "-c c.txt\n${PACKAGE}==1.0\n", "c.txt": "${PIN}==2.0\n"})
    assert [(item.name, item.constraint, item.specifier) for item in result.lines] == [
        (None, True, "==2.0"),
        (None, False, "==1.0"),
    ]
    assert result.complete is False
    result = _read(tmp_path, {"requirements.txt": "-c c.txt\n"})
    assert result.complete is True


def test_markers_do_not_depend_on_the_machine_cflint_runs_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import packaging.markers

    windows_pypy = {
        "implementation_name": "pypy",
        "implementation_version": "7.3.0",
        "os_name": "nt",
        "platform_machine": "AMD64",
        "platform_release": "10",
        "platform_system": "Windows",
        "platform_version": "10.0",
        "python_full_version": "2.7.18",
        "platform_python_implementation": "PyPy",
        "python_version": "2.7",
        "sys_platform": "win32",
    }
    monkeypatch.setattr(packaging.markers, "default_environment", lambda: dict(windows_pypy))
    markers = [
        'sys_platform == "linux"',
        'platform_system == "Linux"',
        'os_name == "posix"',
        'platform_python_implementation == "CPython"',
        'implementation_name == "cpython"',
        'python_version == "3.11"',
        'python_full_version == "3.11.0"',
        'extra == ""',
        'python_version ~= "3"',  # packaging cannot compare it: kept, as the safer reading
    ]
    result = _read(tmp_path, {"requirements.txt": "".join(f"p{i}; {m}\n" for i, m in enumerate(markers))})
    assert [item.name for item in result.installed(((3, 11),))] == [f"p{i}" for i in range(len(markers))]


_CLAUSES = st.tuples(
    st.sampled_from(["", " ", "\t"]),
    st.sampled_from(["", "==", "!=", ">=", "<=", ">", "<", "~=", "===", "=", "<>"]),
    st.sampled_from(["", " "]),
    st.from_regex(r"[0-9.*,v]{0,5}", fullmatch=True),
).map("".join)


@pytest.mark.parametrize(
    "examples", [pytest.param(150, id="quick"), pytest.param(400, id="deep", marks=pytest.mark.slow)]
)
def test_lines_read_without_packaging_read_as_packaging_reads_them(examples: int) -> None:
    """The fast path for plain lines gives what `packaging` gives, and takes nothing it refuses."""
    from packaging.requirements import InvalidRequirement, Requirement

    @settings(max_examples=examples, deadline=None)
    @given(
        name=st.from_regex(r"[A-Za-z0-9._-]{1,6}", fullmatch=True),
        clause=_CLAUSES,
        tail=st.sampled_from(["", " ", "[x]", " ; python_version < '3'", " @ https://e.x/a.whl", "-", "_"]),
    )
    def check(name: str, clause: str, tail: str) -> None:
        text = f"{name}{clause}{tail}"
        simple = cflint_requirements._SIMPLE_REQUIREMENT.fullmatch(text)
        if simple is None:
            return
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            pytest.fail(f"{text!r} is read without packaging, which refuses it")
        written_name, operator, version = simple.groups()
        assert (written_name, f"{operator}{version}" if operator else "") == (
            requirement.name,
            str(requirement.specifier),
        )
        assert (requirement.marker, requirement.url, requirement.extras) == (None, None, set())

    check()


@pytest.mark.parametrize(
    ("line", "specifier"),
    [("pyyaml", ""), ("flask == 3.0.3", "==3.0.3"), ("Requests>=2", ">=2"), ("a.b-c_d<1.0", "<1.0")],
)
def test_plain_lines_are_read_without_importing_packaging(line: str, specifier: str, tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(line + "\n", encoding="utf-8")
    script = (
        "import sys; from pathlib import Path; from cflint.knowledge.requirements import read_requirements\n"
        "line = read_requirements(Path(sys.argv[1])).lines[0]\n"
        "print(line.name, repr(line.specifier), 'packaging' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "requirements.txt")], capture_output=True, text=True, check=True
    )
    name = re.split(r"[ =<>]", line)[0].lower().replace("_", "-").replace(".", "-")
    assert done.stdout.split() == [name, repr(specifier), "False"]
