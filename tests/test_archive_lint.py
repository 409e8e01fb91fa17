"""`cflint my-function.zip`: archives linted in place, never extracted."""

from __future__ import annotations

import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cflint.engine.registry import load_registry
from cflint.run.runner import RunOptions, run
from tests.helpers import CliResult, run_subprocess, write_files
from tests.zips import (
    TEMPLATE_FILES,
    damage_member_data,
    declare_size,
    make_large_stored_zip,
    make_zip,
    mark_encrypted,
    rename_member,
    snapshot,
)

Cflint = Callable[..., CliResult]
MIB = 1024 * 1024


@pytest.fixture
def archives(tmp_path: Path) -> Iterator[Path]:
    """A folder for the archives of a test, checked to be unchanged by linting: cflint
    runs from tmp_path and must write nothing, least of all extracted members."""
    folder = tmp_path / "archives"
    folder.mkdir()
    yield folder


def lint(cflint: Cflint, archive: Path, *args: str) -> CliResult:
    before = snapshot(archive.parent)
    result = cflint("--color", "never", *args, f"archives/{archive.name}", cwd=archive.parent.parent)
    assert snapshot(archive.parent) == before, "linting an archive changed files beside it"
    assert "Traceback" not in result.err and "internal error" not in result.out + result.err, result.out + result.err
    return result


def test_right_structure_of_the_guide_is_clean(cflint: Cflint, archives: Path) -> None:
    archive = make_zip(archives / "my-function.zip", {**TEMPLATE_FILES, "utils.py": "def helper():\n    return 1\n"})
    result = lint(cflint, archive)
    assert (result.code, result.out) == (0, "")


def test_wrong_structure_of_the_guide_names_the_folder(cflint: Cflint, archives: Path) -> None:
    members = {f"my-function/{name}": text for name, text in TEMPLATE_FILES.items()}
    result = lint(cflint, make_zip(archives / "my-function.zip", members))
    assert result.lines == [
        "archives/my-function.zip/my-function:1:1: CF501 user.py and requirements.txt are inside my-function/ "
        "instead of at the root: remove the my-function/ level (zip its contents, not the folder)",
        # The runtime would not find the requirements either; fixing CF501 fixes this too.
        "archives/my-function.zip/my-function/user.py:2:8: CF303 yaml is imported, but the function folder has no requirements.txt",
    ]
    assert result.code == 1


def test_members_are_linted_with_archive_paths_and_entry_rules(cflint: Cflint, archives: Path) -> None:
    archive = make_zip(
        archives / "fn.zip",
        {
            "user.py": "def main(request):\n    return 'x'\n",
            "requirements.txt": "",
            "lib/user.py": "def main(request):\n    return 'not the entry module'\n",
        },
    )
    result = lint(cflint, archive, "--show-source")
    assert result.codes == ["CF103"]
    assert result.lines[0].startswith("archives/fn.zip/user.py:1:10: CF103 ")


def test_show_source_prints_no_archive_bytes(cflint: Cflint, archives: Path) -> None:
    archive = make_zip(archives / "fn.zip", {"user.py": "def main(request):\n    return 'x'\n"})
    result = lint(cflint, archive, "--show-source")
    # The archive's own finding shows no bytes of it; a member's finding shows the member's line.
    assert [line.split(" ")[1] for line in result.lines[:2]] == ["CF502", "CF103"]
    assert result.lines[2:] == ["def main(request):", "         ^"]


def test_entry_module_nowhere_in_the_archive_is_cf101(cflint: Cflint, archives: Path) -> None:
    result = lint(
        cflint, make_zip(archives / "fn.zip", {"main.py": "def main():\n    return 'x'\n", "requirements.txt": ""})
    )
    assert result.lines == [
        "archives/fn.zip:1:1: CF101 entry module user.py for entry point user.main not found in this function root; "
        'main.py defines main(): rename it to user.py, or set entry-points = ["main.main"]'
    ]


def test_an_archive_named_twice_is_linted_once(cflint: Cflint, archives: Path) -> None:
    make_zip(archives / "fn.zip", {"user.py": "def main():\n    return 'x'\n"})
    result = cflint("--color", "never", "archives/fn.zip", "./archives/fn.zip", cwd=archives.parent)
    assert result.codes == ["CF502"]


def test_missing_requirements(cflint: Cflint, archives: Path) -> None:
    result = lint(cflint, make_zip(archives / "fn.zip", {"user.py": TEMPLATE_FILES["user.py"]}))
    assert [line.split(" ", 2)[:2] for line in result.lines] == [
        ["archives/fn.zip:1:1:", "CF502"],
        ["archives/fn.zip/user.py:2:8:", "CF303"],
    ]


def test_requirements_of_an_archive_are_read_from_it(cflint: Cflint, archives: Path) -> None:
    members = {
        "user.py": "import yaml\nimport requests\n\ndef main():\n    return yaml.dump(requests.__name__)\n",
        "requirements.txt": "-r base.txt\nsklearn\nnumpy\n",
        "base.txt": "pyyaml\n",
    }
    result = lint(cflint, make_zip(archives / "fn.zip", members))
    assert result.lines == [
        "archives/fn.zip/requirements.txt:2:1: CF304 'sklearn': sklearn fails to install from the package index; "
        "list scikit-learn instead",
        "archives/fn.zip/requirements.txt:3:1: CF302 numpy cannot be installed on the runtime (C extension modules)",
        "archives/fn.zip/user.py:2:8: CF303 requests is imported, but no requirements.txt line provides it",
    ]


JUNK_MEMBERS = [
    ("__pycache__/user.cpython-311.pyc", "__pycache__/"),
    ("lib/__pycache__/a.cpython-312.pyc", "lib/__pycache__/"),
    ("lib/helper.pyc", "lib/helper.pyc"),
    (".git/HEAD", ".git/"),
    (".git", ".git"),
    (".hg/store", ".hg/"),
    (".svn/entries", ".svn/"),
    ("app.log", "app.log"),
    ("test.py", "test.py"),
    ("old.zip", "old.zip"),
    ("lib/vendor.zip", "lib/vendor.zip"),
    (".DS_Store", ".DS_Store"),
    ("__MACOSX/._user.py", "__MACOSX/"),
    ("._user.py", "._user.py"),
    ("Thumbs.db", "Thumbs.db"),
    ("desktop.ini", "desktop.ini"),
    (".user.py.swp", ".user.py.swp"),
    ("user.py~", "user.py~"),
    (".idea/workspace.xml", ".idea/"),
    (".vscode/settings.json", ".vscode/"),
    (".pytest_cache/README.md", ".pytest_cache/"),
    (".mypy_cache/3.11/x.json", ".mypy_cache/"),
    (".ruff_cache/CACHEDIR.TAG", ".ruff_cache/"),
    (".tox/log", ".tox/"),
    ("venv/pyvenv.cfg", "venv/"),
    ("node_modules/left-pad/index.js", "node_modules/"),
    (".coverage", ".coverage"),
    (".coverage.host.123.456", ".coverage.host.123.456"),
    ("htmlcov/index.html", "htmlcov/"),
]


@pytest.mark.parametrize(("member", "item"), JUNK_MEMBERS, ids=[member for member, _ in JUNK_MEMBERS])
def test_each_junk_kind_is_reported_once(cflint: Cflint, archives: Path, member: str, item: str) -> None:
    members: dict[str, str | bytes] = {**TEMPLATE_FILES, member: b"junk"}
    if item.endswith("/"):
        members[member + "2"] = b"a second file in the same junk folder"
    archive = make_zip(archives / "fn.zip", members)
    result = lint(cflint, archive)
    cf504 = [line for line in result.lines if " CF504 " in line]
    assert len(cf504) == 1, result.out
    assert cf504[0].startswith(f"archives/fn.zip/{item.rstrip('/')}:1:1: CF504 {item} must not ship: ")


def test_test_py_below_the_root_and_vendored_modules_are_not_junk(cflint: Cflint, archives: Path) -> None:
    members = {**TEMPLATE_FILES, "lib/test.py": "X = 1\n", "lib/util.py": "X = 1\n", "data/notes.txt": "x"}
    result = lint(cflint, make_zip(archives / "fn.zip", members))
    assert result.out == ""


def test_virtualenv_modules_are_not_linted(cflint: Cflint, archives: Path) -> None:
    members = {**TEMPLATE_FILES, "venv/pyvenv.cfg": "home = /usr\n", "venv/lib/site-packages/bad.py": "def (:\n"}
    result = lint(cflint, make_zip(archives / "fn.zip", members))
    assert result.codes == ["CF504"]


def test_junk_python_files_are_not_linted(cflint: Cflint, archives: Path) -> None:
    members = {**TEMPLATE_FILES, "__MACOSX/._user.py": b"\x00\x05\x16\x07\xff\xfe", "test.py": "def (:\n"}
    result = lint(cflint, make_zip(archives / "fn.zip", members))
    assert result.codes == ["CF504", "CF504"]


@pytest.mark.parametrize(
    ("member", "kind"),
    [
        (".env", "an environment file"),
        ("config/.env.production", "an environment file"),
        ("id_rsa", "an SSH private key"),
        ("certs/server.key", "a private key"),
        ("keystore.p12", "a key store"),
        ("aws_credentials", "a credentials file"),
        ("gcp-credentials.json", "a credentials file"),
        ("client_secret_123.json", "an OAuth client secret"),
        (".netrc", "login credentials"),
        (".envrc", "an environment file (direnv)"),
    ],
)
def test_secrets_by_name(cflint: Cflint, archives: Path, member: str, kind: str) -> None:
    result = lint(cflint, make_zip(archives / "fn.zip", {**TEMPLATE_FILES, member: "secret"}))
    assert result.lines == [
        f"archives/fn.zip/{member}:1:1: CF505 {member} looks like {kind}: it must not ship; remove it from the archive"
    ]


def test_pem_is_a_secret_only_with_a_private_key(cflint: Cflint, archives: Path) -> None:
    members = {
        **TEMPLATE_FILES,
        "certifi/cacert.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        "tls/client.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n",
        ".env.example": "API_KEY=\n",
        "credentials.py": "import os\nTOKEN = os.environ.get('TOKEN')\n",
    }
    result = lint(cflint, make_zip(archives / "fn.zip", members))
    assert [line.split(":")[0] for line in result.lines] == ["archives/fn.zip/tls/client.pem"]


GCP_KEY = (
    '{\n  "type": "service_account",\n  "project_id": "p",\n  "private_key_id": "0123",\n'
    '  "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQ\\n-----END PRIVATE KEY-----\\n",\n'
    '  "client_email": "fn@p.iam.gserviceaccount.com"\n}\n'
)


def test_secrets_by_content(cflint: Cflint, archives: Path) -> None:
    """Where the name does not tell, the start of a small file does."""
    members = {
        **TEMPLATE_FILES,
        "gcp-key.json": GCP_KEY,
        "deploy/id": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n",
        ".npmrc": "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=npm_abc123\n",
        "config/settings.json": '{"private_key_id": "not a key", "debug": true}\n',
        "docs/.npmrc": "registry=https://registry.npmjs.org/\n",
        "big.txt": "x" * (1024 * 1024 + 1) + "-----BEGIN PRIVATE KEY-----\n",
    }
    result = lint(cflint, make_zip(archives / "fn.zip", members))
    assert result.lines == [
        "archives/fn.zip/.npmrc:1:1: CF505 .npmrc looks like npm credentials (an auth token or password): it must "
        "not ship; remove it from the archive",
        "archives/fn.zip/deploy/id:1:1: CF505 deploy/id looks like a file holding a private key: it must not ship; "
        "remove it from the archive",
        "archives/fn.zip/gcp-key.json:1:1: CF505 gcp-key.json looks like a service account key (its private_key): "
        "it must not ship; remove it from the archive",
    ]


def test_keys_of_vendored_distributions_are_not_secrets(cflint: Cflint, archives: Path) -> None:
    record = (
        "tornado/__init__.py,sha256=x,10\ntornado/test/test.key,sha256=y,20\ntornado/test/sa.json,sha256=z,30\n"
        "tornado-6.4.dist-info/RECORD,,\n"
    )
    members = {
        **TEMPLATE_FILES,
        "tornado/__init__.py": "",
        "tornado/test/test.key": "-----BEGIN PRIVATE KEY-----\n",
        "tornado/test/sa.json": GCP_KEY,
        "tornado-6.4.dist-info/RECORD": record,
        "deploy.key": "-----BEGIN PRIVATE KEY-----\n",
    }
    result = lint(cflint, make_zip(archives / "fn.zip", members))
    assert [line.split(":")[0] for line in result.lines] == ["archives/fn.zip/deploy.key"]


def test_over_the_limit_with_a_lowered_limit(cflint: Cflint, archives: Path) -> None:
    (archives / ".cflint.toml").write_text('max-package-size = "64 KiB"\n')
    archive = make_zip(
        archives / "fn.zip", {**TEMPLATE_FILES, "model.bin": bytes(range(256)) * 1024}, zipfile.ZIP_STORED
    )
    result = lint(cflint, archive)
    assert result.codes == ["CF503"]
    assert "over max-package-size (64.0 KiB); largest: model.bin (256.0 KiB), user.py (" in result.out


def test_real_archive_over_100_mib(cflint: Cflint, tmp_path: Path) -> None:
    folder = tmp_path / "archives"
    folder.mkdir()
    started = time.perf_counter()
    archive = make_large_stored_zip(folder / "big.zip", 101 * MIB, TEMPLATE_FILES)
    built = time.perf_counter() - started
    assert archive.stat().st_size > 100 * MIB
    started = time.perf_counter()
    result = lint(cflint, archive)
    linted = time.perf_counter() - started
    assert result.codes == ["CF503"]
    assert "the archive is 101.0 MiB, over max-package-size (100.0 MiB); largest: data.bin (101.0 MiB)" in result.out
    # Listing is all it takes: the big member is never decompressed or checksummed.
    assert linted < 1.0, f"built in {built:.2f}s, linted in {linted:.2f}s"


def test_not_a_zip(cflint: Cflint, archives: Path) -> None:
    (archives / "fn.zip").write_text("def main():\n    return 'not an archive'\n")
    result = lint(cflint, archives / "fn.zip")
    assert result.lines == ["archives/fn.zip:1:1: CF506 not a ZIP archive"]


def test_truncated_archive(cflint: Cflint, archives: Path) -> None:
    archive = make_zip(archives / "fn.zip", TEMPLATE_FILES)
    archive.write_bytes(archive.read_bytes()[:-30])
    result = lint(cflint, archive)
    assert len(result.lines) == 1 and result.lines[0].startswith("archives/fn.zip:1:1: CF506 corrupt ZIP archive: ")


def test_damaged_member_data(cflint: Cflint, archives: Path) -> None:
    archive = make_zip(archives / "fn.zip", {"user.py": TEMPLATE_FILES["user.py"] * 20, "requirements.txt": "pyyaml\n"})
    damage_member_data(archive, "user.py")
    result = lint(cflint, archive)
    assert len(result.lines) == 1, result.out
    assert result.lines[0].startswith("archives/fn.zip/user.py:1:1: CF506 member cannot be read: ")


@pytest.mark.parametrize(
    ("member", "problem"),
    [
        ("../evil.py", "a '..' path"),
        ("lib/../../evil.py", "a '..' path"),
        ("/etc/cron.d/x", "an absolute path"),
        ("C:\\x.py", "an absolute path"),
    ],
)
def test_members_outside_the_root(cflint: Cflint, archives: Path, member: str, problem: str) -> None:
    result = lint(cflint, make_zip(archives / "fn.zip", {**TEMPLATE_FILES, member: "x = 1\n"}))
    assert result.lines == [
        f"archives/fn.zip:1:1: CF506 member {member!r} has {problem}: unpacking it writes outside the function's folder"
    ]


def test_small_archive_declaring_a_huge_size(cflint: Cflint, archives: Path) -> None:
    archive = make_zip(archives / "fn.zip", TEMPLATE_FILES)
    declare_size(archive, "requirements.txt", 0xFFFF_FFF0)
    assert archive.stat().st_size < 1024
    result = lint(cflint, archive)
    assert result.lines == [
        "archives/fn.zip:1:1: CF506 archive declares 4.0 GiB uncompressed, over 10 times max-package-size "
        "(1000.0 MiB): a possible ZIP bomb, not read"
    ]


def test_real_deflate_bomb_under_a_lowered_limit(cflint: Cflint, archives: Path) -> None:
    (archives / ".cflint.toml").write_text('max-package-size = "1 MiB"\n')
    archive = make_zip(archives / "fn.zip", {**TEMPLATE_FILES, "zeros.bin": bytes(16 * MIB)})
    assert archive.stat().st_size < 64 * 1024
    result = lint(cflint, archive)
    assert result.codes == ["CF506"]
    assert "archive declares 16.0 MiB uncompressed, over 10 times max-package-size (10.0 MiB)" in result.out


def test_member_declaring_more_than_its_data_can_hold(cflint: Cflint, archives: Path) -> None:
    archive = make_zip(archives / "fn.zip", TEMPLATE_FILES)
    declare_size(archive, "user.py", 5 * MIB)
    result = lint(cflint, archive)
    assert len(result.lines) == 1
    assert result.lines[0].startswith(
        "archives/fn.zip/user.py:1:1: CF506 member declares 5.0 MiB uncompressed, more than its "
    )


def test_stored_member_declaring_another_size(cflint: Cflint, archives: Path) -> None:
    archive = make_zip(archives / "fn.zip", TEMPLATE_FILES, zipfile.ZIP_STORED)
    declare_size(archive, "requirements.txt", 4096)
    result = lint(cflint, archive)
    assert result.lines == [
        "archives/fn.zip/requirements.txt:1:1: CF506 member is stored uncompressed but declares 4096 bytes "
        "for 7 bytes of data: the archive is damaged or crafted"
    ]


def test_member_name_with_a_nul_byte(cflint: Cflint, archives: Path) -> None:
    """zipfile cuts the name at the NUL (`lib.py\\0.txt` reads as `lib.py`); unzip tools differ."""
    archive = make_zip(archives / "fn.zip", {**TEMPLATE_FILES, "lib.py_evil.txt": "import numpy\n"})
    rename_member(archive, "lib.py_evil.txt", b"lib.py\x00evil.txt")
    result = lint(cflint, archive)
    assert result.lines == [
        "archives/fn.zip:1:1: CF506 member 'lib.py\\x00evil.txt' has a NUL byte in its name: unzip tools cut the "
        "name there or refuse it, so it unpacks under another name than the one listed; the archive is damaged "
        "or crafted"
    ]


def test_encrypted_member(cflint: Cflint, archives: Path) -> None:
    archive = make_zip(archives / "fn.zip", TEMPLATE_FILES)
    mark_encrypted(archive, "user.py")
    result = lint(cflint, archive)
    assert result.lines == [
        "archives/fn.zip/user.py:1:1: CF506 member is encrypted: the runtime cannot read it, nor can cflint check it"
    ]


def test_symlink_and_duplicate_members(cflint: Cflint, archives: Path) -> None:
    link = zipfile.ZipInfo("config.json")
    link.external_attr = 0o120777 << 16
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with zipfile.ZipFile(archives / "fn.zip", "w") as archive:
            for name, text in TEMPLATE_FILES.items():
                archive.writestr(name, text)
            archive.writestr(link, "/etc/passwd")
            archive.writestr("requirements.txt", "numpy\n")
    result = lint(cflint, archives / "fn.zip")
    assert result.lines == [
        "archives/fn.zip/config.json:1:1: CF506 member is a symbolic link: unpacked, it can point outside the function's folder",
        "archives/fn.zip/requirements.txt:1:1: CF506 member appears 2 times: unzip tools disagree about which copy they keep",
    ]


def test_large_and_undecodable_members(cflint: Cflint, archives: Path) -> None:
    (archives / ".cflint.toml").write_text('max-file-size = "1 KiB"\n')
    members = {**TEMPLATE_FILES, "big.py": "X = 1\n" * 1000, "latin.py": "NAME = 'caf\xe9'\n".encode("latin-1")}
    result = lint(cflint, make_zip(archives / "fn.zip", members))
    assert [(line.split(":")[0], line.split(" ")[1]) for line in result.lines] == [
        ("archives/fn.zip/big.py", "CF004"),
        ("archives/fn.zip/latin.py", "CF002"),
    ]
    assert "file is 6000 bytes, over max-file-size (1024 bytes)" in result.lines[0]


def test_selection_and_per_file_ignores_apply_to_members(cflint: Cflint, archives: Path) -> None:
    (archives / ".cflint.toml").write_text('[per-file-ignores]\n"fn.zip/.env" = ["CF505"]\n')
    archive = make_zip(archives / "fn.zip", {**TEMPLATE_FILES, ".env": "A=1", "app.log": "x", "id_rsa": "k"})
    assert [line.split(":")[0] for line in lint(cflint, archive).lines] == [
        "archives/fn.zip/app.log",
        "archives/fn.zip/id_rsa",
    ]
    assert lint(cflint, archive, "--ignore", "CF504").codes == ["CF505"]


def test_real_cli_on_a_bad_archive_has_no_traceback(tmp_path: Path) -> None:
    write_files(tmp_path, {"fn.zip": b"PK\x03\x04" + bytes(100)})
    result = run_subprocess("--color", "never", "fn.zip", cwd=tmp_path)
    assert (result.code, result.err) == (1, "")
    assert result.lines == ["fn.zip:1:1: CF506 corrupt ZIP archive: File is not a zip file"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["fn.zip"]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_damaged_archives_never_crash(data: st.DataObject) -> None:
    """Any bytes flipped or cut anywhere in a small archive: findings, never an internal error."""
    with tempfile.TemporaryDirectory() as folder:
        archive = make_zip(Path(folder) / "fn.zip", {**TEMPLATE_FILES, "lib/util.py": "X = 1\n" * 40})
        raw = bytearray(archive.read_bytes())
        for _ in range(data.draw(st.integers(1, 4))):
            offset = data.draw(st.integers(0, len(raw) - 1))
            raw[offset] = data.draw(st.integers(0, 255))
        archive.write_bytes(bytes(raw[: data.draw(st.integers(len(raw) // 2, len(raw)))]))
        registry = load_registry()
        result = run([archive], RunOptions(), registry, cwd=Path(folder))
        assert not [finding for finding in result.findings if finding.code == "CF003"], result.findings
        assert sorted(path.name for path in Path(folder).iterdir()) == ["fn.zip"]


def test_python_source_linted_per_archive_is_bounded(cflint: Cflint, archives: Path) -> None:
    """Members each within max-file-size can together be ten times max-package-size: the
    entry module is linted first, then members in order, until their total reaches
    max-package-size; the rest are one CF004 on the archive."""
    (archives / "cflint.toml").write_text('max-package-size = "64 KiB"\n')
    module = "import numpy\n" + "x = 1\n" * (40 * 1024 // 6)
    members = {"a.py": module, "b.py": module, "c.py": module, "user.py": TEMPLATE_FILES["user.py"] + module}
    result = lint(cflint, make_zip(archives / "fn.zip", {**members, "requirements.txt": "pyyaml\n"}))
    assert result.lines == [
        "archives/fn.zip:1:1: CF004 the archive holds more Python source than cflint lints per archive "
        "(max-package-size, 64.0 KiB, uncompressed): 3 modules (120.0 KiB: a.py, b.py, c.py): not linted",
        "archives/fn.zip/user.py:13:8: CF301 numpy comes from numpy, which the runtime cannot install "
        "(C extension modules)",
    ]


def test_a_broken_config_inside_the_archive_is_a_usage_error(cflint: Cflint, archives: Path) -> None:
    archive = make_zip(archives / "fn.zip", {**TEMPLATE_FILES, "cflint.toml": "entry-points = [\n"})
    result = lint(cflint, archive)
    assert result.code == 2
    assert result.err == (f"cflint: error: {archive}/cflint.toml: invalid TOML: Invalid value (at end of document)\n")


def test_a_pyproject_without_a_cflint_table_inside_the_archive_is_not_a_config(cflint: Cflint, archives: Path) -> None:
    (archives / "cflint.toml").write_text('ignore = ["CF502", "CF303"]\n')
    archive = make_zip(archives / "fn.zip", {"user.py": TEMPLATE_FILES["user.py"], "pyproject.toml": "[project]\n"})
    assert lint(cflint, archive).out == ""
