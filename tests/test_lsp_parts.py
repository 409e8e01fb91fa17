"""The language server's parts that need no client: columns in the client's units, the
`# noqa` edits and hovers, settings, the fixes' edits, and `cflint server` without the extra."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.api import Linter, LintOptions, lint_source, source_bytes
from cflint.engine.registry import load_registry
from cflint.fix.text import UTF8, UTF16, UTF32, client_column, code_point_column, split_lines
from cflint.lsp.changes import FindingFix, non_overlapping
from cflint.lsp.noqa_comments import add_noqa, noqa_code_at
from cflint.lsp.settings import EditorSettings
from cflint.model import Finding, Position, Severity, TextEdit, UsageError
from cflint.output.default import format_line
from tests.helpers import GUIDE_EXAMPLES, CliResult, guide_function, write_files

REGISTRY = load_registry()
CODES = REGISTRY.codes


def apply(source: str, change: TextEdit) -> str:
    lines = split_lines(source)
    start = sum(len(line) + 1 for line in lines[: change.start.line - 1]) + change.start.column - 1
    end = sum(len(line) + 1 for line in lines[: change.end.line - 1]) + change.end.column - 1
    return source[:start] + change.new_text + source[end:]


def test_cflint_server_without_the_extra_prints_the_install_hint(
    cflint: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pygls", None)  # as if pygls were not installed
    monkeypatch.delitem(sys.modules, "cflint.lsp.server", raising=False)
    result = cflint("server")
    assert result.code == 2
    assert result.out == ""
    assert result.err == "cflint: error: cflint server needs the lsp extra: pip install 'cflint[lsp]'\n"


def test_cflint_server_help(cflint: Callable[..., CliResult]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cflint("server", "--help")
    assert exit_info.value.code == 0


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [(UTF16, [0, 2, 3, 5, 6]), (UTF8, [0, 4, 7, 11, 12]), (UTF32, [0, 1, 2, 3, 4])],
)
def test_client_columns_count_the_negotiated_units(encoding: str, expected: list[int]) -> None:
    line = "😀한🎉x"  # an emoji outside the BMP, Hangul inside it, another emoji, ASCII
    assert [client_column(line, column, encoding) for column in range(1, 6)] == expected
    assert [code_point_column(line, units, encoding) for units in expected] == [1, 2, 3, 4, 5]


def test_a_column_inside_a_surrogate_pair_moves_to_the_next_character() -> None:
    assert code_point_column("😀x", 1, UTF16) == 2
    assert code_point_column("ab", 99, UTF16) == 3


def test_lines_break_where_python_breaks_them() -> None:
    assert split_lines("a\r\nb\rc\nd\x0ce\u2028f") == ["a", "b", "c", "d\x0ce\u2028f"]


def test_source_bytes_keep_a_declared_encoding() -> None:
    text = "# -*- coding: latin-1 -*-\nname = 'café'\n"
    assert source_bytes(text) == text.encode("latin-1")
    assert source_bytes("name = '한'\n") == "name = '한'\n".encode()


@pytest.mark.parametrize(
    ("source", "line", "code", "expected"),
    [
        ("x = f()\n", 1, "CF403", "x = f()  # noqa: CF403\n"),
        ("x = f()   \n", 1, "CF403", "x = f()  # noqa: CF403\n"),
        ("x = f()  # why\n", 1, "CF403", "x = f()  # why  # noqa: CF403\n"),
        ("x = f()  # noqa: CF401\n", 1, "CF403", "x = f()  # noqa: CF401, CF403\n"),
        (
            "x = f()  # noqa:CF401,CF402 trailing words\n",
            1,
            "CF403",
            "x = f()  # noqa:CF401,CF402, CF403 trailing words\n",
        ),
        ("x = f(\n    1)\n", 1, "CF403", "x = f(  # noqa: CF403\n    1)\n"),
        ("x = f()\r\ny = 2\r\n", 1, "CF403", "x = f()  # noqa: CF403\r\ny = 2\r\n"),
        ("s = '#'; x = f()\n", 1, "CF403", "s = '#'; x = f()  # noqa: CF403\n"),
    ],
)
def test_add_noqa(source: str, line: int, code: str, expected: str) -> None:
    change = add_noqa(source, line, code, CODES)
    assert change is not None
    fixed = apply(source, change)
    assert fixed == expected
    compile(fixed, "user.py", "exec")


@pytest.mark.parametrize(
    "source",
    [
        'x = f("""a\nb""")\n',  # the line ends inside a string
        "x = f() + \\\n    1\n",  # a backslash continuation
        "x = f()  # noqa\n",  # blanket: it already suppresses everything
        "x = f()  # noqa CF403\n",  # malformed (CF010)
        "x = f()  # noqa: CF403\n",  # already there
    ],
)
def test_add_noqa_declines_where_a_comment_cannot_help(source: str) -> None:
    assert add_noqa(source, 1, "CF403", CODES) is None


def test_noqa_code_at_finds_the_code_under_the_cursor() -> None:
    source = "x = f()  # noqa: CF401, cf403  # why CF402\n"
    column = source.index("cf403") + 1
    assert noqa_code_at(source, 1, column) == "CF403"
    assert noqa_code_at(source, 1, column + 5) == "CF403"  # just after the code
    assert noqa_code_at(source, 1, source.index("CF401") + 3) == "CF401"
    assert noqa_code_at(source, 1, source.index("CF402") + 1) is None  # not in the directive's list
    assert noqa_code_at(source, 1, 1) is None
    assert noqa_code_at("s = '# noqa: CF401'\n", 1, 15) is None  # inside a string, not a comment


def test_editor_settings(tmp_path: Path) -> None:
    (tmp_path / "ci.toml").write_text("", encoding="utf-8")
    settings = EditorSettings.from_client(
        {"cflint": {"select": "CF1, cf4", "ignore": ["CF403"], "config": "ci.toml"}}, tmp_path, CODES
    )
    assert settings == EditorSettings(("CF1", "CF4"), ("CF403",), tmp_path / "ci.toml")
    assert settings.overrides == {"select": ["CF1", "CF4"], "ignore": ["CF403"]}
    assert EditorSettings.from_client({"select": []}, tmp_path, CODES) == EditorSettings()
    assert EditorSettings.from_client(None, tmp_path, CODES) == EditorSettings()
    with pytest.raises(UsageError, match="unknown rule code or prefix 'CF999'"):
        EditorSettings.from_client({"ignore": ["CF999"]}, tmp_path, CODES)
    with pytest.raises(UsageError, match="config file not found"):
        EditorSettings.from_client({"config": "missing.toml"}, tmp_path, CODES)


def _finding(line: int) -> Finding:
    return Finding("user.py", Position(line, 1), "CF403", "m", Severity.ERROR, Position(line, 5))


def test_non_overlapping_keeps_the_first_of_overlapping_safe_fixes() -> None:
    first = TextEdit(Position(1, 1), Position(1, 5), "a")
    overlapping = TextEdit(Position(1, 3), Position(1, 8), "b")
    elsewhere = TextEdit(Position(2, 1), Position(2, 1), "c")
    fixes = [
        FindingFix(_finding(1), "one", (first,)),
        FindingFix(_finding(1), "two", (overlapping,)),
        FindingFix(_finding(2), "three", (elsewhere,)),
        FindingFix(_finding(2), "unsafe", (TextEdit(Position(3, 1), Position(3, 1), "d"),), safe=False),
    ]
    assert non_overlapping(fixes) == [first, elsewhere]


@pytest.mark.parametrize("example", GUIDE_EXAMPLES)
def test_buffer_lint_equals_the_cli_on_the_file(cflint: Callable[..., CliResult], tmp_path: Path, example: str) -> None:
    """What the server lints from a buffer is what `cflint FILE` reports (the package rules
    CF5xx aside, which the server leaves to `cflint` and `cflint package`)."""
    folder = guide_function(tmp_path / "fn", example)
    path = folder / ("handlers.py" if example == "handlers" else "user.py")
    cli = cflint("--no-cache", "-q", "--select", "ALL", str(path.relative_to(tmp_path)), cwd=tmp_path)
    expected = [line for line in cli.lines if not line.split(": ")[1].startswith("CF5")]
    linted = lint_source(path, path.read_bytes(), options=LintOptions(overrides={"select": ["ALL"]}, cwd=tmp_path))
    assert [format_line(f) for f in linted.all_findings] == expected


def test_buffer_lint_uses_the_buffer_and_honours_exclude(tmp_path: Path) -> None:
    folder = write_files(
        tmp_path / "fn",
        {
            "user.py": "def main():\n    return 'ok'\n",
            "skip.py": "import requests\n",
            "requirements.txt": "",
            "cflint.toml": 'extend-exclude = ["skip.py"]\n',
        },
    )
    linter = Linter(LintOptions(cwd=tmp_path), REGISTRY)
    user, skip = folder / "user.py", folder / "skip.py"
    skipped = linter.lint_source(skip, skip.read_bytes())
    assert skipped.excluded and skipped.findings == skipped.root_findings == []
    unsaved = b"import requests\n\ndef main(request):\n    return 'ok'\n"
    linted = linter.lint_source(user, unsaved)
    assert [f.code for f in linted.findings] == ["CF303", "CF103"]
    requirements = folder / "requirements.txt"
    linted = linter.lint_source(user, unsaved, {requirements: b"requests\n"})
    assert [f.code for f in linted.findings] == ["CF103"]


def test_quick_fixes_come_from_the_findings_fixes(tmp_path: Path) -> None:
    from cflint.lsp.changes import fixes_for, non_overlapping

    (tmp_path / "requirements.txt").write_text("requests\n", encoding="utf-8")
    text = "import requests\n\n# noqa CF403\ndef main():\n    return requests.get('u').text\n"
    path = tmp_path / "user.py"
    findings = lint_source(path, text, options=LintOptions(cwd=tmp_path)).findings
    fixes = {fix.finding.code: fix for fix in fixes_for(path, text, findings)}
    assert set(fixes) == {"CF010", "CF403"}
    timeout = fixes["CF403"]
    assert not timeout.safe and "timeout=10" in timeout.title
    assert "CF403" not in timeout.title and "<" not in timeout.title  # the server adds the code once
    assert [change.new_text for change in timeout.changes] and "timeout=10" in "".join(
        change.new_text for change in timeout.changes
    )
    assert fixes["CF010"].safe
    assert non_overlapping(list(fixes.values())) == list(fixes["CF010"].changes)


def _frames(tmp_path: Path, data: bytes) -> list[bytes]:
    """The bodies pygls reads from `data` through ResyncingReader, as its read loop reads them:
    headers line by line until a blank line, then `Content-Length` bytes."""
    import io
    import re

    from cflint.lsp.transport import ResyncingReader

    (tmp_path / "input").write_bytes(data)
    reader = ResyncingReader(io.FileIO(tmp_path / "input", "rb"))
    bodies, length = [], 0
    while line := reader.readline():
        header = re.fullmatch(rb"Content-Length: (\d+)\r\n", line)
        if header is not None and not length:
            length = int(header.group(1))
        elif length and not line.strip():
            bodies.append(reader.read(length))
            length = 0
    return bodies


def _frame(body: bytes, length_error: int = 0) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % (len(body) + length_error) + body


@pytest.mark.parametrize("length_error", [20, -20, 5, -5, 300])
def test_the_reader_finds_the_next_message_after_a_wrong_length(tmp_path: Path, length_error: int) -> None:
    first, second, third = (
        b'{"jsonrpc": "2.0", "id": %d, "method": "x", "params": {"n": "%s"}}' % (i, b"a" * 40) for i in (1, 2, 3)
    )
    bodies = _frames(tmp_path, _frame(first, length_error) + _frame(second) + _frame(third))
    assert bodies[0] != first  # the wrong one is read wrong, and answered as such
    expected = [third] if length_error > len(_frame(second)) else [second, third]
    assert bodies[-len(expected) :] == expected


def test_the_reader_leaves_right_messages_alone(tmp_path: Path) -> None:
    messages = [b'{"jsonrpc": "2.0", "method": "x", "params": {"text": "Content-Length: 5\\r\\n(}"}}', b"[1, 2]", b"{"]
    assert _frames(tmp_path, b"".join(_frame(message) for message in messages)) == messages
