"""CF403 binds each call to its callee's recorded signature (cflint/knowledge/data/timeouts.toml).

Ground truth: the recorded signatures equal `inspect.signature` of the real callables on every
Python version installed here, and for every callee importable here a fixed call binds
(`inspect.Signature.bind`) with the timeout set and every other argument unchanged."""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cflint.api import lint_source
from cflint.fix.text import apply_edits
from cflint.knowledge.timeouts import CALLEE_NAMES, CALLEES, NEEDS_TIMEOUT, SIGNATURES, Kind, Signature
from scripts.record_runtime_modules import installed_python
from scripts.record_signatures import real_callable, signature_text

TARGET_VERSIONS = ("3.11", "3.12", "3.13")
RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"
SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "record_signatures.py"
STDLIB = sorted(callee for callee, signature in SIGNATURES.items() if signature.recorded_from is None)
THIRD_PARTY = sorted(callee for callee, signature in SIGNATURES.items() if signature.recorded_from is not None)


def _text(signature: Signature) -> str:
    """A recorded signature in the notation of the data file and of record_signatures.py."""
    words: list[str] = []
    previous: Kind | None = None
    for parameter in signature.parameters:
        if previous is Kind.POSITIONAL_ONLY and parameter.kind is not Kind.POSITIONAL_ONLY:
            words.append("/")
        if parameter.kind is Kind.KEYWORD_ONLY and previous not in (Kind.KEYWORD_ONLY, Kind.VAR_POSITIONAL):
            words.append("*")
        prefix = {Kind.VAR_POSITIONAL: "*", Kind.VAR_KEYWORD: "**"}.get(parameter.kind, "")
        words.append(prefix + parameter.name)
        previous = parameter.kind
    if previous is Kind.POSITIONAL_ONLY:
        words.append("/")
    return ", ".join(words)


def _version(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


def _interpreter(version: str) -> str | None:
    """A Python `version` that runs here: this one, or one on PATH or installed by pyenv."""
    return sys.executable if version == RUNNING else installed_python(f"python{version}")


def test_the_callees_read_without_the_table_are_the_tables() -> None:
    assert set(NEEDS_TIMEOUT) == CALLEES
    assert {callee.rpartition(".")[2].removesuffix("()") for callee in NEEDS_TIMEOUT} == CALLEE_NAMES


def test_a_file_calling_nothing_the_table_lists_does_not_make_it(tmp_path: Path) -> None:
    (tmp_path / "user.py").write_text("import time\n\ndef main():\n    time.sleep(1)\n    return 'ok'\n")
    script = (
        "import sys\nfrom cflint.cli.main import main\nmain(['--no-cache', '--exit-zero', '-q', '.'])\n"
        "import cflint.knowledge.timeouts as timeouts\nprint('NEEDS_TIMEOUT' in vars(timeouts))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "False"


def test_every_callee_has_a_signature_with_its_timeout_parameter() -> None:
    assert set(SIGNATURES) == set(NEEDS_TIMEOUT)
    for callee, spec in NEEDS_TIMEOUT.items():
        for version in TARGET_VERSIONS:
            signature = SIGNATURES[callee].on(_version(version))
            if spec.keyword is None:
                assert not signature.takes_keyword("timeout"), callee  # "has no timeout" holds
            else:
                assert signature.takes_keyword(spec.keyword), (callee, version)


def test_recorded_stdlib_signatures_equal_inspect_on_the_running_python() -> None:
    if RUNNING not in TARGET_VERSIONS:
        pytest.skip(f"Python {RUNNING} is not a target version")
    for callee in STDLIB:
        assert _text(SIGNATURES[callee].on(_version(RUNNING))) == signature_text(callee), callee


@pytest.mark.parametrize("version", TARGET_VERSIONS)
def test_recorded_stdlib_signatures_equal_inspect_on_each_installed_target_version(version: str) -> None:
    interpreter = _interpreter(version)
    if interpreter is None:
        pytest.skip(f"no Python {version} here")
    output = subprocess.run(
        [interpreter, str(SCRIPT), "--json", *STDLIB], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    seen = json.loads(output)
    recorded = {callee: _text(SIGNATURES[callee].on(_version(version))) for callee in STDLIB}
    assert seen == recorded


def test_recorded_third_party_signatures_equal_the_installed_release() -> None:
    """Where the release the data names is installed, inspect agrees with the data."""
    compared = []
    for callee in THIRD_PARTY:
        recorded = SIGNATURES[callee]
        assert recorded.recorded_from is not None
        distribution, _, release = recorded.recorded_from.partition(" ")
        try:
            installed = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
        # AuthorizedSession's methods are recorded from requests (it inherits them), and requests
        # alone may be installed (the docs extra brings it): compare what can be imported.
        if installed == release and _importable(callee):
            assert _text(recorded.on((3, 11))) == signature_text(callee), callee
            compared.append(callee)
    if not compared:
        pytest.skip("none of the recorded releases of requests, redis, google-auth is installed")


def _importable(callee: str) -> bool:
    try:
        real_callable(callee)
    except ImportError:
        return False
    return True


GROUND_TRUTH = [callee for callee, spec in sorted(NEEDS_TIMEOUT.items()) if spec.keyword and _importable(callee)]


def _expression(callee: str) -> tuple[str, str]:
    """The import and the expression that calls `callee` (cflint traces both)."""
    made, instance, method = callee.partition("().")
    module = made.rpartition(".")[0] if "Redis.from_url" not in made else "redis"
    if not instance:
        return f"import {module}", callee
    argument = "c" if "AuthorizedSession" in made else ""
    return f"import {module}", f"{made}({argument}).{method}"


def _calls(positional: int, has_var_positional: bool) -> list[str]:
    """Argument lists with 0..n positional arguments: all names, all None, and with
    `timeout=None` or another keyword."""
    lists = []
    for count in range(positional + (3 if has_var_positional else 2)):
        names = [f"a{index}" for index in range(count)]
        nones = ["None"] * count
        lists += [", ".join(names), ", ".join(nones), ", ".join([*nones, "timeout=None"])]
        lists.append(", ".join([*names, "socket_timeout=None"]))
    return list(dict.fromkeys(lists))


def _bound(signature: inspect.Signature, call: ast.Call, source: str) -> dict[str, object] | None:
    args = [ast.get_source_segment(source, arg) for arg in call.args]
    kwargs = {keyword.arg: ast.get_source_segment(source, keyword.value) for keyword in call.keywords if keyword.arg}
    try:
        bound = signature.bind_partial(*args, **kwargs)  # a missing required argument fails whatever the fix
    except TypeError:
        return None
    arguments = dict(bound.arguments)
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD and parameter.name in arguments:
            arguments.update(arguments.pop(parameter.name))  # type: ignore[call-overload]
    return arguments


def _only_call(source: str, line: int) -> ast.Call:
    statement = ast.parse(source).body[-1]
    assert isinstance(statement, ast.FunctionDef)
    node = statement.body[line]
    assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
    return node.value


@pytest.mark.parametrize("callee", GROUND_TRUTH)
def test_fixed_call_binds_with_the_timeout_and_nothing_else_changed(callee: str, tmp_path: Path) -> None:
    """Each call with 0..n positional arguments: when it binds on the running Python (leaving
    out required ones, which fail the call whatever its timeout) and has
    no timeout, the fixed call binds too, with the timeout set and every other argument as
    it was; when it does not bind, there is no fix."""
    version = RUNNING if RUNNING in TARGET_VERSIONS else "3.11"
    (tmp_path / "cflint.toml").write_text(f'target-versions = ["{version}"]\nselect = ["CF403"]\n')
    spec = NEEDS_TIMEOUT[callee]
    keyword = spec.keyword
    assert keyword is not None
    function, is_method = real_callable(callee)
    signature = inspect.signature(function)
    if is_method:
        signature = signature.replace(parameters=list(signature.parameters.values())[1:])
    kinds = [parameter.kind for parameter in signature.parameters.values()]
    positional = sum(
        kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD) for kind in kinds
    )
    argument_lists = _calls(min(positional, 10), inspect.Parameter.VAR_POSITIONAL in kinds)
    head, expression = _expression(callee)
    body = "".join(f"    x{index} = {expression}({arguments})\n" for index, arguments in enumerate(argument_lists))
    source = f"{head}\n\n\ndef main():\n{body}    return 'ok'\n"
    findings = {finding.start.line: finding for finding in lint_source(tmp_path / "user.py", source).findings}
    first_line = 5
    checked = 0
    for index, arguments in enumerate(argument_lists):
        line = first_line + index
        before = _bound(signature, _only_call(source, index), source)
        finding = findings.get(line)
        if before is None:
            assert finding is None or finding.fix is None, (callee, arguments)
            continue
        bounded = before.get(keyword, "None") != "None" or (keyword not in before and spec.default is not None)
        if bounded or before.get(spec.url or "", "None") != "None":
            # given a timeout, bounded by the callee's default, or a connection string that may set it
            assert finding is None, (callee, arguments)
            continue
        assert finding is not None and finding.fix is not None, (callee, arguments)
        fixed = apply_edits(source, finding.fix.edits)
        after = _bound(signature, _only_call(fixed, index), fixed)
        assert after is not None, (callee, arguments, fixed.splitlines()[line - 1])
        assert after.pop(keyword) == str(spec.argument(10)), (callee, arguments)
        before.pop(keyword, None)
        assert after == before, (callee, arguments)
        checked += 1
    assert checked >= (0 if spec.default is not None else 2 if positional else 1)


def test_the_data_notation_round_trips() -> None:
    for text in ("a, b, /, c, *, d, **e", "*args, timeout, **kwargs", "a, /", "x, *rest, y"):
        assert _text(Signature.parse(text)) == text


@pytest.mark.parametrize(
    ("text", "arguments", "bound"),
    [
        ("host, port, local_hostname, source_address, timeout", [None, None, None, None], {"timeout": None}),
        ("host, port, local_hostname, source_address, timeout", [None] * 5, {"timeout": 4}),
        ("host, port, local_hostname, source_address, timeout", [None] * 6, None),
        ("host, port, *, timeout", [None, None, None], None),
        ("host, port, *, timeout", [None, "timeout"], {"timeout": 1}),
        ("host, port", [None, "host"], None),  # multiple values for host
        ("url, **kwargs", [None, "timeout"], {"timeout": 1}),
        ("url, params", [None, "timeout"], None),  # no such keyword
        ("*popenargs, timeout, **kwargs", [None, None, None, None], {"timeout": None}),
        ("a, /, **kwargs", [None, "a"], {"a": 1}),  # a positional-only name goes to **kwargs
    ],
)
def test_binding_follows_python(text: str, arguments: list[str | None], bound: dict[str, int | None] | None) -> None:
    result = Signature.parse(text).bind(arguments)
    if bound is None:
        assert result is None
    else:
        assert result is not None
        assert {name: result.get(name) for name in bound} == bound


def test_the_script_prints_one_line_a_callee() -> None:
    output = subprocess.run(
        [sys.executable, str(SCRIPT), "smtplib.LMTP", "no.such.module"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert output == textwrap.dedent(f"""\
        smtplib.LMTP: {signature_text("smtplib.LMTP")}
        """)
