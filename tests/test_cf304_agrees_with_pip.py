"""CF304 against the real pip of the test environment: every line of the table is also
given to pip's own requirements-file parser (and each requirement to pip's constructor,
which parses it with pip's `packaging`). CF304 reports a line pip refuses, and only such
lines, apart from lines pip parses but the runtime cannot install from the package index
(VCS URLs, local paths, editable installs), which CF304 reports for that reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliResult, write_files

pip_req_file = pytest.importorskip("pip._internal.req.req_file")
pip_session = pytest.importorskip("pip._internal.network.session")
pip_constructors = pytest.importorskip("pip._internal.req.constructors")

Cflint = Callable[..., CliResult]
HEX = "a" * 64

# Lines pip accepts and the runtime installs from the package index, lines pip refuses,
# and lines pip accepts that do not install from the index: CF304 must tell them apart.
PARSES = [
    "requests",
    "requests==2.31.0",
    'requests[socks] >= 2.28, <3 ; python_version >= "3.8"',
    "requests (>=2.0)",
    "Requests_OAuthlib===1.0",
    "requests>=2.0  # a comment",
    "requests \\\n  >=2.0",
    "pkg==1 --no-binary :all:",
    "pkg==1 --only-binary=:all: --prefer-binary",
    f"pkg==1 --hash=sha256:{HEX} --hash sha512:{HEX}",
    "pkg==1 -C key=value",
    "requests -r other.txt",
    "requests -i https://example.com/simple",
    "yaml-tool==${VERSION}",
    "pkg @ https://example.com/pkg-1.0-py3-none-any.whl",
    "--index-url https://example.com/simple",
    "-ihttps://example.com/simple",
    "--index https://example.com/simple",
    "--pypi-url https://example.com/simple",
    "--extra-index-url=https://example.com/extra",
    "--no-binary :all:",
    "--only-binary :none:",
    "--pre --prefer-binary",
    "--require-hashes",
    "--no-index",
    "-f https://example.com/links",
    "--trusted-host example.com",
    "--use-feature=truststore",
    "-r other.txt",
    "--requirement=other.txt",
    "-c other.txt",
    "# only a comment",
]
REFUSED = [
    "requests==",
    "requests ~= 2",
    "requests==2.*.1",
    "requests[",
    "bad requirement !!",
    "requests>=",
    "--bogus",
    "requests --no-deps",
    "requests --global-option=x",
    "pkg==1 --no-binary",
    "pkg==1 --hash=md5:abc",
    "--no-binary :all: --no-index=yes",
    "-r",
    "--extra-index-url",
    "--trusted-host",
    "-r missing.txt",
    "requests --hash='unclosed",
]
NOT_FROM_INDEX = [
    "git+https://github.com/x/y.git#egg=y",
    "foo @ git+https://github.com/x/foo.git",
    "-e git+https://github.com/x/y.git#egg=y",
    "-e .",
    "dist/thing-1.0.tar.gz",
]
ENCODED = {
    "utf-16 (PowerShell 5 pip freeze)": "requests==2.31.0\r\nflask==3.0.0\r\n".encode("utf-16"),
    "utf-16-be with BOM": "\ufeffrequests\n".encode("utf-16-be"),
    "utf-8 with BOM": "requests\n".encode("utf-8-sig"),
    "latin-1 with a coding line": "# -*- coding: latin-1 -*-\n# caf\xe9\nrequests\n".encode("latin-1"),
    "latin-1 without one": "# caf\xe9\nrequests\n".encode("latin-1"),
}


def _pip_refuses(folder: Path) -> bool:
    try:
        session = pip_session.PipSession()
        for parsed in pip_req_file.parse_requirements(str(folder / "requirements.txt"), session=session):
            pip_constructors.install_req_from_parsed_requirement(parsed)
    except (Exception, SystemExit):
        return True
    return False


def _check(data: bytes, tmp_path: Path, cflint: Cflint, monkeypatch: pytest.MonkeyPatch, from_index: bool) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VERSION", "1.0")
    write_files(tmp_path, {"user.py": "def main():\n    return 'ok'\n", "other.txt": "flask\n"})
    (tmp_path / "requirements.txt").write_bytes(data)
    refused = _pip_refuses(tmp_path)
    findings = cflint("--select", "CF304", ".", cwd=tmp_path).lines
    if from_index:
        assert bool(findings) == refused, (refused, findings)
    else:
        assert not refused
        assert findings and all("package index" in line for line in findings), findings


@pytest.mark.parametrize("line", PARSES + REFUSED)
def test_cf304_fires_exactly_when_pip_refuses(
    line: str, tmp_path: Path, cflint: Cflint, monkeypatch: pytest.MonkeyPatch
) -> None:
    _check(line.encode() + b"\n", tmp_path, cflint, monkeypatch, from_index=True)


@pytest.mark.parametrize("line", NOT_FROM_INDEX)
def test_cf304_reports_lines_pip_parses_but_the_index_cannot_serve(
    line: str, tmp_path: Path, cflint: Cflint, monkeypatch: pytest.MonkeyPatch
) -> None:
    _check(line.encode() + b"\n", tmp_path, cflint, monkeypatch, from_index=False)


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_cf304_reads_encodings_as_pip_does(
    name: str, tmp_path: Path, cflint: Cflint, monkeypatch: pytest.MonkeyPatch
) -> None:
    _check(ENCODED[name], tmp_path, cflint, monkeypatch, from_index=True)


def test_the_table_holds_both_outcomes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    outcomes = set()
    for line in (PARSES[0], REFUSED[0]):
        write_files(tmp_path, {"requirements.txt": line + "\n"})
        outcomes.add(_pip_refuses(tmp_path))
    assert outcomes == {True, False}


def test_utf16_requirements_provide_their_modules(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": "import requests\n"})
    (tmp_path / "requirements.txt").write_bytes(ENCODED["utf-16 (PowerShell 5 pip freeze)"])
    result = cflint("--select", "CF303,CF304", ".", cwd=tmp_path)
    assert result.code == 0, result.out
