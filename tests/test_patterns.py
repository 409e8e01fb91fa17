"""Path patterns: the plain ones matched without pathspec agree with pathspec, bad ones are handled."""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
from pathlib import Path

import pathspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cflint.fs import patterns
from cflint.fs.patterns import PathPatterns, PatternError, name_matches
from cflint.model import UsageError
from cflint.settings.config import setting_patterns
from tests.helpers import write_files

_NAME_PIECES = st.sampled_from(
    ["a", "b", "B", "1", ".", "_", "-", "~", "*", "**", "?", "[ab]", "[!a]", "[a-c]", "[", "]"]
)
_NAMES = st.lists(_NAME_PIECES, min_size=1, max_size=4).map("".join)
_LINES = st.tuples(
    st.sampled_from(["", "", "/", "!", "#", "\\#", " "]),
    _NAMES,
    st.sampled_from(["", "", "/", "/a", "/**", " ", "\\ "]),
).map("".join)
_PATHS = st.tuples(
    st.lists(
        st.sampled_from(["a", "b", "B", "ab", ".a", "a.b", "1", "_", "a-b", "~", "x[ab]"]), min_size=1, max_size=4
    ),
    st.booleans(),
).map(lambda parts_folder: "/".join(parts_folder[0]) + ("/" if parts_folder[1] else ""))


def _pathspec_reading(lines: list[str]) -> pathspec.GitIgnoreSpec:
    """pathspec's answer, without the lines it cannot compile (git matches nothing with them)."""
    kept = []
    for line in lines:
        try:
            pathspec.GitIgnoreSpec.from_lines([line])
        except (re.error, ValueError):
            continue
        kept.append(line)
    return pathspec.GitIgnoreSpec.from_lines(kept)


@pytest.mark.parametrize(
    "examples", [pytest.param(200, id="quick"), pytest.param(600, id="deep", marks=pytest.mark.slow)]
)
def test_patterns_match_as_pathspec_matches(examples: int) -> None:
    @settings(max_examples=examples, deadline=None)
    @given(lines=st.lists(_LINES, max_size=4), paths=st.lists(_PATHS, min_size=1, max_size=6))
    def check(lines: list[str], paths: list[str]) -> None:
        ours = PathPatterns.of_gitignore(lines)
        theirs = _pathspec_reading(lines)
        assert [ours.match_file(path) for path in paths] == [theirs.match_file(path) for path in paths]

    check()


@pytest.mark.parametrize(
    ("lines", "matched", "unmatched"),
    [
        (["build"], ["build", "build/", "a/build", "a/build/x.py"], ["builds", "a/rebuild"]),
        (["build/"], ["build/", "a/build/x.py", "build/x"], ["build", "a/build"]),
        (["/test.py"], ["test.py", "test.py/x"], ["a/test.py"]),
        (["/out/"], ["out/", "out/x.py"], ["out", "a/out/x.py"]),
        (["*.py[co]"], ["a.pyc", "x/a.pyo", "a.pyc/b"], ["a.py", "a.pyd"]),
        (["._*", "*~"], ["._x", "d/a~"], ["x._", "~a"]),
        (["[ab]?"], ["a1", "x/bb"], ["c1", "a", "a12"]),
    ],
)
def test_plain_patterns(lines: list[str], matched: list[str], unmatched: list[str]) -> None:
    patterns = setting_patterns(lines, "exclude")
    assert [path for path in matched + unmatched if patterns.match_file(path)] == matched


def test_a_bad_pattern_in_the_config_is_a_usage_error_naming_it() -> None:
    with pytest.raises(UsageError, match=r"^exclude: '\[z-a\]' is not a valid pattern \(bad character range z-a\)$"):
        setting_patterns(["build/", "[z-a]"], "exclude")


def test_a_bad_pattern_is_a_pattern_error_naming_the_first_bad_line() -> None:
    with pytest.raises(PatternError) as raised:
        PathPatterns.of_lines(["build/", "[z-a]", "[y-b]"])
    assert (raised.value.line, raised.value.reason) == ("[z-a]", "bad character range z-a")


def test_a_bad_pattern_in_a_gitignore_matches_nothing_and_the_others_still_apply() -> None:
    patterns = PathPatterns.of_gitignore(["[z-a]", "*.log", "docs/_build/"])
    assert [patterns.match_file(p) for p in ("z", "a", "x.log", "docs/_build/x", "docs/x")] == [
        False,
        False,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("args", "gitignore", "code", "stderr"),
    [
        ((), "[z-a]\nignored.py\n", 0, ""),
        (
            ("--exclude", "[z-a]"),
            "",
            2,
            "cflint: error: exclude: '[z-a]' is not a valid pattern (bad character range z-a)\n",
        ),
        (
            ("--per-file-ignores", "[z-a]:CF103"),
            "",
            2,
            "cflint: error: per-file-ignores: '[z-a]' is not a valid pattern (bad character range z-a)\n",
        ),
    ],
)
def test_bad_patterns_on_the_command_line(
    args: tuple[str, ...], gitignore: str, code: int, stderr: str, tmp_path: Path
) -> None:
    write_files(
        tmp_path,
        {
            "user.py": "def main():\n    return 'ok'\n",
            "requirements.txt": "",
            "ignored.py": "def f(:\n",
            ".gitignore": gitignore,
        },
    )
    done = subprocess.run(
        [sys.executable, "-m", "cflint", "--no-cache", *args, "."], cwd=tmp_path, capture_output=True, text=True
    )
    assert (done.returncode, done.stdout) == (code, "")
    assert done.stderr == stderr


@settings(max_examples=400, deadline=None)
@given(name=st.text(alphabet="ab.*?[]!-", max_size=5), pattern=st.text(alphabet="ab.*?[]!-", max_size=5))
def test_name_matches_is_fnmatchcase(name: str, pattern: str) -> None:
    assert name_matches(name, pattern) == fnmatch.fnmatchcase(name, pattern)


@settings(max_examples=400, deadline=None)
@given(line=st.text(alphabet="/ab*?[]._~-!", max_size=6))
def test_a_plain_pattern_is_read_as_its_expression_reads_it(line: str) -> None:
    match = re.fullmatch(patterns._PLAIN, line)
    expected = None if match is None else (bool(match.group(1)), match.group(2), bool(match.group(3)))
    assert patterns._plain(line) == expected
