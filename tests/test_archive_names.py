"""Member names as other tools write them: bsdtar's `./user.py`, PowerShell 5.1's
backslashes, a legal `a:b.py`, an empty name. Each through the real CLI."""

from __future__ import annotations

import struct
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.package.archive import (
    MAX_DEFLATE_RATIO,
    Archive,
    ArchiveError,
    _declared_size_problem,
    member_path,
    unsafe_name_problem,
)
from cflint.package.contents import PackageProblem, format_size
from tests.helpers import CliResult
from tests.zips import CENTRAL_HEADER, LOCAL_HEADER, make_zip, mark_encrypted

Cflint = Callable[..., CliResult]
USER = "def main():\n    return 'x'\n"
BACKSLASH_ADVICE = (
    "which the ZIP format does not allow: Linux, where the function runs, may read them as part of the file name, "
    "not as folders. Windows PowerShell 5.1's Compress-Archive writes them; zip with PowerShell 7's "
    "Compress-Archive, 7-Zip or `tar -a -cf fn.zip *` from inside the folder instead"
)


def test_dot_slash_members_are_at_the_root(tmp_path: Path, cflint: Cflint) -> None:
    """`tar -a -cf fn.zip .` (bsdtar, Windows 10/11's tar.exe) names members `./user.py`."""
    make_zip(
        tmp_path / "fn.zip",
        {
            "./": "",
            "./user.py": USER,
            "./requirements.txt": "requests\n",
            "./lib/": "",
            "./lib/util.py": "import requests\n",
        },
    )
    result = cflint("fn.zip", cwd=tmp_path)
    assert (result.code, result.out) == (0, "")
    make_zip(tmp_path / "bad.zip", {"./user.py": "def main(request):\n    return 'x'\n", "./requirements.txt": ""})
    assert cflint("bad.zip", cwd=tmp_path).lines == [
        "bad.zip/user.py:1:10: CF103 entry function 'main' takes parameter 'request', but the runtime calls it "
        "with no arguments; read the request from flask.request [unsafe fix: --unsafe-fixes]"
    ]


def test_dot_slash_and_plain_names_of_one_file_are_duplicates(tmp_path: Path, cflint: Cflint) -> None:
    make_zip(tmp_path / "fn.zip", {"user.py": USER, "./user.py": USER, "requirements.txt": ""})
    assert cflint("fn.zip", cwd=tmp_path).lines == [
        "fn.zip/user.py:1:1: CF506 member appears 2 times: unzip tools disagree about which copy they keep"
    ]


def test_backslash_names_of_a_zipped_folder(tmp_path: Path, cflint: Cflint) -> None:
    """`Compress-Archive -Path my-function -DestinationPath fn.zip` in Windows PowerShell 5.1."""
    make_zip(tmp_path / "fn.zip", {"my-function\\user.py": USER, "my-function\\requirements.txt": ""})
    result = cflint("fn.zip", cwd=tmp_path)
    assert (result.code, result.lines) == (
        1,
        [
            f"fn.zip:1:1: CF506 2 member names use backslashes ('my-function\\\\user.py'), {BACKSLASH_ADVICE}",
            "fn.zip/my-function:1:1: CF501 user.py and requirements.txt are inside my-function/ instead of at the "
            "root: remove the my-function/ level (zip its contents, not the folder)",
        ],
    )


def test_backslash_names_below_a_correct_root(tmp_path: Path, cflint: Cflint) -> None:
    make_zip(tmp_path / "fn.zip", {"user.py": USER, "requirements.txt": "", "lib\\helper.py": "x = 1\n"})
    result = cflint("fn.zip", cwd=tmp_path)
    assert (result.code, result.lines) == (
        1,
        [f"fn.zip:1:1: CF506 1 member name uses backslashes ('lib\\\\helper.py'), {BACKSLASH_ADVICE}"],
    )


@pytest.mark.parametrize("name", ["a:b.py", "data/c:d.txt"])
def test_a_colon_in_a_name_is_a_legal_relative_path(tmp_path: Path, cflint: Cflint, name: str) -> None:
    make_zip(tmp_path / "fn.zip", {"user.py": USER, "requirements.txt": "", name: "x = 1\n"})
    result = cflint("fn.zip", cwd=tmp_path)
    assert (result.code, result.out) == (0, "")


def _rename_member_to_empty(path: Path, name: str) -> None:
    """Give member `name` an empty file name in its local and central headers (Python's
    zipfile refuses to write one); its old name bytes become header padding (the local
    header's extra field, the central record's comment), so no offset moves."""
    data = bytearray(path.read_bytes())
    for signature, length_at, padding_at, name_at in ((LOCAL_HEADER, 26, 28, 30), (CENTRAL_HEADER, 28, 32, 46)):
        offset = data.find(signature)
        while offset != -1:
            length = struct.unpack_from("<H", data, offset + length_at)[0]
            if data[offset + name_at : offset + name_at + length] == name.encode():
                padding = struct.unpack_from("<H", data, offset + padding_at)[0]
                struct.pack_into("<H", data, offset + length_at, 0)
                struct.pack_into("<H", data, offset + padding_at, padding + length)
                break
            offset = data.find(signature, offset + 4)
        else:
            raise KeyError(name)
    path.write_bytes(bytes(data))


def test_a_member_with_an_empty_name(tmp_path: Path, cflint: Cflint) -> None:
    archive = make_zip(
        tmp_path / "fn.zip", {"user.py": "def main(request):\n    return 'x'\n", "requirements.txt": "", "x": "data"}
    )
    _rename_member_to_empty(archive, "x")
    result = cflint("fn.zip", cwd=tmp_path)
    assert (result.code, result.lines) == (
        1,
        [
            "fn.zip:1:1: CF506 a member has an empty name: the archive is damaged or crafted",
            "fn.zip/user.py:1:10: CF103 entry function 'main' takes parameter 'request', but the runtime calls it "
            "with no arguments; read the request from flask.request [unsafe fix: --unsafe-fixes]",
        ],
    )


# The Archive reader's own verdicts, member by member, through its API: one bad member
# never hides another, and each verdict names the member it is about.


def test_a_bad_member_does_not_hide_the_members_after_it(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("link")
    link.external_attr = 0o120777 << 16
    path = tmp_path / "fn.zip"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("x", "data")  # renamed to "" below
            archive.writestr("../evil.py", "x = 1\n")
            archive.writestr(link, "/etc/passwd")
            archive.writestr("lib/", "")
            archive.writestr(".", "")
            archive.writestr("lib/util.py", "y = 2\n")
    _rename_member_to_empty(path, "x")
    with Archive.open(path, 1 << 20) as archive:
        assert [(entry.path, entry.size) for entry in archive.entries] == [("lib/util.py", 6)]  # stored
        assert archive.problems == (
            PackageProblem("a member has an empty name: the archive is damaged or crafted"),
            PackageProblem("member '../evil.py' has a '..' path: unpacking it writes outside the function's folder"),
            PackageProblem("member is a symbolic link: unpacked, it can point outside the function's folder", "link"),
        )
        assert archive.read_head("lib/util.py", 3) == b"y ="
        assert archive.read_head("lib/util.py", 100) == b"y = 2\n"
        assert archive.declared_size("lib/util.py") == 6
        with pytest.raises(ArchiveError, match=r"^no member 'link'$"):
            archive.read_head("link", 10)


def test_an_unreadable_member_says_why_when_read(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "fn.zip", {"user.py": USER, "requirements.txt": ""})
    mark_encrypted(path, "user.py")
    with Archive.open(path, 1 << 20) as archive:
        assert not archive.is_readable("user.py") and archive.is_readable("requirements.txt")
        with pytest.raises(ArchiveError) as raised:
            archive.read_head("user.py", 10)
        assert str(raised.value) == "member is encrypted: the runtime cannot read it, nor can cflint check it"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("\\x.py", "member '\\\\x.py' has an absolute path: unpacking it writes outside the function's folder"),
        ("/x.py", "member '/x.py' has an absolute path: unpacking it writes outside the function's folder"),
        ("C:/x.py", "member 'C:/x.py' has an absolute path: unpacking it writes outside the function's folder"),
        (
            "a\\..\\..\\x.py",
            "member 'a\\\\..\\\\..\\\\x.py' has a '..' path: unpacking it writes outside the function's folder",
        ),
        ("a..b/x.py", None),
    ],
)
def test_unsafe_names(name: str, problem: str | None) -> None:
    assert unsafe_name_problem(name) == problem


@pytest.mark.parametrize(
    ("name", "path"), [(".", ""), ("./.", ""), ("./", ""), (".\\lib\\x.py", "lib/x.py"), ("./.x", ".x"), ("..x", "..x")]
)
def test_member_paths(name: str, path: str) -> None:
    assert member_path(name) == path


def test_deflate_limit_is_inclusive() -> None:
    info = zipfile.ZipInfo("x")
    info.compress_type = zipfile.ZIP_DEFLATED
    info.compress_size = 10
    info.file_size = MAX_DEFLATE_RATIO * 10 + 1024
    assert _declared_size_problem(info) is None
    info.file_size += 1
    assert _declared_size_problem(info) == (
        f"member declares {format_size(info.file_size)} uncompressed, more than its 10 bytes of compressed data "
        "can hold: the archive is damaged or crafted"
    )
