"""`cflint package`: lint first, then a deterministic ZIP with the right layout."""

from __future__ import annotations

import os
import re
import shutil
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import REPO, CliResult, run_subprocess, write_files
from tests.zips import TEMPLATE_FILES, snapshot

Cflint = Callable[..., CliResult]


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """The guide's template (examples/hello), copied so archives land in tmp_path."""
    folder = tmp_path / "my-function"
    shutil.copytree(REPO / "examples" / "hello", folder)
    assert {path.name: path.read_text() for path in folder.iterdir()} == TEMPLATE_FILES
    return folder


def package(cflint: Cflint, *args: str, cwd: Path) -> CliResult:
    return cflint("package", "--color", "never", *args, cwd=cwd)


def test_template_packs_to_an_archive_that_lints_clean(cflint: Cflint, template: Path) -> None:
    result = package(cflint, cwd=template)
    assert (result.code, result.err) == (0, "")
    archive = template.parent / "my-function.zip"
    size = archive.stat().st_size
    assert result.lines == [
        f"Wrote {archive}: {size} bytes, 2 files",
        "  requirements.txt  7 bytes",
        f"  user.py           {len(TEMPLATE_FILES['user.py'])} bytes",
    ]
    with zipfile.ZipFile(archive) as opened:
        infos = opened.infolist()
        assert [(info.filename, info.date_time, info.external_attr >> 16, info.compress_type) for info in infos] == [
            ("requirements.txt", (1980, 1, 1, 0, 0, 0), 0o100644, zipfile.ZIP_DEFLATED),
            ("user.py", (1980, 1, 1, 0, 0, 0), 0o100644, zipfile.ZIP_DEFLATED),
        ]
        assert {info.filename: opened.read(info).decode() for info in infos} == TEMPLATE_FILES
    lint = cflint("--color", "never", "my-function.zip", cwd=template.parent)
    assert (lint.code, lint.out) == (0, "")


def test_same_sources_give_the_same_bytes(cflint: Cflint, template: Path, tmp_path: Path) -> None:
    write_files(template, {"lib/__init__.py": "", "lib/util.py": "X = 1\n", "static/a.txt": "a"})
    assert package(cflint, "-o", str(tmp_path / "first.zip"), cwd=template).code == 0
    for path in template.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    os.chmod(template / "user.py", 0o755)
    assert package(cflint, "-o", str(tmp_path / "second.zip"), cwd=template).code == 0
    assert (tmp_path / "first.zip").read_bytes() == (tmp_path / "second.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "first.zip") as opened:
        assert opened.namelist() == [
            "lib/",
            "lib/__init__.py",
            "lib/util.py",
            "requirements.txt",
            "static/",
            "static/a.txt",
            "user.py",
        ]


def test_same_bytes_from_a_subprocess(template: Path, tmp_path: Path) -> None:
    first = run_subprocess("package", "my-function", "-o", "a.zip", cwd=tmp_path)
    second = run_subprocess("package", "my-function", "-o", "b.zip", cwd=tmp_path)
    assert (first.code, second.code, first.err, second.err) == (0, 0, "", "")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_exclusions(cflint: Cflint, template: Path) -> None:
    write_files(
        template,
        {
            "__pycache__/user.cpython-311.pyc": b"\x00",
            ".env": "KEY=1\n",
            "app.log": "x",
            "test.py": "print(1)\n",
            ".DS_Store": b"\x00",
            ".venv/pyvenv.cfg": "home = /usr\n",
            ".venv/lib/site-packages/x.py": "X = 1\n",
            "notes/draft.md": "x",
            "scratch.txt": "x",
            "data/keep.log": "x",
            ".gitignore": "scratch.txt\n",
            ".cflint.toml": 'package-exclude = ["notes/", "!data/keep.log"]\n',
        },
    )
    result = package(cflint, cwd=template)
    assert result.code == 0, result.out + result.err
    with zipfile.ZipFile(template.parent / "my-function.zip") as opened:
        assert opened.namelist() == [
            ".cflint.toml",
            ".gitignore",
            "data/",
            "data/keep.log",
            "requirements.txt",
            "user.py",
        ]
    assert result.lines[0] == "data/keep.log:1:1: CF504 data/keep.log must not ship: a log file"


def test_refuses_on_errors_unless_forced(cflint: Cflint, template: Path) -> None:
    (template / "user.py").write_text("def main(request):\n    return 'x'\n")
    before = snapshot(template.parent)
    result = package(cflint, cwd=template)
    assert result.code == 1
    assert result.codes == ["CF103"]
    assert result.err == "cflint package: not packing .: 1 error above (--force packs anyway)\n"
    assert snapshot(template.parent) == before
    forced = package(cflint, "--force", cwd=template)
    assert forced.code == 0 and (template.parent / "my-function.zip").is_file()


def test_warnings_do_not_stop_packing(cflint: Cflint, template: Path) -> None:
    write_files(template, {".cflint.toml": 'package-exclude = ["!debug.log"]\n', "debug.log": "x"})
    result = package(cflint, cwd=template)
    assert result.code == 0 and result.codes == ["CF504"]


def test_existing_default_output_is_not_replaced(cflint: Cflint, template: Path) -> None:
    existing = template.parent / "my-function.zip"
    existing.write_bytes(b"older archive")
    result = package(cflint, cwd=template)
    assert result.code == 2
    assert result.err == f"cflint: error: {existing}: already exists; name it with -o to overwrite it\n"
    assert existing.read_bytes() == b"older archive"
    named = package(cflint, "-o", "../my-function.zip", cwd=template)
    assert named.code == 0
    assert named.lines[0] == f"Overwrote {existing} (named with -o)."
    assert zipfile.is_zipfile(existing)


def test_archive_inside_the_folder(cflint: Cflint, template: Path) -> None:
    inside = package(cflint, "-o", "dist.zip", cwd=template)
    assert inside.code == 0
    with zipfile.ZipFile(template / "dist.zip") as opened:
        assert opened.namelist() == ["requirements.txt", "user.py"]
    first = (template / "dist.zip").read_bytes()
    again = package(cflint, "-o", "dist.zip", cwd=template)
    assert again.code == 0 and again.lines[0] == "Overwrote dist.zip (named with -o)."
    assert (template / "dist.zip").read_bytes() == first


def test_refuses_to_pack_the_archive_into_itself_or_overwrite_inputs(cflint: Cflint, template: Path) -> None:
    not_excluded = package(cflint, "-o", "out.bin", cwd=template)
    assert not_excluded.code == 2
    assert (
        "out.bin: inside the folder being packed and not excluded, so it would be packed into itself"
        in not_excluded.err
    )
    overwrite_input = package(cflint, "-o", "user.py", cwd=template)
    assert overwrite_input.code == 2 and "user.py: inside the folder being packed" in overwrite_input.err
    write_files(template, {"server.log": "keep me"})
    before = snapshot(template.parent)
    excluded_input = package(cflint, "-o", "server.log", cwd=template)
    assert excluded_input.code == 2
    assert "server.log: refusing to overwrite a file of the folder being packed" in excluded_input.err
    assert snapshot(template.parent) == before


def test_usage_errors(cflint: Cflint, tmp_path: Path) -> None:
    write_files(tmp_path, {"file.txt": "x"})
    assert package(cflint, "missing", cwd=tmp_path).err == "cflint: error: missing: not a folder\n"
    assert package(cflint, "file.txt", cwd=tmp_path).code == 2
    (tmp_path / "fn").mkdir()
    assert "is a folder" in package(cflint, "fn", "-o", str(tmp_path), cwd=tmp_path).err
    no_parent = package(cflint, "fn", "-o", "missing/fn.zip", cwd=tmp_path)
    assert no_parent.code == 2 and f"folder {tmp_path / 'missing'} does not exist" in no_parent.err


def test_help(tmp_path: Path) -> None:
    result = run_subprocess("package", "--help", cwd=tmp_path)
    assert result.code == 0 and "usage: cflint package [-h] [-o OUT.zip] [--force]" in result.out


@pytest.mark.parametrize(
    ("make", "name", "reason"),
    [
        (
            lambda folder: os.symlink("loop.py", folder / "loop.py"),
            "loop.py",
            "cannot read: Too many levels of symbolic links",
        ),
        (lambda folder: os.symlink("data", folder / "data"), "data", "cannot read: Too many levels of symbolic links"),
        (lambda folder: os.symlink("missing", folder / "data"), "data", "cannot read: No such file or directory"),
        (lambda folder: os.mkfifo(folder / "data"), "data", "not a regular file (a FIFO): not packed"),
    ],
    ids=["symlink loop named loop.py", "symlink loop named data", "dangling symlink", "FIFO"],
)
def test_entries_that_cannot_be_packed_are_findings(
    cflint: Cflint, template: Path, make: Callable[[Path], None], name: str, reason: str
) -> None:
    """An entry that cannot be read (such as a symlink loop) is a CF002 finding, not an OSError."""
    make(template)
    result = package(cflint, cwd=template)
    assert (result.code, result.lines) == (1, [f"{name}:1:1: CF002 {reason}"])
    assert result.err == "cflint package: not packing .: 1 error above (--force packs anyway)\n"
    assert not (template.parent / "my-function.zip").exists()
    forced = package(cflint, "--force", cwd=template)
    assert forced.code == 0 and forced.lines[0] == f"{name}:1:1: CF002 {reason}"
    with zipfile.ZipFile(template.parent / "my-function.zip") as archive:
        assert archive.namelist() == ["requirements.txt", "user.py"]


def _null_device(path: Path) -> None:
    """A character device of the test's own (a copy of /dev/null's node): a test run against
    a cflint that replaces its output must not destroy a system device."""
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda path: os.mkfifo(path), "a FIFO"),
        (_null_device, "a character device"),
        (lambda path: (_null_device(path.with_name("dev")), os.symlink("dev", path)), "a character device"),
    ],
    ids=["FIFO", "device", "link to a device"],
)
def test_output_that_is_not_a_regular_file_is_refused(
    cflint: Cflint, template: Path, make: Callable[[Path], object], kind: str
) -> None:
    """-o never replaces a node with a regular file."""
    target = template.parent / "out.zip"
    make(target)
    before = os.stat(target)
    result = package(cflint, "-o", "../out.zip", cwd=template)
    assert result.code == 2
    assert result.err == (
        f"cflint: error: ../out.zip: not a regular file ({kind}); -o writes only a regular file "
        "(-o - writes to standard output)\n"
    )
    after = os.stat(target)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)


def test_output_to_standard_output_by_its_device_path_is_refused(template: Path) -> None:
    """/dev/stdout is a pipe here (the output is captured): refused, not an internal error."""
    result = run_subprocess("package", "-o", "/dev/stdout", cwd=template)
    assert result.code == 2, result
    assert result.err == (
        "cflint: error: /dev/stdout: not a regular file (a FIFO); -o writes only a regular file "
        "(-o - writes to standard output)\n"
    )


def test_output_to_a_symlink_replaces_the_file_it_points_to(cflint: Cflint, template: Path) -> None:
    (template.parent / "real.zip").write_bytes(b"older")
    os.symlink("real.zip", template.parent / "link.zip")
    result = package(cflint, "-o", "../link.zip", cwd=template)
    assert result.code == 0, result.err
    assert os.path.islink(template.parent / "link.zip")
    assert zipfile.is_zipfile(template.parent / "real.zip")


@pytest.mark.parametrize("output", ["user.py/x.zip", "/proc/fn.zip"], ids=["under a file", "read-only folder"])
def test_output_in_a_folder_that_cannot_be_written(cflint: Cflint, template: Path, output: str) -> None:
    result = package(cflint, "-o", output, cwd=template)
    assert result.code == 2
    assert result.err.startswith("cflint: error: ") and result.err.count("\n") == 1
    assert "internal error" not in result.err
    assert not list(Path("/proc").glob(".fn.zip.*"))


def test_output_dash_writes_the_archive_to_standard_output(template: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(REPO), "CFLINT_CACHE_DIR": str(tmp_path / "cache")}
    completed = subprocess.run(
        [sys.executable, "-m", "cflint", "package", "-o", "-"], cwd=template, env=env, capture_output=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert not (template / "-").exists()
    written = tmp_path / "from-stdout.zip"
    written.write_bytes(completed.stdout)
    with zipfile.ZipFile(written) as opened:
        assert opened.namelist() == ["requirements.txt", "user.py"]
    assert completed.stderr.decode().startswith(f"Wrote the archive to standard output: {len(completed.stdout)} bytes")
    assert package_bytes(template, tmp_path / "as-file.zip") == completed.stdout


def package_bytes(folder: Path, output: Path) -> bytes:
    result = run_subprocess("package", "-o", str(output), cwd=folder)
    assert result.code == 0, result.err
    return output.read_bytes()


CONFIGURED_FOLDERS = {
    "entry point in handlers.py": {
        "cflint.toml": 'entry-points = ["handlers.get_user"]\n',
        "handlers.py": "from flask import request\n\n\ndef get_user():\n    return request.args.get('id', '')\n",
        "requirements.txt": "pyyaml\n",
    },
    "ignore in pyproject.toml": {
        "pyproject.toml": '[project]\nname = "fn"\n\n[tool.cflint]\nignore = ["CF403"]\n',
        "user.py": "import requests\n\n\ndef main():\n    return requests.get('https://example.com').text\n",
        "requirements.txt": "requests\n",
    },
    "per-file-ignores and exclude": {
        ".cflint.toml": ('exclude = ["scripts/"]\n\n[per-file-ignores]\n"lib/*.py" = ["CF403"]\n'),
        "user.py": "from lib.calls import fetch\n\n\ndef main():\n    return fetch()\n",
        "lib/__init__.py": "",
        "lib/calls.py": "import requests\n\n\ndef fetch():\n    return requests.get('https://example.com').text\n",
        "scripts/tool.py": "import numpy\n",
        "requirements.txt": "requests\n",
    },
    "packages installed beside the function (RECORD)": {
        "user.py": "import yamlish\nimport six\n\n\ndef main():\n    return yamlish.dump(six.text_type())\n",
        "yamlish/__init__.py": "import numpy\nimport subprocess\n\n\ndef dump(x):\n    subprocess.run(['true'])\n    return x\n",
        "six.py": "import subprocess\n\ntext_type = subprocess.run(['true'])\n",
        "yamlish-1.0.dist-info/RECORD": "yamlish/__init__.py,sha256=x,1\nsix.py,,\nyamlish-1.0.dist-info/RECORD,,\n",
        "requirements.txt": "",
    },
    "a package installed beside the function (top_level.txt)": {
        "user.py": "import yamlish\n\n\ndef main():\n    return yamlish.dump('x')\n",
        "yamlish/__init__.py": "import numpy\n\n\ndef dump(x):\n    return x\n",
        "yamlish-1.0.dist-info/top_level.txt": "yamlish\n",
        "requirements.txt": "",
    },
    "findings under a config": {
        "cflint.toml": 'entry-points = ["app.handler"]\nextend-select = ["CF011"]\n',
        "app.py": "import os  # noqa: F401\nimport requests\n\n\ndef handler(request):\n    return requests.get('x').text\n",
        "requirements.txt": "requests\n",
    },
}


@pytest.mark.parametrize("files", CONFIGURED_FOLDERS.values(), ids=CONFIGURED_FOLDERS.keys())
def test_a_packed_folder_and_its_archive_get_the_same_findings(
    cflint: Cflint, tmp_path: Path, files: dict[str, str]
) -> None:
    """The archive is linted with the config packed at its root, as the folder was."""
    write_files(tmp_path / "fn", files)
    folder = cflint("--color", "never", "fn", cwd=tmp_path)
    packed = package(cflint, "fn", "-o", "fn.zip", "--force", cwd=tmp_path)
    assert packed.code == 0, packed.err
    archive = cflint("--color", "never", "fn.zip", cwd=tmp_path)

    def located_codes(result: CliResult, prefix: str) -> list[tuple[str, str]]:
        lines = [line for line in result.lines if re.match(r"^.+:\d+:\d+: CF\d{3} ", line)]
        return sorted((line.split(":", 1)[0].removeprefix(prefix), line.split(": ", 1)[1][:5]) for line in lines)

    assert located_codes(archive, "fn.zip") == located_codes(folder, "fn")
    assert archive.code == folder.code


def test_a_config_left_out_of_the_archive_is_named(cflint: Cflint, tmp_path: Path) -> None:
    write_files(
        tmp_path / "fn",
        {
            "cflint.toml": 'entry-points = ["handlers.get_user"]\npackage-exclude = ["cflint.toml"]\n',
            "handlers.py": "def get_user():\n    return 'x'\n",
            "requirements.txt": "",
        },
    )
    result = package(cflint, "fn", cwd=tmp_path)
    assert result.code == 0
    assert result.err == (
        "cflint package: warning: cflint.toml is left out of the archive, so `cflint` on the archive reads the "
        "config of the folder the archive lies in instead\n"
    )


def test_output_dash_to_a_terminal_is_refused(template: Path, tmp_path: Path) -> None:
    import pty
    import subprocess
    import sys

    main_end, terminal_end = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "CFLINT_CACHE_DIR": str(tmp_path / "cache")}
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "cflint", "package", "-o", "-"],
            cwd=template,
            env=env,
            stdout=terminal_end,
            stderr=subprocess.PIPE,
            check=False,
            timeout=120,
        )
    finally:
        os.close(main_end)
        os.close(terminal_end)
    assert completed.returncode == 2
    assert completed.stderr == b"cflint: error: -o -: standard output is a terminal; redirect it to a file or a pipe\n"
