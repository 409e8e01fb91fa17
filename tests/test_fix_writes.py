"""How `--fix` writes a file and `--diff` shows it: line breaks of every kind survive a fix,
a fix that changes code outside its edit is refused, `--diff` applies with the real `patch`
to the bytes `--fix` writes, and a write is locked, re-checked, and keeps read-only files,
hard links and symlinks as they are."""

from __future__ import annotations

import ast
import fcntl
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.fixer.applier import FileFixer, FixPolicy, fix_file
from cflint.fs.writer import NotWritten, locked_file
from cflint.model import Finding, Fix, Position, Safety, Severity, TextEdit
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


_RELATIVE_IMPORT = "from .helpers import x\n\n\ndef main():\n    return x\n"
_FIXED_IMPORT = _RELATIVE_IMPORT.replace("from .helpers", "from helpers")


@pytest.mark.parametrize("line_end", [b"\r", b"\r\n", b"\n"], ids=["cr", "crlf", "lf"])
def test_a_file_with_a_coding_cookie_is_fixed_whatever_its_line_ends(tmp_path: Path, line_end: bytes) -> None:
    """The cookie is on the first line as Python reads lines (ending at CR too), so a Latin-1
    file whose lines end in CR alone is fixed, and written back in Latin-1 with its CRs."""
    lines = [b"# -*- coding: latin-1 -*-", b"from flask import escape", b"", b"", b"def main():"]
    lines.append(b'    return "caf\xe9" + escape("x")')
    (tmp_path / "user.py").write_bytes(line_end.join(lines) + line_end)
    (tmp_path / "requirements.txt").write_bytes(b"")
    completed = _run(tmp_path, "--fix", "--select", "CF603", ".")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    fixed = [b"# -*- coding: latin-1 -*-", b"from markupsafe import escape", *lines[2:]]
    assert (tmp_path / "user.py").read_bytes() == line_end.join(fixed) + line_end


def test_a_read_only_file_is_not_rewritten(tmp_path: Path, cflint: Cflint) -> None:
    """Root may write anything, so a file without any write bit is what read-only means."""
    write_files(tmp_path, {"requirements.txt": "", "helpers.py": "x = ''\n", "user.py": _RELATIVE_IMPORT})
    user = tmp_path / "user.py"
    user.chmod(0o444)
    inode = user.stat().st_ino
    result = cflint("--fix", ".")
    assert (user.read_text(encoding="utf-8"), user.stat().st_ino, user.stat().st_mode & 0o777) == (
        _RELATIVE_IMPORT,
        inode,
        0o444,
    )
    assert result.code == 1
    assert result.err == "cflint: user.py: read-only; not written\n"
    assert cflint("--fix-only", ".").code == 1


def test_a_hard_link_stays_a_hard_link(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path / "fn", {"requirements.txt": "", "helpers.py": "x = ''\n", "user.py": _RELATIVE_IMPORT})
    user = tmp_path / "fn" / "user.py"
    other = tmp_path / "linked.py"
    os.link(user, other)
    user.chmod(0o640)
    result = cflint("--fix", "fn")
    assert (result.code, result.err) == (0, "")
    assert user.read_text(encoding="utf-8") == other.read_text(encoding="utf-8") == _FIXED_IMPORT
    assert os.path.samefile(user, other) and user.stat().st_nlink == 2
    assert user.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("named", ["fn", "fn/user.py"])
@pytest.mark.parametrize("target", ["fn/impl/real_user.py", "src/user.py"])
def test_a_symlinked_file_is_fixed_through_its_link(tmp_path: Path, cflint: Cflint, named: str, target: str) -> None:
    """The link stays a link and its target is written. (A link out of the walked folder is
    linted only when named: which links a walk follows is discovery's business.)"""
    if target.startswith("src") and named == "fn":
        named = "fn/user.py"
    write_files(tmp_path, {"fn/requirements.txt": "", "fn/helpers.py": "x = ''\n", target: _RELATIVE_IMPORT})
    link = tmp_path / "fn" / "user.py"
    link.symlink_to(os.path.relpath(tmp_path / target, link.parent))
    result = cflint("--fix", named)
    assert (result.code, result.err) == (0, ""), result.out
    assert link.is_symlink() and os.readlink(link) == os.path.relpath(tmp_path / target, link.parent)
    assert (tmp_path / target).read_text(encoding="utf-8") == _FIXED_IMPORT


_REQUESTS_USER = "import requests\n\n\ndef main():\n    return requests.__name__\n"


def _cflint_process(cwd: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CFLINT_CACHE_DIR": str(cwd / "cache"), "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "cflint", *args]
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _append_under_lock(path: Path, stop: threading.Event, appended: list[bytes]) -> None:
    """Append numbered comment lines to `path` until `stop`, each under the file's lock."""
    while not stop.is_set():
        with open(path, "ab") as stream:
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX)
            if not os.path.samestat(os.fstat(stream.fileno()), os.stat(path)):
                continue  # replaced while we waited: lock the new file
            line = f"# tool {len(appended)}\n".encode()
            stream.write(line)
            stream.flush()
            appended.append(line)
        time.sleep(0.003)


def test_concurrent_fix_runs_and_a_locking_writer_lose_nothing(tmp_path: Path) -> None:
    """Two `--fix` runs at once, and a tool appending to requirements.txt under the same
    advisory lock (and, as cflint does, checking that the path still names the file it
    locked): the requirement is added once, and every appended line survives."""
    requirements = (
        write_files(tmp_path / "fn", {"user.py": _REQUESTS_USER, "requirements.txt": ""}) / "requirements.txt"
    )
    for _ in range(3):
        requirements.write_bytes(b"")
        stop = threading.Event()
        appended: list[bytes] = []

        writer = threading.Thread(target=_append_under_lock, args=(requirements, stop, appended))
        writer.start()
        runs = [_cflint_process(tmp_path, "--fix", "--unsafe-fixes", "fn") for _ in range(2)]
        try:
            outputs = [run.communicate(timeout=120) for run in runs]
        finally:
            stop.set()
            writer.join()
        assert [run.returncode for run in runs] == [0, 0], outputs
        lines = requirements.read_bytes().splitlines(keepends=True)
        assert lines.count(b"requests\n") == 1, lines
        assert [line for line in lines if line.startswith(b"# tool")] == appended


def _holds_open(pid: int, path: Path) -> bool:
    folder = Path(f"/proc/{pid}/fd")
    try:
        links = [os.readlink(entry) for entry in folder.iterdir()]
    except OSError:  # the process is gone, or a descriptor closed as we looked
        return False
    return str(path) in links


def test_a_file_saved_by_rename_while_fix_waits_for_the_lock_is_kept(tmp_path: Path) -> None:
    """Editors save by renaming a new file over the old one: the lock cflint waited for is on
    the old file, so under it cflint checks that the path still names that file."""
    write_files(tmp_path / "fn", {"requirements.txt": "", "helpers.py": "x = ''\n", "user.py": _RELATIVE_IMPORT})
    user = (tmp_path / "fn" / "user.py").resolve()
    saved = _RELATIVE_IMPORT + "# saved by the editor\n"
    with open(user, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        run = _cflint_process(tmp_path, "--fix", "fn")
        deadline = time.monotonic() + 60
        seen = 0  # cflint holds the file open for longer than a read: it waits for the lock
        while seen < 2 and run.poll() is None and time.monotonic() < deadline:
            seen = seen + 1 if _holds_open(run.pid, user) else 0
            time.sleep(0.2)
        assert seen == 2, "cflint did not wait for the lock"
        swap = user.with_name(".user.py.swp")
        swap.write_text(saved, encoding="utf-8")
        os.replace(swap, user)
    out, err = run.communicate(timeout=60)
    assert user.read_text(encoding="utf-8") == saved
    assert (run.returncode, err) == (1, b"cflint: fn/user.py: changed on disk during the run; not written\n"), out


def test_a_lock_held_too_long_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "user.py"
    path.write_bytes(b"a = 1\n")
    with open(path, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(NotWritten, match=r"locked by another process for over 0\.05 s"), locked_file(path, 0.05):
            pass
    with locked_file(path) as locked:
        locked.replace(b"a = 2\n")
    assert path.read_bytes() == b"a = 2\n"
