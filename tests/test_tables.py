"""Module-level facts as data: each table entry is pinned here, so changing one fails a test.

The timeout table (cflint/knowledge/data/timeouts.toml, CF403), the requirements reader's
pip option set and regular expressions, and the kind and origin tables of the value analyses
are data the mutation tool does not mutate."""

from __future__ import annotations

from pathlib import Path

import pytest

from cflint.analysis import kinds, origins
from cflint.analysis.kinds import Kind
from cflint.knowledge import requirements_format
from cflint.knowledge.requirements import read_requirements
from cflint.knowledge.timeouts import NEEDS_TIMEOUT, TimeoutSpec, load_table
from tests.helpers import write_files
from tests.test_kinds import infer_last
from tests.test_values import origin_of_last_expression

# callee -> (keyword, socket_default, instead)
PYMYSQL = "pass read_timeout= and write_timeout= in seconds"
TIMEOUTS: dict[str, tuple[str | None, bool, str | None]] = {
    "cloudant.Cloudant": ("timeout", False, None),
    "cloudant.Cloudant.iam": ("timeout", False, None),
    "cloudant.CouchDB": ("timeout", False, None),
    "cloudant.client.Cloudant": ("timeout", False, None),
    "cloudant.client.Cloudant.iam": ("timeout", False, None),
    "cloudant.client.CouchDB": ("timeout", False, None),
    "ftplib.FTP": ("timeout", True, None),
    "ftplib.FTP_TLS": ("timeout", True, None),
    "google.auth.transport.requests.AuthorizedSession().delete": ("timeout", True, None),
    "google.auth.transport.requests.AuthorizedSession().get": ("timeout", True, None),
    "google.auth.transport.requests.AuthorizedSession().head": ("timeout", True, None),
    "google.auth.transport.requests.AuthorizedSession().options": ("timeout", True, None),
    "google.auth.transport.requests.AuthorizedSession().patch": ("timeout", True, None),
    "google.auth.transport.requests.AuthorizedSession().post": ("timeout", True, None),
    "google.auth.transport.requests.AuthorizedSession().put": ("timeout", True, None),
    "google.auth.transport.requests.AuthorizedSession().request": ("timeout", True, None),
    "google.cloud.bigquery.Client().query().result": ("timeout", False, None),
    "google.cloud.bigquery.client.Client().query().result": ("timeout", False, None),
    "google.cloud.pubsub.PublisherClient().publish().result": ("timeout", False, None),
    "google.cloud.pubsub_v1.PublisherClient().publish().result": ("timeout", False, None),
    "http.client.HTTPConnection": ("timeout", True, None),
    "http.client.HTTPSConnection": ("timeout", True, None),
    "os.system": (None, False, "run the command with subprocess.run(..., timeout=...)"),
    "psycopg2.connect": ("connect_timeout", False, None),
    "pymongo.MongoClient": ("socketTimeoutMS", False, None),
    "pymongo.mongo_client.MongoClient": ("socketTimeoutMS", False, None),
    "pymysql.Connect": ("read_timeout", False, PYMYSQL),
    "pymysql.Connection": ("read_timeout", False, PYMYSQL),
    "pymysql.connect": ("read_timeout", False, PYMYSQL),
    "pymysql.connections.Connection": ("read_timeout", False, PYMYSQL),
    "redis.Redis": ("socket_timeout", False, None),
    "redis.Redis.from_url": ("socket_timeout", False, None),
    "redis.StrictRedis": ("socket_timeout", False, None),
    "redis.client.Redis": ("socket_timeout", False, None),
    "redis.from_url": ("socket_timeout", False, None),
    "requests.Session().delete": ("timeout", True, None),
    "requests.Session().get": ("timeout", True, None),
    "requests.Session().head": ("timeout", True, None),
    "requests.Session().options": ("timeout", True, None),
    "requests.Session().patch": ("timeout", True, None),
    "requests.Session().post": ("timeout", True, None),
    "requests.Session().put": ("timeout", True, None),
    "requests.Session().request": ("timeout", True, None),
    "requests.delete": ("timeout", True, None),
    "requests.get": ("timeout", True, None),
    "requests.head": ("timeout", True, None),
    "requests.options": ("timeout", True, None),
    "requests.patch": ("timeout", True, None),
    "requests.post": ("timeout", True, None),
    "requests.put": ("timeout", True, None),
    "requests.request": ("timeout", True, None),
    "smtplib.LMTP": ("timeout", True, None),
    "smtplib.SMTP": ("timeout", True, None),
    "smtplib.SMTP_SSL": ("timeout", True, None),
    "socket.create_connection": ("timeout", True, None),
    "subprocess.Popen().communicate": ("timeout", False, None),
    "subprocess.Popen().wait": ("timeout", False, None),
    "subprocess.call": ("timeout", False, None),
    "subprocess.check_call": ("timeout", False, None),
    "subprocess.check_output": ("timeout", False, None),
    "subprocess.run": ("timeout", False, None),
    "urllib.request.build_opener().open": ("timeout", True, None),
    "urllib.request.urlopen": ("timeout", True, None),
    "urllib.request.urlretrieve": (
        None,
        True,
        "download with urlopen(url, timeout=...) instead, or call socket.setdefaulttimeout() first",
    ),
}


def test_timeout_table_entries() -> None:
    actual = {callee: (s.keyword, s.socket_default, s.instead) for callee, s in NEEDS_TIMEOUT.items()}
    assert actual == TIMEOUTS


def test_timeout_table_read_again_gives_the_same_entries() -> None:
    """NEEDS_TIMEOUT is read at import; reading the table again (as a test, under the code
    being tested) reads every field of every entry the same way."""
    assert load_table().specs == NEEDS_TIMEOUT


def test_timeout_table_units_defaults_and_connection_strings() -> None:
    assert NEEDS_TIMEOUT["pymongo.MongoClient"] == TimeoutSpec(
        "socketTimeoutMS",
        milliseconds=True,
        bounded_by=("timeoutMS",),
        timeouts=("timeoutMS", "serverSelectionTimeoutMS", "connectTimeoutMS"),
        url="host",
        any_case=True,
    )
    assert NEEDS_TIMEOUT["psycopg2.connect"] == TimeoutSpec("connect_timeout", url="dsn")
    assert NEEDS_TIMEOUT["pymysql.connect"].timeouts == ("write_timeout", "connect_timeout")
    for verb in ("get", "request"):
        spec = NEEDS_TIMEOUT[f"google.auth.transport.requests.AuthorizedSession().{verb}"]
        assert spec.default == 120
    assert NEEDS_TIMEOUT["requests.Session().get"].default is None


@pytest.mark.parametrize("callee", sorted(TIMEOUTS))
def test_each_timeout_entry_advice(callee: str) -> None:
    keyword, _, instead = TIMEOUTS[callee]
    unit = "milliseconds" if NEEDS_TIMEOUT[callee].milliseconds else "seconds"
    assert NEEDS_TIMEOUT[callee].advice == (instead or f"pass {keyword}= in {unit}")


def test_session_verbs_are_added_without_overriding_explicit_entries(tmp_path: Path) -> None:
    table = tmp_path / "t.toml"
    table.write_text(
        'session-verbs = ["get", "request"]\nsession-classes = ["s.S"]\n'
        '[[call]]\ncallees = ["requests.get"]\nkeyword = "timeout"\n'
        '[[call]]\ncallees = ["s.S().request"]\nkeyword = "socket_timeout"\n',
        encoding="utf-8",
    )
    specs = load_table(table).specs
    # a session's verbs call its own request(): they take its timeout
    assert specs["s.S().get"] == TimeoutSpec("socket_timeout")
    assert specs["s.S().request"] == TimeoutSpec("socket_timeout")


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
    assert {option.names: option.takes_value for option in requirements_format._PIP_OPTIONS} == PIP_OPTIONS
    assert {"sha256", "sha384", "sha512"} == requirements_format._HASH_ALGORITHMS


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


# The value-kind tables of cflint/analysis/kinds.py, entry by entry, each checked by what it does.
CALL_RESULTS: dict[str, Kind] = {
    **dict.fromkeys(
        (
            "builtins.str",
            "builtins.repr",
            "builtins.format",
            "builtins.ascii",
            "builtins.chr",
            "builtins.hex",
            "builtins.oct",
            "builtins.bin",
            "flask.render_template",
            "flask.render_template_string",
        ),
        Kind.STR,
    ),
    **dict.fromkeys(("builtins.int", "builtins.len", "builtins.ord", "builtins.hash"), Kind.INT),
    "builtins.float": Kind.FLOAT,
    "builtins.complex": Kind.COMPLEX,
    **dict.fromkeys(
        (
            "builtins.bool",
            "builtins.isinstance",
            "builtins.issubclass",
            "builtins.callable",
            "builtins.hasattr",
            "builtins.all",
            "builtins.any",
        ),
        Kind.BOOL,
    ),
    "builtins.dict": Kind.DICT,
    "builtins.list": Kind.LIST,
    "builtins.sorted": Kind.LIST,
    "builtins.set": Kind.SET,
    "builtins.frozenset": Kind.SET,
    "builtins.tuple": Kind.TUPLE,
    "builtins.range": Kind.RANGE,
    "builtins.bytes": Kind.BYTES,
    "builtins.bytearray": Kind.BYTES,
    **dict.fromkeys(
        (
            "builtins.print",
            "json.dump",
            "time.sleep",
            "random.shuffle",
            "random.seed",
            "pprint.pprint",
            "logging.debug",
            "logging.info",
            "logging.warning",
            "logging.error",
            "logging.exception",
            "logging.critical",
            "logging.log",
        ),
        Kind.NONE,
    ),
    **dict.fromkeys(
        (
            "flask.jsonify",
            "flask.json.jsonify",
            "flask.make_response",
            "flask.redirect",
            "flask.Response",
            "flask.wrappers.Response",
            "flask.send_file",
            "flask.send_from_directory",
            "werkzeug.utils.redirect",
            "werkzeug.Response",
            "werkzeug.wrappers.Response",
        ),
        Kind.RESPONSE,
    ),
}
METHOD_RESULTS: dict[tuple[str, str], Kind] = {
    **{("[]", method): Kind.NONE for method in ("append", "extend", "insert", "remove", "sort", "reverse", "clear")},
    ("{}", "update"): Kind.NONE,
    ("{}", "clear"): Kind.NONE,
    ("{}", "keys"): Kind.DICT_VIEW,
    ("{}", "values"): Kind.DICT_VIEW,
    ("{}", "items"): Kind.DICT_VIEW,
    ("{}", "copy"): Kind.DICT,
    **{
        ("{1}", method): Kind.NONE
        for method in (
            "add",
            "discard",
            "remove",
            "update",
            "clear",
            "difference_update",
            "intersection_update",
            "symmetric_difference_update",
        )
    },
    **{
        ("''", method): Kind.STR
        for method in (
            "format",
            "join",
            "upper",
            "lower",
            "strip",
            "lstrip",
            "rstrip",
            "replace",
            "title",
            "capitalize",
            "casefold",
            "swapcase",
            "center",
            "ljust",
            "rjust",
            "zfill",
            "format_map",
            "removeprefix",
            "removesuffix",
            "expandtabs",
        )
    },
    ("''", "encode"): Kind.BYTES,
    **{("''", method): Kind.LIST for method in ("split", "rsplit", "splitlines")},
}
_RECEIVER_KINDS = {"[]": Kind.LIST, "{}": Kind.DICT, "{1}": Kind.SET, "''": Kind.STR}
NEVER_RETURN_CALLS = (
    "sys.exit",
    "os._exit",
    "os.abort",
    "builtins.exit",
    "builtins.quit",
    "flask.abort",
    "werkzeug.exceptions.abort",
    "os.execv",
    "os.execve",
    "os.execl",
    "os.execle",
    "os.execlp",
    "os.execvp",
    "os.execvpe",
)
NEVER_RETURN_ANNOTATIONS = ("typing.NoReturn", "typing.Never", "typing_extensions.NoReturn", "typing_extensions.Never")


def _call_source(qualified: str) -> str:
    """Source that calls `qualified`: `str()`, or `import json\\njson.dump()`."""
    module, _, name = qualified.rpartition(".")
    return f"{name}()" if module == "builtins" else f"import {module}\n{qualified}()"


def test_kind_tables() -> None:
    assert kinds.CALL_RESULTS == CALL_RESULTS
    assert {
        (receiver, method): kind
        for receiver, receiver_kind in _RECEIVER_KINDS.items()
        for method, kind in kinds.METHOD_RESULTS.get(receiver_kind, {}).items()
    } == METHOD_RESULTS
    assert set(kinds.METHOD_RESULTS) == set(_RECEIVER_KINDS.values())
    assert {"json.dumps", "flask.json.dumps"} == kinds.JSON_TEXT_CALLS
    assert set(NEVER_RETURN_CALLS) == kinds.NEVER_RETURN_CALLS
    assert set(NEVER_RETURN_ANNOTATIONS) == kinds.NEVER_RETURN_ANNOTATIONS
    assert {"contextlib.suppress"} == kinds.SUPPRESSING_CONTEXTS


@pytest.mark.parametrize("callee", sorted(CALL_RESULTS))
def test_each_call_result(callee: str) -> None:
    value = infer_last(_call_source(callee))
    kind = CALL_RESULTS[callee]
    short = callee.removeprefix("builtins.")
    assert value is not None
    assert (value.kind, value.origin) == (kind, f"{short}() returns None" if kind is Kind.NONE else f"{short}() result")


@pytest.mark.parametrize(("receiver", "method"), sorted(METHOD_RESULTS))
def test_each_method_result(receiver: str, method: str) -> None:
    value = infer_last(f"{receiver}.{method}()")
    assert value is not None and value.kind is METHOD_RESULTS[receiver, method]


@pytest.mark.parametrize("callee", NEVER_RETURN_CALLS)
def test_each_call_that_never_returns(callee: str) -> None:
    helper = "def f():\n    " + _call_source(callee).replace("\n", "\n    ") + "\nf()"
    assert infer_last(helper) is None  # f never returns, so it cannot return None
    call = _call_source(callee).rpartition("\n")[2]
    assert infer_last(helper.replace(call, "print()")) == kinds.Value(Kind.NONE, "f() returns no value")


@pytest.mark.parametrize("annotation", NEVER_RETURN_ANNOTATIONS)
def test_each_never_return_annotation(annotation: str) -> None:
    module = annotation.partition(".")[0]
    source = f"import {module}\ndef stop() -> {annotation}:\n    log()\ndef f():\n    stop()\nf()"
    assert infer_last(source) is None
    assert infer_last(source.replace(annotation, "None")) is not None


def test_suppressed_exceptions_fall_through() -> None:
    source = "import contextlib\ndef f():\n    with contextlib.suppress(E):\n        raise E\nf()"
    assert infer_last(source) == kinds.Value(Kind.NONE, "f() returns no value")
    assert infer_last(source.replace("contextlib.suppress(E)", "open(p)")) is None


# The origin tables of cflint/analysis/origins.py: other names of one callable, Path members that give a Path.
CANONICAL = {
    "io.open": "builtins.open",
    "flask.globals.request": "flask.request",
    "pathlib.PosixPath": "pathlib.Path",
    "pathlib.WindowsPath": "pathlib.Path",
    "pathlib.Path.cwd": "pathlib.Path",
    "pathlib.Path.home": "pathlib.Path",
    "requests.session": "requests.Session",
    "requests.sessions.Session": "requests.Session",
    "requests.sessions.session": "requests.Session",
    **{
        f"requests.api.{verb}": f"requests.{verb}"
        for verb in ("get", "post", "put", "patch", "delete", "head", "options", "request")
    },
}
PATH_MEMBERS = (
    ".parent",
    ".absolute()",
    ".resolve()",
    ".expanduser()",
    ".joinpath()",
    ".with_name()",
    ".with_stem()",
    ".with_suffix()",
)


def test_origin_tables() -> None:
    assert origins._CANONICAL == CANONICAL
    assert set(PATH_MEMBERS) == origins._PATH_MEMBERS


@pytest.mark.parametrize("name", sorted(CANONICAL))
def test_each_canonical_name(name: str) -> None:
    module = name.rpartition(".")[0]
    while module.endswith(("Path", "Session")):
        module = module.rpartition(".")[0]
    assert origin_of_last_expression(f"import {module}\n{name}") == CANONICAL[name]


@pytest.mark.parametrize("member", PATH_MEMBERS)
def test_each_path_member_gives_a_path(member: str) -> None:
    source = f"from pathlib import Path\nPath(a){member.replace('()', '(b)')}.open()"
    assert origin_of_last_expression(source) == "pathlib.Path().open()"
