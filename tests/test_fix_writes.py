"""How `--fix` writes a file and `--diff` shows it: line breaks of every kind survive a fix,
a fix that changes code outside its edit is refused, `--diff` applies with the real `patch`
to the bytes `--fix` writes, and a write is locked, re-checked, and keeps read-only files,
hard links and symlinks as they are."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.fix.applier import FileFixer, FixPolicy, fix_file
from cflint.fix.model import Fix, Safety, TextEdit
from cflint.model import Finding, Position, Severity
from cflint.project import FileContext, FileJob
from cflint.settings.config import Settings
from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]

_NOQA_LINES = [
    "import os  # stdlib",
    "import json",
    "",
    "",
    "def main():",
    "    x = 1  # noqa",
    '    return json.dumps({"a": os.sep, "x": x})',
]


@pytest.mark.parametrize(
    "breaks",
    [["\r"] * 7, ["\r\n"] * 7, ["\r", "\n", "\r\n", "\r", "\n", "\r\n", "\r"]],
    ids=["cr", "crlf", "mixed"],
)
def test_unused_noqa_fix_keeps_every_line_break(tmp_path: Path, cflint: Cflint, breaks: list[str]) -> None:
    source = "".join(line + end for line, end in zip(_NOQA_LINES, breaks, strict=True))
    write_files(tmp_path, {"requirements.txt": "", "user.py": source.encode()})
    result = cflint("--fix", "--extend-select", "CF011", ".")
    fixed = (tmp_path / "user.py").read_bytes()
    assert fixed == source.replace("x = 1  # noqa", "x = 1").encode()
    assert (result.code, result.lines) == (0, ["Found 1 problem (1 fixed, 0 remaining)."])
    assert ast.dump(ast.parse(fixed)) == ast.dump(ast.parse(source))
    again = cflint("--fix", "--extend-select", "CF011", ".")
    assert (again.code, (tmp_path / "user.py").read_bytes()) == (0, fixed)


def _job(path: Path) -> FileJob:
    return FileJob(FileContext.of(path, path.name, Settings(base_dir=path.parent), None), frozenset({"CF999"}))


def _finding(line: int, start: int, end_line: int, end: int, new_text: str) -> Finding:
    edit = TextEdit(Position(line, start), Position(end_line, end), new_text)
    fix = Fix(Safety.SAFE, "d", (edit,))
    return Finding("user.py", Position(line, start), "CF999", "m", Severity.WARNING, Position(line, start), fix)


@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n"])
def test_a_fix_that_changes_code_outside_its_edit_is_dropped(tmp_path: Path, newline: str) -> None:
    """Deleting the line break after a comment still parses, but the next line becomes comment."""
    source = newline.join(["import os  # stdlib", "import json", "x = 1  # a", "y = 2", ""])
    path = tmp_path / "user.py"
    path.write_bytes(source.encode())

    def lint(job: FileJob) -> list[Finding]:
        text = (job.source or b"").decode()
        findings = []
        if "import os  # stdlib" + newline in text:
            findings.append(_finding(1, 20, 2, 1, ""))  # removes the line break: "import json" becomes comment
        if "x = 1  # a" in text:
            findings.append(_finding(3, 6, 3, 11, ""))  # removes "  # a": keeps every other token
        return findings

    outcome = fix_file(FileFixer(lint, FixPolicy()), _job(path))
    assert outcome.after == source.replace("x = 1  # a", "x = 1")
    assert outcome.applied == 1
    assert outcome.notes == ["user.py:1:20: CF999 fix dropped: it would change code outside its edit"]
