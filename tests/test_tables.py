"""Module-level facts as data: each table entry is pinned here, so changing one fails a test.

The timeout table (cflint/knowledge/data/timeouts.toml, CF403) and the requirements reader's
pip option set and regular expressions are data the mutation tool does not mutate (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cflint.knowledge import requirements
from cflint.knowledge.requirements import read_requirements
from cflint.knowledge.timeouts import NEEDS_TIMEOUT, TimeoutSpec, load_timeouts
from tests.helpers import write_files

# callee -> (keyword, position, socket_default, instead)
TIMEOUTS: dict[str, tuple[str | None, int | None, bool, str | None]] = {
    "ftplib.FTP": ("timeout", 4, True, None),
    "ftplib.FTP_TLS": ("timeout", None, True, None),
    "google.auth.transport.requests.AuthorizedSession().delete": ("timeout", None, True, None),
    "google.auth.transport.requests.AuthorizedSession().get": ("timeout", None, True, None),
    "google.auth.transport.requests.AuthorizedSession().head": ("timeout", None, True, None),
    "google.auth.transport.requests.AuthorizedSession().options": ("timeout", None, True, None),
    "google.auth.transport.requests.AuthorizedSession().patch": ("timeout", None, True, None),
    "google.auth.transport.requests.AuthorizedSession().post": ("timeout", None, True, None),
    "google.auth.transport.requests.AuthorizedSession().put": ("timeout", None, True, None),
    "google.auth.transport.requests.AuthorizedSession().request": ("timeout", 8, True, None),
    "http.client.HTTPConnection": ("timeout", 2, True, None),
    "http.client.HTTPSConnection": ("timeout", 4, True, None),
    "os.system": (None, None, False, "run the command with subprocess.run(..., timeout=...)"),
    "redis.Redis": ("socket_timeout", None, False, None),
    "redis.Redis.from_url": ("socket_timeout", None, False, None),
    "redis.StrictRedis": ("socket_timeout", None, False, None),
    "redis.client.Redis": ("socket_timeout", None, False, None),
    "redis.from_url": ("socket_timeout", None, False, None),
    "requests.Session().delete": ("timeout", None, True, None),
    "requests.Session().get": ("timeout", None, True, None),
    "requests.Session().head": ("timeout", None, True, None),
    "requests.Session().options": ("timeout", None, True, None),
    "requests.Session().patch": ("timeout", None, True, None),
    "requests.Session().post": ("timeout", None, True, None),
    "requests.Session().put": ("timeout", None, True, None),
    "requests.Session().request": ("timeout", 8, True, None),
    "requests.delete": ("timeout", None, True, None),
    "requests.get": ("timeout", None, True, None),
    "requests.head": ("timeout", None, True, None),
    "requests.options": ("timeout", None, True, None),
    "requests.patch": ("timeout", None, True, None),
    "requests.post": ("timeout", None, True, None),
    "requests.put": ("timeout", None, True, None),
    "requests.request": ("timeout", None, True, None),
    "smtplib.LMTP": ("timeout", 3, True, None),
    "smtplib.SMTP": ("timeout", 3, True, None),
    "smtplib.SMTP_SSL": ("timeout", None, True, None),
    "socket.create_connection": ("timeout", 1, True, None),
    "subprocess.Popen().communicate": ("timeout", 1, False, None),
    "subprocess.Popen().wait": ("timeout", 0, False, None),
    "subprocess.call": ("timeout", None, False, None),
    "subprocess.check_call": ("timeout", None, False, None),
    "subprocess.check_output": ("timeout", None, False, None),
    "subprocess.run": ("timeout", None, False, None),
    "urllib.request.build_opener().open": ("timeout", 2, True, None),
    "urllib.request.urlopen": ("timeout", 2, True, None),
    "urllib.request.urlretrieve": (
        None,
        None,
        True,
        "download with urlopen(url, timeout=...) instead, or call socket.setdefaulttimeout() first",
    ),
}


def test_timeout_table_entries() -> None:
    actual = {callee: (s.keyword, s.position, s.socket_default, s.instead) for callee, s in NEEDS_TIMEOUT.items()}
    assert actual == TIMEOUTS


@pytest.mark.parametrize("callee", sorted(TIMEOUTS))
def test_each_timeout_entry_advice(callee: str) -> None:
    keyword, _, _, instead = TIMEOUTS[callee]
    assert NEEDS_TIMEOUT[callee].advice == (instead or f"pass {keyword}= in seconds")


def test_session_verbs_are_added_without_overriding_explicit_entries(tmp_path: Path) -> None:
    table = tmp_path / "t.toml"
    table.write_text(
        'session-verbs = ["get", "request"]\nsession-classes = ["s.S"]\n'
        '[[call]]\ncallees = ["requests.get"]\nkeyword = "timeout"\n'
        '[[call]]\ncallees = ["s.S().request"]\nkeyword = "timeout"\nposition = 8\n',
        encoding="utf-8",
    )
    specs = load_timeouts(table)
    assert specs["s.S().get"] == TimeoutSpec("timeout")
    assert specs["s.S().request"] == TimeoutSpec("timeout", 8)


# Every option of pip's requirements-file parser cflint knows, and whether it takes a value.
PIP_OPTIONS = {
    ("-i", "--index-url", "--pypi-url"): True,
    ("--extra-index-url",): True,
    ("--no-index",): False,
    ("-c", "--constraint"): True,
    ("-r", "--requirement"): True,
    ("-e", "--editable"): True,
    ("-f", "--find-links"): True,
    ("--no-binary",): True,
    ("--only-binary",): True,
    ("--prefer-binary",): False,
    ("--require-hashes",): False,
    ("--pre",): False,
    ("--trusted-host",): True,
    ("--use-feature",): True,
    ("--hash",): True,
    ("-C", "--config-settings"): True,
}


def test_pip_option_table() -> None:
    assert {option.names: option.takes_value for option in requirements._PIP_OPTIONS} == PIP_OPTIONS
    assert {"sha256", "sha384", "sha512"} == requirements._HASH_ALGORITHMS


@pytest.mark.parametrize("name", sorted(name for names in PIP_OPTIONS for name in names))
def test_each_pip_option_parses_on_its_own_line(name: str, tmp_path: Path) -> None:
    takes_value = next(value for names, value in PIP_OPTIONS.items() if name in names)
    value = {"-r": "other.txt", "--requirement": "other.txt", "-c": "other.txt", "--constraint": "other.txt"}.get(
        name, "sha256:00" if name == "--hash" else "x"
    )
    line = f"{name} {value}" if takes_value else name
    write_files(tmp_path, {"requirements.txt": line + "\n", "other.txt": "\n"})
    problems = [p.problem for p in read_requirements(tmp_path / "requirements.txt").problems]
    if name in ("-e", "--editable"):
        assert problems == ["editable install of a local path: the runtime installs from the package index"]
    else:
        assert problems == []
    if takes_value:
        write_files(tmp_path, {"requirements.txt": name + "\n"})
        problems = [p.problem for p in read_requirements(tmp_path / "requirements.txt").problems]
        assert problems == [f"{name} needs a value"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("git+https://h/x.git#egg=x", "VCS"),
        ("HG+https://h/x#egg=x", "VCS"),
        ("svn+https://h/x#egg=x", "VCS"),
        ("bzr+https://h/x#egg=x", "VCS"),
        ("https://h/x-1.0.tar.gz#egg=x", "URL"),
        ("x-1.0-py3-none-any.whl", "path"),
        ("x-1.0.tgz", "path"),
        ("x-1.0.tar.bz2", "path"),
        ("x-1.0.tar", "path"),
        ("x-1.0.ZIP", "path"),
        ("file:///x-1.0.tar.gz", "path"),
    ],
)
def test_each_direct_reference_form(text: str, kind: str, tmp_path: Path) -> None:
    write_files(tmp_path, {"requirements.txt": text + "\n"})
    problems = [p.problem for p in read_requirements(tmp_path / "requirements.txt").problems]
    expected = {
        "VCS": ["installs from a VCS URL, not from the package index"],
        "URL": [],
        "path": ["installs from a local path, not from the package index"],
    }[kind]
    assert problems == expected
