"""Package rules on a function folder: they see the files `cflint package` would pack."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from tests.helpers import CliResult, write_files
from tests.zips import TEMPLATE_FILES

Cflint = Callable[..., CliResult]
JUNK_FILES: dict[str, str | bytes] = {
    "__pycache__/user.cpython-311.pyc": b"\x00",
    "lib/__pycache__/util.cpython-311.pyc": b"\x00",
    "lib/util.py": "X = 1\n",
    ".DS_Store": b"\x00",
    "app.log": "started\n",
    "test.py": "print('local test')\n",
    "old.zip": b"PK\x05\x06" + bytes(18),
    ".env": "API_KEY=secret\n",
    ".git/HEAD": "ref: refs/heads/main\n",
    "venv/pyvenv.cfg": "home = /usr/bin\n",
    "venv/lib/python3.11/site-packages/x.py": "X = 1\n",
}


def lint(cflint: Cflint, folder: Path, *args: str) -> CliResult:
    return cflint("--color", "never", *args, ".", cwd=folder)


def test_junk_that_would_not_be_packed_is_not_reported(cflint: Cflint, tmp_path: Path) -> None:
    """The decision documented in rules/CF504.md: on a folder, no finding for what
    `cflint package` (and, for the kinds it names, the guide's zip -x) leaves out."""
    write_files(tmp_path, {**TEMPLATE_FILES, **JUNK_FILES})
    assert lint(cflint, tmp_path).out == ""


def test_the_same_files_zipped_by_hand_are_reported(cflint: Cflint, tmp_path: Path) -> None:
    folder = write_files(tmp_path / "fn", {**TEMPLATE_FILES, **JUNK_FILES})
    with zipfile.ZipFile(tmp_path / "by-hand.zip", "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    result = cflint("--color", "never", "by-hand.zip", cwd=tmp_path)
    assert [(line.split(":")[0], line.split(" ")[1]) for line in result.lines] == [
        ("by-hand.zip/.DS_Store", "CF504"),
        ("by-hand.zip/.env", "CF505"),
        ("by-hand.zip/.git", "CF504"),
        ("by-hand.zip/__pycache__", "CF504"),
        ("by-hand.zip/app.log", "CF504"),
        ("by-hand.zip/lib/__pycache__", "CF504"),
        ("by-hand.zip/old.zip", "CF504"),
        ("by-hand.zip/test.py", "CF504"),
        ("by-hand.zip/venv", "CF504"),
    ]


def test_a_file_put_back_by_package_exclude_is_reported(cflint: Cflint, tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {**TEMPLATE_FILES, "keep.log": "x", "drop.log": "x", ".cflint.toml": 'package-exclude = ["!keep.log"]\n'},
    )
    assert lint(cflint, tmp_path).lines == ["keep.log:1:1: CF504 keep.log must not ship: a log file"]


def test_requirements_missing_on_a_function_folder(cflint: Cflint, tmp_path: Path) -> None:
    write_files(tmp_path / "fn", {"user.py": TEMPLATE_FILES["user.py"]})
    result = cflint("--color", "never", "fn", cwd=tmp_path)
    assert result.lines == [
        "fn:1:1: CF502 no requirements.txt at the root of the package: the runtime expects it beside the entry module",
        "fn/user.py:2:8: CF303 yaml is imported, but the function folder has no requirements.txt",
    ]


def test_a_folder_without_the_entry_module_gets_cf101_only(cflint: Cflint, tmp_path: Path) -> None:
    write_files(
        tmp_path / "a", {"requirements.txt": "pyyaml\n", "main.py": "def main():\n    return 'x'\n", "id_rsa": "k"}
    )
    write_files(tmp_path / "b", {".cflint.toml": "", "helpers.py": "X = 1\n"})
    result = cflint("--color", "never", "a", "b", cwd=tmp_path)
    assert result.codes == ["CF101", "CF101"]


def test_requirements_in_a_sub_folder_of_a_function_folder_is_cf502(cflint: Cflint, tmp_path: Path) -> None:
    """Not CF501, whose advice (zip the folder's contents) is for archives; config/ holds no
    Python file, so it is not a function root of its own (no CF101)."""
    write_files(tmp_path, {"user.py": TEMPLATE_FILES["user.py"], "config/requirements.txt": "pyyaml\n"})
    assert [(line.split(":")[0], line.split(" ")[1]) for line in lint(cflint, tmp_path).lines] == [
        (".", "CF502"),
        ("user.py", "CF303"),
    ]


def test_secrets_that_would_ship(cflint: Cflint, tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            **TEMPLATE_FILES,
            "id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\n",
            "tls/key.pem": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
            "tls/ca.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            "ignored/credentials.json": "{}",
            "excluded.key": "k",
            ".gitignore": "ignored/\n",
            ".cflint.toml": 'package-exclude = ["*.key"]\n',
        },
    )
    assert lint(cflint, tmp_path).lines == [
        "id_rsa:1:1: CF505 id_rsa looks like an SSH private key: it must not ship; "
        "move it out of the folder or add it to package-exclude",
        "tls/key.pem:1:1: CF505 tls/key.pem looks like a PEM file with a private key: it must not ship; "
        "move it out of the folder or add it to package-exclude",
    ]


def test_gitignore_of_the_enclosing_repository_applies(cflint: Cflint, tmp_path: Path) -> None:
    write_files(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", ".gitignore": "*.pem\n"})
    write_files(tmp_path / "functions" / "fn", {**TEMPLATE_FILES, "key.pem": "-----BEGIN PRIVATE KEY-----\n"})
    assert cflint("--color", "never", "functions/fn", cwd=tmp_path).out == ""


def test_per_file_ignores_apply_to_package_findings(cflint: Cflint, tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {**TEMPLATE_FILES, "client.key": "k", ".cflint.toml": '[per-file-ignores]\n"client.key" = ["CF505"]\n'},
    )
    assert lint(cflint, tmp_path).out == ""


def test_folder_over_the_limit_names_the_largest_files(cflint: Cflint, tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            **TEMPLATE_FILES,
            ".cflint.toml": 'max-package-size = "8 KiB"\n',
            "data/model.bin": bytes(6 * 1024),
            "data/vocab.txt": "w\n" * 2048,
            "app.log": "x" * 100_000,
        },
    )
    result = lint(cflint, tmp_path)
    assert result.codes == ["CF503"]
    assert result.lines[0].startswith(
        ".:1:1: CF503 the files to pack total 10.2 KiB before compression, over max-package-size (8.0 KiB); "
        "largest: data/model.bin (6.0 KiB), data/vocab.txt (4.0 KiB), user.py ("
    )


def test_secrets_and_junk_of_a_node_and_direnv_setup(cflint: Cflint, tmp_path: Path) -> None:
    """A GCP key, `.envrc` and an `.npmrc` with a token are refused; `node_modules/` and
    `.coverage` are left out of the package."""
    gcp_key = '{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIE\\n"}\n'
    write_files(
        tmp_path / "fn",
        {
            **TEMPLATE_FILES,
            "gcp-key.json": gcp_key,
            ".envrc": "export API_KEY=secret\n",
            ".npmrc": "//registry.npmjs.org/:_authToken=npm_abc123\n",
            "node_modules/left-pad/index.js": "module.exports = 1\n",
            ".coverage": "SQLite format 3\x00",
        },
    )
    result = cflint("--color", "never", "fn", cwd=tmp_path)
    assert [line.split(" looks like ")[0] for line in result.lines] == [
        "fn/.envrc:1:1: CF505 .envrc",
        "fn/.npmrc:1:1: CF505 .npmrc",
        "fn/gcp-key.json:1:1: CF505 gcp-key.json",
    ]
    refused = cflint("package", "--color", "never", "fn", cwd=tmp_path)
    assert refused.code == 1 and not (tmp_path / "fn.zip").exists()
    for name in ("gcp-key.json", ".envrc", ".npmrc"):
        (tmp_path / "fn" / name).unlink()
    packed = cflint("package", "--color", "never", "fn", cwd=tmp_path)
    assert packed.code == 0, packed.out + packed.err
    with zipfile.ZipFile(tmp_path / "fn.zip") as archive:
        assert archive.namelist() == ["requirements.txt", "user.py"]
