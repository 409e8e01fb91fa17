"""Reparsing only the statements an edit changed (cflint.engine.reparse) gives what a whole
parse gives: the same tree, the same guard costs, the same findings, after every edit of
random edit sequences over real files (the standard library's and the fixtures')."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import hypothesis.strategies as st
import libcst as cst
import pytest
from hypothesis import HealthCheck, assume, given, settings

from cflint.api import Linter, LintOptions
from cflint.engine.registry import load_registry
from cflint.engine.reparse import ParsedText, reparse
from cflint.engine.source import parse_measured

REPO = Path(__file__).resolve().parent.parent
STDLIB = Path(sysconfig.get_paths()["stdlib"])
REGISTRY = load_registry()

# Small and middle-sized real modules: each property example parses its file whole after
# every edit, to compare.
FILES = sorted(
    [
        *REPO.glob("examples/*/*.py"),
        *(REPO / "tests/fixtures/guide").rglob("*.py"),
        STDLIB / "bisect.py",
        STDLIB / "shlex.py",
        STDLIB / "json/decoder.py",
        STDLIB / "textwrap.py",
    ]
)
# The slow run draws from every module of the standard library's top level: edits of many
# kinds of code find what LibCST does not give back, which the reparse must not build on.
STDLIB_MODULES = sorted(STDLIB.glob("*.py"))

# Fragments that edits insert: statements, indentation, brackets, strings and comments.
FRAGMENTS = (
    "\n",
    "\n\n",
    "    ",
    "  ",
    "\t",
    " ",
    "x",
    "(",
    ")",
    ":",
    "'''",
    '"',
    "\\\n",
    "# note\n",
    "    # note\n",
    "x = 1\n",
    "    return x\n",
    "if x:\n",
    "else:\n    y = 2\n",
    "def g():\n    pass\n",
    "@decorated\n",
    "class C:\n  z = 0\n",
    "global q\n",
    "from __future__ import annotations\n",
    "import os\n",
    "\r\n",
)


def whole(text: str) -> ParsedText | None:
    """The text parsed whole, or None when it needs a finding (a syntax error, a bound)."""
    parsed = parse_measured(REGISTRY, text, "user.py")
    if isinstance(parsed, tuple) and parsed[1] is not None:
        return ParsedText(text, parsed[0], parsed[1])
    return None


@st.composite
def edited(draw: st.DrawFn, text: str) -> str:
    """`text` after one edit: a line copied, deleted or moved (mostly still valid Python), or
    a fragment inserted or put in place of a few characters anywhere."""
    lines = text.splitlines(keepends=True)
    kind = draw(st.sampled_from(["copy line", "delete line", "insert", "replace", "delete"]))
    if kind in ("copy line", "delete line") and lines:
        index = draw(st.integers(0, len(lines) - 1))
        if kind == "delete line":
            return "".join(lines[:index] + lines[index + 1 :])
        target = draw(st.integers(0, len(lines)))
        return "".join([*lines[:target], lines[index], *lines[target:]])
    at = draw(st.integers(0, len(text)))
    if kind == "delete":
        return text[:at] + text[at + draw(st.integers(1, 30)) :]
    fragment = draw(st.sampled_from(FRAGMENTS))
    end = at + (draw(st.integers(1, 12)) if kind == "replace" else 0)
    return text[:at] + fragment + text[end:]


def check_edits(data: st.DataObject, path: Path, edits: int) -> int:
    """Apply `edits` random edits to `path`'s text; after each, a reparse (when it gives an
    answer) must equal a whole parse. Returns how many edits were reparsed."""
    state = whole(path.read_text(encoding="utf-8"))
    assume(state is not None)  # a module past cflint's bounds, or one LibCST cannot parse
    assert state is not None
    reparsed = 0
    for _ in range(edits):
        text = data.draw(edited(state.text))
        expected = whole(text)
        got = reparse(state, text, "user.py")
        if got is not None:
            reparsed += 1
            assert expected is not None, "a reparse answered for a text that needs a finding"
            assert got.module.deep_equals(expected.module)
            assert got.module.code == text  # a text LibCST does not give back is never reparsed from
            assert got.costs == expected.costs
            assert got.starts == ParsedText(text, expected.module, expected.costs).starts
            state = got
        elif expected is not None:
            state = expected
    return reparsed


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), path=st.sampled_from(FILES))
def test_a_reparse_equals_a_whole_parse(data: st.DataObject, path: Path) -> None:
    check_edits(data, path, edits=4)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), path=st.sampled_from(FILES + STDLIB_MODULES))
def test_a_reparse_equals_a_whole_parse_deeply(data: st.DataObject, path: Path) -> None:
    check_edits(data, path, edits=8)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), path=st.sampled_from([*sorted(REPO.glob("examples/*/*.py")), STDLIB / "bisect.py"]))
def test_findings_after_edits_equal_a_whole_lint(
    data: st.DataObject, path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """What the language server reports after each edit, reparsing, is what a whole lint reports."""
    folder = tmp_path_factory.mktemp("function")
    target = folder / "user.py"
    options = {"overrides": {"select": ["ALL"]}, "cwd": folder}
    incremental = Linter(LintOptions(**options, reparse=True), REGISTRY)
    text = path.read_text(encoding="utf-8")
    for _ in range(4):
        got = incremental.lint_source(target, text)
        expected = Linter(LintOptions(**options), REGISTRY).lint_source(target, text)
        assert got.findings == expected.findings
        text = data.draw(edited(text))


SOURCE = '''\
"""A function."""
import json

from flask import request


def helper(value):
    return value * 2


def main():
    body = request.get_json()
    return json.dumps(helper(body))
'''


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("return value * 2", "return value * 3"),  # inside a function after the first one
        ("body = request.get_json()", "body = request.get_json(silent=True)"),  # the last statement
        ("    return json.dumps(helper(body))\n", "    return json.dumps(helper(body))\n# done\n"),  # the footer
        ("def main():", "def main():\n    pass\n\n\ndef other():"),  # a statement added
        ("\n\ndef main", "\n    # a comment the block before takes\n\ndef main"),  # between statements
    ],
)
def test_an_edit_inside_statements_is_reparsed(old: str, new: str) -> None:
    state = whole(SOURCE)
    assert state is not None
    text = SOURCE.replace(old, new, 1)
    got = reparse(state, text, "user.py")
    assert got is not None
    assert got.module.deep_equals(cst.parse_module(text))
    assert got.module.body[0] is state.module.body[0]  # what did not change is kept, not parsed again


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("return value * 2", "return value * (2"),  # a syntax error: parsed whole for CF001
        ('"""A function."""', '"""The function."""'),  # the first statement, after the module's header
        ("    return value * 2", "  return value * 2"),  # the first indented block's indent
        ("def main():", "global q\n\n\ndef main():"),  # judged by CPython against the whole module
        ('"""A function."""', '"""A function."""\nfrom __future__ import annotations'),
    ],
)
def test_an_edit_that_may_change_more_is_parsed_whole(old: str, new: str) -> None:
    state = whole(SOURCE)
    assert state is not None
    assert reparse(state, SOURCE.replace(old, new, 1), "user.py") is None


THREE_FUNCTIONS = """\
import json


def helper(value):
    return value * 2


def other(value):
  return value + 1
  # the end of other


def main():
    return json.dumps(other(helper(1)))
"""


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # The comment after `other` went to its block's footer; without the block it goes to
        # `main`'s leading lines, which a splice would keep as they were.
        ("def other(value):\n  return value + 1", "def other(value): return value + 1"),
        # Without its block, `helper` no longer gives the module its indent: `other` does,
        # and every kept block whose indent was stored as "not the default" would be wrong.
        ("def helper(value):\n    return value * 2", "def helper(value): return value * 2"),
    ],
)
def test_an_edit_that_moves_what_the_kept_statements_hold_is_parsed_whole(old: str, new: str) -> None:
    state = whole(THREE_FUNCTIONS)
    assert state is not None
    text = THREE_FUNCTIONS.replace(old, new, 1)
    assert text != THREE_FUNCTIONS
    assert reparse(state, text, "user.py") is None


def test_a_text_libcst_does_not_give_back_is_not_reparsed_from() -> None:
    """LibCST gives a line that holds only a line-continuing backslash, before an indented
    one, back as indentation: the spans of such a text do not add up to it, so it is parsed
    whole, as is an edit that makes such a line."""
    continued = SOURCE.replace("    return json.dumps", "\\\n    return json.dumps")
    assert cst.parse_module(continued).code != continued
    state = whole(continued)
    assert state is not None
    assert state.starts is None
    assert reparse(state, continued.replace("get_json()", "get_json(silent=True)"), "user.py") is None
    clean = whole(SOURCE)
    assert clean is not None
    assert reparse(clean, SOURCE.replace("    return json.dumps", "\\\n    return json.dumps"), "user.py") is None


def test_a_footer_libcst_does_not_give_back_is_not_reparsed_from() -> None:
    """After a simple statement, LibCST loses a blank line of a footer that holds an indented
    comment: the edit that makes one is parsed whole, and the spans of such a text unused."""
    source = "import json\n\n\ndef f():\n    return 1\n\n\nx = json.dumps(f())\n"
    footer = source + "\n    # note\n\n#"
    assert cst.parse_module(footer).code != footer
    state = whole(source)
    assert state is not None
    assert reparse(state, footer, "user.py") is None
    lost = whole(footer)
    assert lost is not None
    assert lost.starts is None


def test_the_same_text_is_not_parsed_again() -> None:
    state = whole(SOURCE)
    assert state is not None
    assert reparse(state, SOURCE, "user.py") is state


@pytest.fixture
def whole_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the linter parses whole, as they are parsed."""
    import cflint.engine.linter as linter

    parsed: list[str] = []
    measured = linter.parse_measured
    monkeypatch.setattr(linter, "parse_measured", lambda *args: parsed.append(args[1]) or measured(*args))
    return parsed


def test_a_linter_that_reparses_parses_an_edited_file_whole_once(tmp_path: Path, whole_parses: list[str]) -> None:
    incremental = Linter(LintOptions(cwd=tmp_path, reparse=True), REGISTRY)
    texts = [SOURCE, SOURCE.replace("* 2", "* 3"), SOURCE.replace("* 2", "* 4").replace("get_json()", "data")]
    for text in texts:
        got = incremental.lint_source(tmp_path / "user.py", text)
        assert (
            got.findings == Linter(LintOptions(cwd=tmp_path), REGISTRY).lint_source(tmp_path / "user.py", text).findings
        )
    assert whole_parses == [SOURCE]  # the reparsing linter's first lint only


def test_a_text_that_does_not_parse_keeps_the_last_parse_to_reparse_from(
    tmp_path: Path, whole_parses: list[str]
) -> None:
    incremental = Linter(LintOptions(cwd=tmp_path, reparse=True), REGISTRY)
    broken = SOURCE.replace("* 2", "* (2")
    fixed = SOURCE.replace("* 2", "* (2)")
    assert [f.code for f in incremental.lint_source(tmp_path / "user.py", SOURCE).findings] == []
    assert [f.code for f in incremental.lint_source(tmp_path / "user.py", broken).findings] == ["CF001"]
    incremental.lint_source(tmp_path / "user.py", fixed)
    assert whole_parses == [SOURCE, broken]  # the fixed text is reparsed from the first


def test_a_file_prepared_when_opened_has_its_first_edit_reparsed(tmp_path: Path, whole_parses: list[str]) -> None:
    """A server's first lint of a saved file may come from the result cache, which parses
    nothing; `prepare` parses it meanwhile, and finds where its statements start."""
    import cflint.engine.reparse as reparsing

    span_searches: list[int] = []
    search = reparsing._span_starts
    incremental = Linter(LintOptions(cwd=tmp_path, reparse=True), REGISTRY)
    incremental.prepare(tmp_path / "user.py", SOURCE.encode())
    assert whole_parses == [SOURCE]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reparsing, "_span_starts", lambda *args: span_searches.append(1) or search(*args))
        edited = SOURCE.replace("* 2", "* 3")
        got = incremental.lint_source(tmp_path / "user.py", edited)
    assert whole_parses == [SOURCE] and span_searches == []  # reparsed, with the statements already found
    assert (
        got.findings == Linter(LintOptions(cwd=tmp_path), REGISTRY).lint_source(tmp_path / "user.py", edited).findings
    )


def test_prepare_does_nothing_for_a_linter_that_does_not_reparse(tmp_path: Path, whole_parses: list[str]) -> None:
    Linter(LintOptions(cwd=tmp_path), REGISTRY).prepare(tmp_path / "user.py", SOURCE)
    Linter(LintOptions(cwd=tmp_path, reparse=True), REGISTRY).prepare(tmp_path / "user.py", b"x = '\xff'\n")
    assert whole_parses == []
