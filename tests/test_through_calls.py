"""Rules that follow calls into the root's own modules (cflint.analysis.callgraph): the same
findings from the CLI, the result cache and the lint API, and Flask agreeing on what fails."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from cflint.api import Linter, LintOptions
from cflint.engine.registry import load_registry
from cflint.run.cache import ResultCache
from cflint.run.runner import RunOptions, run
from tests.helpers import CliResult, serve, write_files

Cflint = Callable[..., CliResult]

REGISTRY = load_registry()

STATS = "from flask import jsonify\n\n\ndef search_posts(es):\n    hits = [es]\n    return jsonify(hits=hits)\n"
STATS_DICT = "def search_posts(es):\n    hits = [es]\n    return {'hits': hits}\n"
USER = (
    "from flask import request\n\nimport stats\nfrom stats import search_posts\n\n\n"
    "def main():\n    es = request.args.get('es')\n    if request.args.get('all'):\n"
    "        return stats.search_posts(es)\n    return search_posts(es)\n"
)
CF202 = (
    "CF202 entry function 'main' returns a Flask Response (flask.jsonify() result), returned by "
    "search_posts() at stats.py:4: Flask accepts it, but the platform documents only a str, a dict and a "
    "(body, status) tuple"
)


def _function(folder: Path, helper: str = STATS) -> Path:
    return write_files(folder, {"user.py": USER, "stats.py": helper, "requirements.txt": "flask\n"})


def _lines(folder: Path, cache: ResultCache | None) -> tuple[list[str], int]:
    result = run([folder], RunOptions(overrides={"select": ["CF2"]}, cache=cache), REGISTRY, cwd=folder)
    return [f"{f.path}:{f.start.line}:{f.start.column}: {f.code} {f.message}" for f in result.findings], (
        result.files_from_cache
    )


def test_a_helper_in_another_module_is_followed(cflint: Cflint, tmp_path: Path) -> None:
    folder = _function(tmp_path / "fn")
    result = cflint("--select", "CF2", "--color", "never", ".", cwd=folder)
    assert result.lines == [f"user.py:10:16: {CF202}", f"user.py:11:12: {CF202}"]


def test_flask_serves_what_the_helper_returns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The finding is about a Response object reaching Flask: Flask takes it as it is."""
    folder = _function(tmp_path / "fn")
    monkeypatch.syspath_prepend(str(folder))
    for name in ("user", "stats"):
        sys.modules.pop(name, None)
    user = importlib.import_module("user")
    app = Flask("fn")
    app.add_url_rule("/", "main", user.main)
    response = app.test_client().get("/?es=x")
    assert (response.status_code, response.mimetype, response.json) == (200, "application/json", {"hits": ["x"]})
    for name in ("user", "stats"):
        sys.modules.pop(name, None)


def test_the_cached_finding_changes_when_the_helper_module_does(tmp_path: Path) -> None:
    folder = _function(tmp_path / "fn")
    cache = ResultCache(tmp_path / "cache")
    first, _ = _lines(folder, cache)
    assert [line.split(" ")[1] for line in first] == ["CF202", "CF202"]
    assert _lines(folder, cache) == (first, 2)
    (folder / "stats.py").write_text(STATS_DICT)
    assert _lines(folder, cache) == ([], 0)


def test_the_api_reads_sibling_modules_from_disk_and_the_buffer_wins(tmp_path: Path) -> None:
    folder = _function(tmp_path / "fn")
    linter = Linter(LintOptions(overrides={"select": ["CF2"]}, cwd=folder))
    findings = linter.lint_source(folder / "user.py", USER).findings
    assert [f"user.py:{f.start.line}:{f.start.column}: {f.code} {f.message}" for f in findings] == (
        _lines(folder, None)[0]
    )
    # The buffer of the file being linted wins over its saved text.
    assert linter.lint_source(folder / "user.py", "def main():\n    return 'ok'\n").findings == []
    # An unsaved helper module is read as the editor holds it.
    unsaved = {folder / "stats.py": STATS_DICT.encode()}
    assert linter.lint_source(folder / "user.py", USER, unsaved).findings == []


def test_vendored_and_unknown_modules_are_not_followed(tmp_path: Path) -> None:
    folder = write_files(
        tmp_path / "fn",
        {
            "user.py": "from stats import search_posts\n\n\ndef main():\n    return search_posts('x')\n",
            "stats/__init__.py": STATS,
            "stats-1.0.dist-info/RECORD": "stats/__init__.py,,\n",
            "requirements.txt": "flask\n",
        },
    )
    assert _lines(folder, None)[0] == []


def test_a_helper_module_that_does_not_parse_is_unknown(cflint: Cflint, tmp_path: Path) -> None:
    folder = _function(tmp_path / "fn", STATS + "def broken(:\n")
    result = cflint("--select", "CF001,CF2", "--color", "never", ".", cwd=folder)
    assert (result.code, result.codes) == (1, ["CF001"]), result.out + result.err


def test_more_modules_than_the_bound_are_not_followed(tmp_path: Path) -> None:
    from cflint.project import MAX_OWN_MODULES

    folder = _function(tmp_path / "fn")
    write_files(folder, {f"extra_{index}.py": "" for index in range(MAX_OWN_MODULES)})
    assert _lines(folder, None)[0] == []


def test_a_chain_longer_than_the_bound_is_unknown(cflint: Cflint, tmp_path: Path) -> None:
    from cflint.analysis.callgraph import MAX_DEPTH

    def helpers(count: int) -> str:
        chain = "".join(f"def h{i}():\n    return h{i + 1}()\n\n" for i in range(count))
        return "from flask import jsonify\n\n" + chain + f"def h{count}():\n    return jsonify(ok=True)\n\n"

    within = helpers(MAX_DEPTH - 2) + "def main():\n    return h0()\n"
    beyond = helpers(MAX_DEPTH + 2) + "def main():\n    return h0()\n"
    write_files(tmp_path / "within", {"user.py": within, "requirements.txt": ""})
    write_files(tmp_path / "beyond", {"user.py": beyond, "requirements.txt": ""})
    result = cflint("--select", "CF2", "--color", "never", ".", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.lines] == ["within/user.py"], result.out


DECORATED = (
    "import functools\n\nfrom flask import jsonify\n\n\n"
    "def logged(fn):\n    @functools.wraps(fn)\n    def wrapper(*args, **kwargs):\n"
    "        print('calling', fn.__name__)\n        return fn(*args, **kwargs)\n\n    return wrapper\n\n\n"
    "HANDLERS = []\n\n\ndef register(fn):\n    HANDLERS.append(fn)\n    return fn\n\n\n"
    "def stringify(fn):\n    def wrapper(*args, **kwargs):\n        return str(fn(*args, **kwargs))\n\n    return wrapper\n\n\n"
    "@logged\ndef search_posts(es):\n    return jsonify(hits=[es])\n\n\n"
    "@register\ndef note(es):\n    return print(es)\n\n\n"
    "@stringify\ndef quiet(es):\n    print(es)\n"
)
DECORATED_USER = (
    "from flask import request\n\nfrom helpers import logged, note, quiet, search_posts\n\n\n"
    "@logged\ndef remember(es):\n    print(es)\n\n\n"
    "def main():\n    es = request.args.get('es')\n    if request.args.get('note'):\n        return note(es)\n"
    "    if request.args.get('remember'):\n        return remember(es)\n"
    "    if request.args.get('quiet'):\n        return quiet(es)\n    return search_posts(es)\n"
)


def test_a_helper_with_transparent_decorators_is_followed(cflint: Cflint, tmp_path: Path) -> None:
    """`@logged` (a functools.wraps wrapper passing the result on) and `@register` (returns the
    function) are followed as plain helpers; `@stringify` changes the result and is not."""
    folder = write_files(
        tmp_path / "fn", {"user.py": DECORATED_USER, "helpers.py": DECORATED, "requirements.txt": "flask\n"}
    )
    result = cflint("--select", "CF2", "--color", "never", ".", cwd=folder)
    assert [line.split(" entry function")[0] for line in result.lines] == [
        "user.py:14:16: CF201",
        "user.py:16:16: CF201",
        "user.py:19:12: CF202",
    ], result.out
    assert "returned by note() at helpers.py:36" in result.lines[0], result.out
    assert "(remember() returns no value)" in result.lines[1], result.out
    assert "returned by search_posts() at helpers.py:31" in result.lines[2], result.out
    # What Flask makes of each: None fails, the Response and the str are served.
    assert serve(folder, "/?es=x&note=1").status == 500
    assert serve(folder, "/?es=x&remember=1").status == 500
    assert serve(folder, "/?es=x").body.strip() == '{"hits":["x"]}'
    assert (serve(folder, "/?es=x&quiet=1").status, serve(folder, "/?es=x&quiet=1").body) == (200, "None")


FALLS_OFF = (
    "import sys\n\n\ndef note(es):\n    print(es)\n\n\n"
    "def maybe(es):\n    if es == 'x':\n        return 'found'\n\n\n"
    "def refuse(es):\n    print(es)\n    raise ValueError(es)\n\n\n"
    "def leave(es):\n    print(es)\n    sys.exit(1)\n\n\n"
    "def stream(es):\n    yield es\n\n\n"
    "def unknown(es):\n    return es.upper()\n"
)
FALLS_OFF_USER = (
    "from flask import request\n\nimport helpers\nfrom helpers import maybe, note, refuse, unknown\n\n\n"
    "def main():\n    es = request.args.get('es', '')\n    if request.args.get('note'):\n        return note(es)\n"
    "    if request.args.get('module'):\n        return helpers.note(es)\n"
    "    if request.args.get('refuse'):\n        return refuse(es)\n"
    "    if request.args.get('leave'):\n        return helpers.leave(es)\n"
    "    if request.args.get('stream'):\n        return helpers.stream(es)\n"
    "    if request.args.get('unknown'):\n        return unknown(es)\n    return maybe(es)\n"
)


def test_a_helper_of_another_module_that_falls_off_its_end_returns_none(cflint: Cflint, tmp_path: Path) -> None:
    """Decided as for a helper of the same file: no `return` with a value and an end control
    can reach is None; one that raises or exits at its end, mixed returns and unknown values are not."""
    folder = write_files(
        tmp_path / "fn", {"user.py": FALLS_OFF_USER, "helpers.py": FALLS_OFF, "requirements.txt": "flask\n"}
    )
    result = cflint("--select", "CF2", "--color", "never", ".", cwd=folder)
    assert result.lines == [
        "user.py:10:16: CF201 entry function 'main' returns None (note() returns no value, at helpers.py:4), "
        "which Flask cannot turn into a response",
        "user.py:12:16: CF201 entry function 'main' returns None (note() returns no value, at helpers.py:4), "
        "which Flask cannot turn into a response",
        "user.py:16:16: CF208 entry function 'main' calls leave() at helpers.py:18, which calls sys.exit(), whose "
        "SystemExit passes through Flask: the request gets no response (the connection closes); return an error "
        'response instead, such as ("...", 500)',
        "user.py:18:16: CF202 entry function 'main' returns a generator (stream() is a generator function, "
        "at helpers.py:23): Flask accepts it, but the platform documents only a str, a dict and a (body, status) tuple",
    ], result.out
    # Flask fails on the None the helper gives; it streams the generator; the silent cases are served.
    assert serve(folder, "/?es=a&note=1").status == 500
    assert serve(folder, "/?es=a&module=1").status == 500
    assert (serve(folder, "/?es=a&stream=1").status, serve(folder, "/?es=a&stream=1").body) == (200, "a")
    assert serve(folder, "/?es=x").body == "found"
    assert serve(folder, "/?es=a&unknown=1").body == "A"


RAISES = "def fail(es):\n    raise ValueError(es)\n"
RAISES_USER = (
    "from flask import request\n\nfrom errors import fail\nfrom helpers import note\n\n\n"
    "def check(es):\n    fail(es)\n\n\n"
    "def main():\n    es = request.args.get('es', '')\n    if request.args.get('note'):\n        return note(es)\n"
    "    if request.args.get('check'):\n        return check(es)\n    if es:\n        return es\n    fail(es)\n"
)


def test_a_helper_that_ends_in_a_call_of_another_module_that_only_raises_is_not_none(
    cflint: Cflint, tmp_path: Path
) -> None:
    """`fail()` of errors.py can only raise: a helper (of this file or another) ending in it never
    falls off its end, and neither does the entry (no CF203)."""
    folder = write_files(
        tmp_path / "fn",
        {
            "user.py": RAISES_USER,
            "helpers.py": "from errors import fail\n\n\ndef note(es):\n    fail(es)\n",
            "errors.py": RAISES,
            "requirements.txt": "flask\n",
        },
    )
    result = cflint("--select", "CF2", "--color", "never", ".", cwd=folder)
    assert (result.code, result.lines) == (0, []), result.out + result.err
    assert serve(folder, "/?es=a").body == "a"


RECURSIVE_SAME_FILE = {
    "user.py": (
        "from flask import request\n\n\ndef ping():\n    pong()\n\n\ndef pong():\n    ping()\n\n\n"
        "def note():\n    print('noted')\n\n\n"
        "def main():\n    if request.args.get('end'):\n        ping()\n    if request.args.get('note'):\n"
        "        return note()\n    return ping()\n"
    ),
    "requirements.txt": "flask\n",
}
RECURSIVE_MODULES = {
    "user.py": (
        "from flask import request\n\nfrom ping import ping\n\n\n"
        "def main():\n    if request.args.get('end'):\n        ping()\n    return ping()\n"
    ),
    "ping.py": "import pong\n\n\ndef ping():\n    pong.pong()\n",
    "pong.py": "import ping\n\n\ndef pong():\n    ping.ping()\n",
    "requirements.txt": "flask\n",
}


def _error_of_main(folder: Path, query: str, monkeypatch: pytest.MonkeyPatch) -> BaseException:
    """What `main` raises under Flask's test client (exceptions propagated, as in testing)."""
    monkeypatch.syspath_prepend(str(folder))
    names = ("user", "ping", "pong")
    for name in names:
        sys.modules.pop(name, None)
    app = Flask("fn")
    app.testing = True
    app.add_url_rule("/", "main", importlib.import_module("user").main)
    try:
        with pytest.raises(Exception) as raised:
            app.test_client().get(query)
    finally:
        for name in names:
            sys.modules.pop(name, None)
    return raised.value


@pytest.mark.parametrize("files", [RECURSIVE_SAME_FILE, RECURSIVE_MODULES], ids=["same-file", "modules"])
def test_helpers_that_call_each_other_are_unknown(
    cflint: Cflint, files: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether `ping()` returns hangs on whether `pong()` does, and back: the run ends in a
    RecursionError, not in None, so neither `return ping()` (CF201) nor the entry's end after
    `ping()` (CF203) is reported. A helper that plainly falls off its end still is CF201."""
    folder = write_files(tmp_path / "fn", files)
    result = cflint("--select", "CF2", "--color", "never", ".", cwd=folder)
    if files is RECURSIVE_SAME_FILE:
        assert result.lines == [
            "user.py:20:16: CF201 entry function 'main' returns None (note() returns no value), "
            "which Flask cannot turn into a response"
        ], result.out + result.err
        assert isinstance(_error_of_main(folder, "/?note=1", monkeypatch), TypeError)
    else:
        assert (result.code, result.lines) == (0, []), result.out + result.err
    assert isinstance(_error_of_main(folder, "/", monkeypatch), RecursionError)
    assert isinstance(_error_of_main(folder, "/?end=1", monkeypatch), RecursionError)
