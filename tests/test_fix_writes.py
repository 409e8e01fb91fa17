"""How `--fix` writes a file and `--diff` shows it: line breaks of every kind survive a fix,
a fix that changes code outside its edit is refused, `--diff` applies with the real `patch`
to the bytes `--fix` writes, and a write is locked, re-checked, and keeps read-only files,
hard links and symlinks as they are."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.fix.applier import FileFixer, FixPolicy, fix_file
from cflint.fix.model import Fix, Safety, TextEdit
from cflint.model import Finding, Position, Severity
from cflint.project import FileContext, FileJob
from cflint.settings.config import Settings
from tests.helpers import REPO, CliResult, write_files

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


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "CFLINT_CACHE_DIR": str(cwd.parent / "cache"), "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "cflint", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, timeout=120, check=False)


def _apply_patch(folder: Path, diff: bytes) -> None:
    """Apply `diff` in `folder` with the real GNU patch, exactly (no fuzz); `git apply` where patch is missing."""
    patch_file = folder.parent / "fix.patch"
    patch_file.write_bytes(diff)
    if shutil.which("patch"):
        command = ["patch", "-p1", "--batch", "--fuzz=0", "-i", str(patch_file)]
    else:
        command = ["git", "apply", "-p1", str(patch_file)]
    done = subprocess.run(command, cwd=folder, capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


_LATIN_1 = (
    "# -*- coding: latin-1 -*-\nimport requests\nfrom .helpers import x  # caf\xe9\n\n\n"
    'def main():\n    return "\xe9t\xe9" + x + requests.__name__\n'
)
_UNUSED_NOQA = "import json  # noqa\nimport requests\n\n\ndef main():\n    x = 1  # noqa\n    return json.dumps([requests.__name__, x])\n"


@pytest.mark.parametrize(
    "user",
    [
        b"\xef\xbb\xbffrom .helpers import x\n\n\ndef main():\n    return x\n",
        b"\xef\xbb\xbfimport json  # noqa\n\n\ndef main():\n    return json.dumps(1)\n",
        _LATIN_1.encode("latin-1"),
        _UNUSED_NOQA.replace("\n", "\r").encode(),
        _UNUSED_NOQA.replace("\n", "\r\n").encode(),
        _UNUSED_NOQA.replace("\n", "\r").encode()[:-1],
    ],
    ids=["bom", "bom-first-line", "latin-1", "cr", "crlf", "cr-no-last-break"],
)
def test_diff_applies_with_patch_to_the_bytes_fix_writes(tmp_path: Path, user: bytes) -> None:
    files: dict[str, str | bytes] = {"requirements.txt": b"\xef\xbb\xbf", "helpers.py": "x = ''\n", "user.py": user}
    diffed = write_files(tmp_path / "diffed" / "fn", files).parent
    fixed = write_files(tmp_path / "fixed" / "fn", files).parent
    options = ["--extend-select", "CF011", "--unsafe-fixes"]
    diff = _run(diffed, "--diff", *options, "fn")
    assert diff.returncode == 1, diff.stderr
    assert _run(fixed, "--fix", *options, "fn").returncode in (0, 1)
    assert (fixed / "fn" / "user.py").read_bytes() != files["user.py"]
    _apply_patch(diffed, diff.stdout)
    for name in files:
        assert (diffed / "fn" / name).read_bytes() == (fixed / "fn" / name).read_bytes(), name
