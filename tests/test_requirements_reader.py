"""The requirements.txt reader: every form of line pip accepts, includes and their loops."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cflint.knowledge import requirements as cflint_requirements
from cflint.knowledge.requirements import Requirements, logical_lines, read_requirements
from tests.helpers import CliResult, write_files


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


# Issue 17: cases that kill surviving mutants of the requirements reader.


def test_oserror_reading_requirements_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    """The OSError branch of read_requirements: a folder named requirements.txt, and a
    reader that raises PermissionError."""
    (tmp_path / "requirements.txt").mkdir()
    result = read_requirements(tmp_path / "requirements.txt")
    assert result.found and not result.complete and result.lines == ()
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
