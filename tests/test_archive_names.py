"""Member names as other tools write them: bsdtar's `./user.py`, PowerShell 5.1's
backslashes, a legal `a:b.py`, an empty name. Each through the real CLI."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliResult
from tests.zips import CENTRAL_HEADER, LOCAL_HEADER, make_zip

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
