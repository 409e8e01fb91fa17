"""What is packed is what is linted: symbolic links to files outside a function folder."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]
HELLO = "def main():\n    return 'x'\n"


def lint(cflint: Cflint, *args: str, cwd: Path) -> CliResult:
    return cflint("--color", "never", *args, cwd=cwd)


def package(cflint: Cflint, *args: str, cwd: Path) -> CliResult:
    return cflint("package", "--color", "never", *args, cwd=cwd)


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    """shared/common.py, and fn2/common.py linking to it: shared code in a monorepo."""
    write_files(tmp_path, {"shared/common.py": "import numpy\n", "fn2/user.py": HELLO, "fn2/requirements.txt": ""})
    os.symlink("../shared/common.py", tmp_path / "fn2" / "common.py")
    return tmp_path


@pytest.mark.parametrize("repository", [False, True], ids=["no repository", "git repository"])
def test_a_link_to_shared_code_is_linted_as_it_is_packed(cflint: Cflint, monorepo: Path, repository: bool) -> None:
    if repository:
        (monorepo / ".git").mkdir()
    folder = lint(cflint, "fn2", cwd=monorepo)
    assert (folder.code, folder.codes) == (1, ["CF301"])
    assert folder.lines[0].startswith("fn2/common.py:1:8: CF301 numpy")
    refused = package(cflint, "fn2", cwd=monorepo)
    assert refused.code == 1 and not (monorepo / "fn2.zip").exists()
    assert package(cflint, "fn2", "--force", cwd=monorepo).code == 0
    archive = lint(cflint, "fn2.zip", cwd=monorepo)
    assert [line.removeprefix("fn2.zip") for line in archive.lines] == [
        line.removeprefix("fn2") for line in folder.lines
    ]


def test_the_packer_says_a_shared_file_is_packed_as_a_copy(cflint: Cflint, monorepo: Path) -> None:
    (monorepo / "shared" / "common.py").write_text("import json\n")
    result = package(cflint, "fn2", cwd=monorepo)
    assert result.code == 0, result.out + result.err
    target = monorepo / "shared" / "common.py"
    assert f"  common.py         12 bytes  (a copy of {target}, outside the folder)" in result.lines
    with zipfile.ZipFile(monorepo / "fn2.zip") as archive:
        assert archive.read("common.py") == b"import json\n"


@pytest.mark.parametrize("name", ["user.py", "passwd.txt"])
def test_a_link_to_a_system_file_is_a_finding_and_is_not_packed(cflint: Cflint, tmp_path: Path, name: str) -> None:
    write_files(tmp_path / "fn", {"requirements.txt": "", **({} if name == "user.py" else {"user.py": HELLO})})
    os.symlink("/etc/passwd", tmp_path / "fn" / name)
    expected = (
        f"fn/{name}:1:1: CF508 {name} is a symbolic link to /etc/passwd, outside {tmp_path}, the folder holding "
        "the function: the package would ship a copy of it; copy the file in or remove the link"
    )
    result = lint(cflint, "fn", cwd=tmp_path)
    assert (result.code, result.lines) == (1, [expected])
    refused = package(cflint, "fn", cwd=tmp_path)
    assert refused.code == 1 and refused.lines == [expected]
    assert refused.err == "cflint package: not packing fn: 1 error above (--force packs anyway)\n"
    assert not (tmp_path / "fn.zip").exists()
    forced = package(cflint, "fn", "--force", cwd=tmp_path)
    assert forced.code == 0 and (tmp_path / "fn.zip").is_file()


def test_a_link_out_of_the_repository_is_a_finding(cflint: Cflint, tmp_path: Path) -> None:
    write_files(tmp_path, {"elsewhere/key.json": "{}", "repo/fn/user.py": HELLO, "repo/fn/requirements.txt": ""})
    (tmp_path / "repo" / ".git").mkdir()
    os.symlink(tmp_path / "elsewhere" / "key.json", tmp_path / "repo" / "fn" / "key.json")
    result = lint(cflint, "fn", cwd=tmp_path / "repo")
    assert result.codes == ["CF508"]
    assert f"outside {tmp_path / 'repo'}, the repository holding the function" in result.out


def test_a_link_to_a_device_is_a_finding(cflint: Cflint, tmp_path: Path) -> None:
    write_files(tmp_path / "fn", {"user.py": HELLO, "requirements.txt": ""})
    os.symlink("/dev/zero", tmp_path / "fn" / "zero.py")
    os.symlink("/dev/null", tmp_path / "fn" / "data")
    result = lint(cflint, "fn", cwd=tmp_path)
    assert result.lines == [
        "fn/data:1:1: CF002 not a regular file (a character device): not packed",
        "fn/zero.py:1:1: CF002 not a regular file (a character device): not linted",
    ]
    assert package(cflint, "fn", cwd=tmp_path).code == 1


def test_links_inside_the_folder_are_followed_without_a_finding(cflint: Cflint, tmp_path: Path) -> None:
    write_files(tmp_path / "fn", {"user.py": HELLO, "requirements.txt": "", "lib/real.py": "import numpy\n"})
    os.symlink("lib/real.py", tmp_path / "fn" / "alias.py")
    result = lint(cflint, "fn", cwd=tmp_path)
    assert result.codes == ["CF301", "CF301"]
