"""Bad inputs through the real command line: each gives its documented finding and exit code.

Every row runs `python -m cflint` in a separate process with a timeout, so a row that
hangs (a FIFO read) or crashes the interpreter (deep nesting) fails instead of stopping
the test run. docs/reliability.md lists the same results.
"""

from __future__ import annotations

import os
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import CliResult, run_subprocess, write_files
from tests.zips import empty_member_name, make_zip

MIB = 1024 * 1024
TWENTY_MIB_SOURCE = b"x = 1\n" * (20 * MIB // 6 + 1)
TOO_DEEP = "x.py:1:1: CF001 cannot parse: too deeply nested for the Python parser (it runs out of recursion depth)"


def _symlink_loop(folder: Path) -> None:
    os.symlink("loop.py", folder / "loop.py")


def _unreadable(folder: Path) -> None:
    # Tests run as root in CI, where chmod 000 does not stop a read. /proc/self/mem is a
    # regular file that every process may open and whose first page is never mapped, so
    # reading it fails with EIO for root too: a real read error, not a simulated one.
    os.symlink("/proc/self/mem", folder / "x.py")


def _fifo(folder: Path) -> None:
    os.mkfifo(folder / "x.py")


class _ZerosDeflatedOnce:
    """A deflate compressor for a member written a MiB of zeros at a time, which deflates one
    MiB once and gives its bytes for each: a full flush ends each MiB's output on a byte
    boundary with no reference to the data before it, so the repeated bytes are the stream
    zlib would write for all of them (in seconds, for 1.1 GiB)."""

    def __init__(self) -> None:
        compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -zlib.MAX_WBITS)
        self.mib = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
        self.end = compressor.flush()

    def compress(self, data: bytes) -> bytes:
        assert data == bytes(MIB)
        return self.mib

    def flush(self) -> bytes:
        return self.end


def _zip_bomb(folder: Path) -> None:
    """A real deflate bomb: 1.1 GiB of zeros in a 1.1 MiB archive, over the default limit of
    10 times max-package-size (100 MiB). zipfile writes the headers, sizes and CRC; only the
    compressor it would use is replaced."""
    zeros = bytes(MIB)
    with zipfile.ZipFile(folder / "fn.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("user.py", USER)
        archive.writestr("requirements.txt", "")
        with archive.open("zeros.bin", "w", force_zip64=True) as member:
            member._compressor = _ZerosDeflatedOnce()  # type: ignore[attr-defined]
            for _ in range(1100):
                member.write(zeros)
    assert (folder / "fn.zip").stat().st_size < 2 * MIB


def _zip_with_an_empty_member_name(folder: Path) -> None:
    make_zip(folder / "fn.zip", {"user.py": "def main():\n    return 1\n", "requirements.txt": "", "x": "data"})
    empty_member_name(folder / "fn.zip", "x")


FUNCTION = {"fn/user.py": "def main():\n    return 'ok'\n", "fn/requirements.txt": "", "fn/bad.py": "def f(:\n"}
BAD_PY = "fn/bad.py:1:7: CF001 cannot parse: invalid syntax"


@dataclass(frozen=True)
class Row:
    """Files to write (or a function that makes the special ones), the arguments, and
    exactly what cflint must print and return."""

    files: dict[str, str | bytes]
    args: tuple[str, ...]
    out: tuple[str, ...]
    code: int
    err: str = ""
    make: Callable[[Path], None] | None = None


USER = "def main():\n    return 'ok'\n"
MARKER_CODE = (
    "import pathlib\n"
    "pathlib.Path(__file__).with_name('MARKER').write_text('imported or executed')\n"
    "if __name__ == '__main__':\n"
    "    pathlib.Path(__file__).with_name('MARKER').write_text('run as a script')\n"
    "def main():\n"
    "    return 'ok'\n"
)

ROWS = {
    "empty file": Row({"x.py": b""}, (".",), (), 0),
    "only a BOM": Row({"x.py": b"\xef\xbb\xbf"}, (".",), (), 0),
    "CRLF line endings": Row(
        {"x.py": b"x = 1\r\n\r\ndef f(:\r\n"}, (".",), ("x.py:3:7: CF001 cannot parse: invalid syntax",), 1
    ),
    "CR line endings": Row(
        {"x.py": b"x = 1\r\rdef f(:\r"}, (".",), ("x.py:3:7: CF001 cannot parse: invalid syntax",), 1
    ),
    "tabs and spaces mixed (TabError)": Row(
        {"x.py": b"if True:\n        x = 1\n\ty = 2\n"},
        (".",),
        ("x.py:3:1: CF001 cannot parse: inconsistent use of tabs and spaces in indentation",),
        1,
    ),
    "NUL byte": Row({"x.py": b"x = 1\n\0\n"}, (".",), ("x.py:2:1: CF002 source contains a NUL byte",), 1),
    "invalid UTF-8": Row(
        {"x.py": b"x = 1\nname = '\xff'\n"}, (".",), ("x.py:2:9: CF002 invalid utf-8 text (invalid start byte)",), 1
    ),
    "latin-1 coding cookie": Row({"x.py": b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n"}, (".",), (), 0),
    "20 MiB file": Row(
        {"x.py": TWENTY_MIB_SOURCE},
        (".",),
        (f"x.py:1:1: CF004 file is {len(TWENTY_MIB_SOURCE)} bytes, over max-file-size (10485760 bytes): not linted",),
        1,
    ),
    "5,000-deep nested parentheses": Row(
        {"x.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"},
        (".",),
        ("x.py:1:205: CF001 cannot parse: too many nested parentheses",),
        1,
    ),
    "100,000-term string concatenation": Row(
        {"x.py": "x = " + " + ".join(["'a'"] * 100_000) + "\n"},
        (".",),
        (
            # Over the token bound, so not compiled (CPython 3.11+ refuses it, 3.10 accepts it).
            "x.py:1:1: CF004 file has about 200001 tokens, over the 100000 cflint lints within its bounds: not linted",
        ),
        1,
    ),
    # Chains without operators or brackets, which used to reach LibCST and take minutes.
    "a 5,000-call chain a.b().b()...": Row({"x.py": "x = a" + ".b()" * 5000 + "\n"}, (".",), (TOO_DEEP,), 1),
    "a 2,000-call chain": Row({"x.py": "x = a" + ".b()" * 2000 + "\n"}, (".",), (TOO_DEEP,), 1),
    "a 3,000-attribute chain a.b.b...": Row({"x.py": "x = a" + ".b" * 3000 + "\n"}, (".",), (TOO_DEEP,), 1),
    "a 3,000-subscript chain a[0][0]...": Row({"x.py": "x = a" + "[0]" * 3000 + "\n"}, (".",), (TOO_DEEP,), 1),
    "3,000 nots": Row({"x.py": "x = " + "not " * 3000 + "a\n"}, (".",), (TOO_DEEP,), 1),
    "a 3,000-branch elif chain": Row(
        {"x.py": "if a:\n    pass\n" + "elif a:\n    pass\n" * 3000}, (".",), (TOO_DEEP,), 1
    ),
    "21 nested for loops": Row(
        {"x.py": "".join("    " * depth + "for x in y:\n" for depth in range(21)) + "    " * 21 + "pass\n"},
        (".",),
        ("x.py:21:81: CF001 cannot parse: too many statically nested blocks",),
        1,
    ),
    "a 5,000-digit integer literal": Row(
        {"x.py": "x = " + "9" * 5000 + "\n"},
        (".",),
        (
            "x.py:1:1: CF001 cannot parse: Exceeds the limit (4300 digits) for integer string conversion: value has "
            "5000 digits; use sys.set_int_max_str_digits() to increase the limit - Consider hexadecimal for huge "
            "integer literals to avoid decimal conversion limits.",
        ),
        1,
    ),
    "a 1,000-call chain (compiles, too slow for LibCST)": Row(
        {"x.py": "x = a" + ".b()" * 1000 + "\n"},
        (".",),
        (
            "x.py:1:1: CF004 expressions nest too deeply to parse within cflint's bounds (nesting cost 6015012, "
            "over 4000000): not linted",
        ),
        1,
    ),
    "a file of 120,000 tokens": Row(
        {"x.py": "x = 1\n" * 40_000},
        (".",),
        ("x.py:1:1: CF004 file has about 120000 tokens, over the 100000 cflint lints within its bounds: not linted",),
        1,
    ),
    "valid syntax that LibCST cannot parse": Row(
        {"x.py": "x = 1\n(x): int = 2\n"},
        (".",),
        (
            "x.py:2:1: CF001 cannot parse: cflint's parser (LibCST) does not support this syntax, although "
            f"Python {sys.version_info.major}.{sys.version_info.minor} accepts it",
        ),
        1,
    ),
    "5,000 string literals joined side by side (valid; past LibCST's limit)": Row(
        {"x.py": "x = (" + " ".join(['"a"'] * 5000) + ")\n"},
        (".",),
        (
            "x.py:1:1: CF004 5000 string literals joined side by side, over the 3000 that cflint's parser (LibCST) "
            "reads: not linted",
        ),
        1,
    ),
    "5,000 string literals joined without brackets": Row(
        {"x.py": "x = " + " ".join(['"a"'] * 5000) + "\n"},
        (".",),
        (
            "x.py:1:1: CF004 5000 string literals joined side by side, over the 3000 that cflint's parser (LibCST) "
            "reads: not linted",
        ),
        1,
    ),
    "3,600 joined string literals across lines, with comments between": Row(
        {"x.py": "x = (\n" + "    \"a\" f'b'  # c\n" * 1800 + ")\n"},
        (".",),
        (
            "x.py:1:1: CF004 3600 string literals joined side by side, over the 3000 that cflint's parser (LibCST) "
            "reads: not linted",
        ),
        1,
    ),
    "245 lines of 199 nested parentheses (compiles; 1.1 GiB in LibCST)": Row(
        {"x.py": ("x = " + "(" * 199 + "a" + ")" * 199 + "\n") * 245},
        (".",),
        (
            "x.py:1:1: CF004 brackets nest too deeply to parse within cflint's memory bound (bracket cost 4681950, "
            "over 500000): not linted",
        ),
        1,
    ),
    "symlink loop in a folder": Row(
        {"ok.py": "x = 1\n"},
        (".",),
        ("loop.py:1:1: CF002 cannot read: Too many levels of symbolic links",),
        1,
        make=_symlink_loop,
    ),
    "symlink loop in a function folder": Row(
        FUNCTION,
        ("fn",),
        (BAD_PY, "fn/loop.py:1:1: CF002 cannot read: Too many levels of symbolic links"),
        1,
        make=lambda folder: _symlink_loop(folder / "fn"),
    ),
    "symlink loop named data in a function folder": Row(
        FUNCTION,
        ("fn",),
        (BAD_PY, "fn/data:1:1: CF002 cannot read: Too many levels of symbolic links"),
        1,
        make=lambda folder: os.symlink("data", folder / "fn" / "data"),
    ),
    "dangling symlink in a function folder": Row(
        FUNCTION,
        ("fn",),
        (BAD_PY, "fn/data:1:1: CF002 cannot read: No such file or directory"),
        1,
        make=lambda folder: os.symlink("missing", folder / "fn" / "data"),
    ),
    "dangling symlink named x.py": Row(
        FUNCTION,
        ("fn",),
        (BAD_PY, "fn/x.py:1:1: CF002 cannot read: No such file or directory"),
        1,
        make=lambda folder: os.symlink("missing.py", folder / "fn" / "x.py"),
    ),
    "FIFO (not .py) in a function folder": Row(
        FUNCTION,
        ("fn",),
        (BAD_PY, "fn/data:1:1: CF002 not a regular file (a FIFO): not packed"),
        1,
        make=lambda folder: os.mkfifo(folder / "fn" / "data"),
    ),
    "ZIP member with an empty file name": Row(
        {},
        ("fn.zip",),
        (
            "fn.zip:1:1: CF506 a member has an empty name: the archive is damaged or crafted",
            "fn.zip/user.py:2:12: CF201 entry function 'main' returns an int, which Flask cannot turn into a response",
        ),
        1,
        make=_zip_with_an_empty_member_name,
    ),
    "symlink loop named on the command line": Row(
        {},
        ("loop.py",),
        (),
        2,
        "cflint: error: loop.py: cannot open: Too many levels of symbolic links\n",
        make=_symlink_loop,
    ),
    "unreadable file (read fails with EIO)": Row(
        {}, ("x.py",), ("x.py:1:1: CF002 cannot read: Input/output error",), 1, make=_unreadable
    ),
    "folder named x.py": Row(
        {"x.py/inner.py": "def f(:\n"}, (".",), ("x.py/inner.py:1:7: CF001 cannot parse: invalid syntax",), 1
    ),
    "FIFO named x.py in the folder": Row(
        {"ok.py": "x = 1\n"}, (".",), ("x.py:1:1: CF002 not a regular file (a FIFO): not linted",), 1, make=_fifo
    ),
    "FIFO named requirements.txt": Row(
        {"user.py": USER},
        (".",),
        (
            ".:1:1: CF502 no requirements.txt at the root of the package: the runtime expects it beside the entry module",
            "requirements.txt:1:1: CF304 requirements.txt: cannot read: not a regular file (a FIFO)",
        ),
        1,
        make=lambda folder: os.mkfifo(folder / "requirements.txt"),
    ),
    "FIFO named .gitignore": Row(
        # No patterns are read from it (the run does not hang); it cannot be packed either.
        {"user.py": USER, "requirements.txt": ""},
        (".",),
        (".gitignore:1:1: CF002 not a regular file (a FIFO): not packed",),
        1,
        make=lambda folder: os.mkfifo(folder / ".gitignore"),
    ),
    "FIFO named fn.zip on the command line": Row(
        {},
        ("fn.zip",),
        ("fn.zip:1:1: CF002 cannot read: not a regular file (a FIFO)",),
        1,
        make=lambda folder: os.mkfifo(folder / "fn.zip"),
    ),
    "ZIP bomb": Row(
        {},
        ("fn.zip",),
        (
            "fn.zip:1:1: CF506 archive declares 1.1 GiB uncompressed, over 10 times max-package-size (1000.0 MiB): "
            "a possible ZIP bomb, not read",
        ),
        1,
        make=_zip_bomb,
    ),
    "device file named on the command line": Row(
        {}, ("/dev/null",), ("/dev/null:1:1: CF002 not a regular file (a character device): not linted",), 1
    ),
    "file that writes a marker when imported or run": Row(
        {"user.py": MARKER_CODE, "requirements.txt": ""}, (".",), (), 0
    ),
}


def _over_the_parse_bound(cost: int) -> tuple[str, ...]:
    return (
        f"x.py:1:1: CF004 expressions nest too deeply to parse within cflint's bounds (nesting cost {cost}, "
        "over 4000000): not linted",
    )


# CF001 follows the running Python's compile(), and Python 3.13's compiler accepts these rows:
# the chains then meet cflint's own parse bound (CF004), and the rest lint clean.
ON_PYTHON_3_13: dict[str, tuple[tuple[str, ...], int]] = {
    "a 2,000-call chain": (_over_the_parse_bound(24030012), 1),
    "a 3,000-attribute chain a.b.b...": (_over_the_parse_bound(9018012), 1),
    "a 3,000-subscript chain a[0][0]...": (_over_the_parse_bound(67561512), 1),
    "3,000 nots": (_over_the_parse_bound(9018012), 1),
    "a 3,000-branch elif chain": ((), 0),
    "21 nested for loops": ((), 0),
}


def _expected(name: str, row: Row) -> tuple[int, tuple[str, ...], str]:
    if sys.version_info >= (3, 13) and name in ON_PYTHON_3_13:
        out, code = ON_PYTHON_3_13[name]
        return (code, out, row.err)
    if sys.version_info < (3, 11) and name == "a 5,000-digit integer literal":
        # CPython 3.10's wording of the same limit: "(4300)" where 3.11 says "(4300 digits)".
        return (row.code, tuple(line.replace("(4300 digits)", "(4300)") for line in row.out), row.err)
    return (row.code, row.out, row.err)


@pytest.mark.parametrize(("name", "row"), ROWS.items(), ids=ROWS.keys())
def test_bad_input(tmp_path: Path, name: str, row: Row) -> None:
    if row.make is not None and not sys.platform.startswith("linux"):
        pytest.skip("FIFOs, symlinks and /proc/self/mem as these rows use them exist on Linux only")
    write_files(tmp_path, row.files)
    if row.make is not None:
        row.make(tmp_path)
    # The rows are about files; a folder of them without user.py is a function root missing its
    # entry module (CF101), which tests/test_cli_robustness.py covers.
    result = run_subprocess("--select", "ALL", "--ignore", "CF101", *row.args, cwd=tmp_path, timeout=60)
    assert (result.code, tuple(result.lines), result.err) == _expected(name, row)
    assert not (tmp_path / "MARKER").exists()


def test_malformed_pyproject_is_one_line_and_exit_2(tmp_path: Path) -> None:
    write_files(tmp_path, {"pyproject.toml": "[tool.cflint\nselect = 1\n", "user.py": USER})
    result = run_subprocess(".", cwd=tmp_path)
    config = tmp_path / "pyproject.toml"
    assert (result.code, result.out) == (2, "")
    # The TOML parser's own wording after "invalid TOML: " differs between tomli and tomllib versions.
    assert result.err.startswith(f"cflint: error: {config}: invalid TOML: ") and result.err.count("\n") == 1


@pytest.mark.parametrize("how", [("-c", "import user"), ("user.py",)], ids=["imported", "run"])
def test_marker_code_does_write_its_marker(tmp_path: Path, how: tuple[str, ...]) -> None:
    """The marker row can fail: importing or running its user.py writes the marker."""
    import subprocess

    write_files(tmp_path, {"user.py": MARKER_CODE})
    subprocess.run([sys.executable, *how], cwd=tmp_path, check=True, timeout=60)
    assert (tmp_path / "MARKER").exists()


def test_unreadable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cflint: Callable[..., CliResult]) -> None:
    """Simulated: tests run as root in CI, which lists any folder whatever its mode, so
    listing `locked` is made to fail as it does for other users (PermissionError)."""
    write_files(tmp_path, {"ok.py": "x = 1\n", "locked/inner.py": "def f(:\n"})
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str] = ".") -> Iterator[os.DirEntry[str]]:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = cflint("--ignore", "CF101", ".")
    assert (result.code, result.lines) == (1, ["locked:1:1: CF002 cannot read folder: Permission denied"])
