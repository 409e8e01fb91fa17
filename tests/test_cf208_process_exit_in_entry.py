"""CF208: the entry function ends the process, and the request gets no response. Checked
against Werkzeug's own server: the client's connection is closed without an answer."""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.forked_python import run_python
from tests.helpers import CliResult, serve, write_files

Cflint = Callable[..., CliResult]


def _lint(tmp_path: Path, cflint: Cflint, source: str, *args: str) -> CliResult:
    write_files(tmp_path, {"user.py": textwrap.dedent(source)})
    result = cflint("--select", "CF208", "--color", "never", *args, ".")
    assert result.code in (0, 1) and result.err == "", result.err
    return result


def _lines(result: CliResult) -> list[int]:
    return [int(line.split(":")[1]) for line in result.lines if " CF208 " in line]


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("import sys\n\ndef main():\n    sys.exit(1)\n", [4]),
        ("import sys\n\ndef main():\n    if not sys.argv:\n        sys.exit('bad input')\n    return 'ok'\n", [5]),
        ("from sys import exit as leave\n\ndef main():\n    leave(2)\n", [4]),
        ("import sys as system\n\ndef main():\n    system.exit()\n", [4]),
        ("def main():\n    exit(1)\n", [2]),
        ("def main():\n    quit()\n", [2]),
        ("import os\n\ndef main():\n    os._exit(1)\n", [4]),
        ("from os import abort\n\ndef main():\n    abort()\n", [4]),
        ("def main():\n    raise SystemExit(1)\n", [2]),
        ("def main():\n    raise SystemExit\n", [2]),
        # SystemExit is no Exception: these handlers do not catch it
        (
            "import sys\n\ndef main():\n    try:\n        sys.exit(1)\n    except Exception:\n        return 'x', 500\n",
            [5],
        ),
        (
            "import sys\n\ndef main():\n    try:\n        sys.exit(1)\n    except (ValueError, KeyError):\n        return 'x', 500\n",
            [5],
        ),
        # os._exit cannot be caught at all
        (
            "import os\n\ndef main():\n    try:\n        os._exit(1)\n    except BaseException:\n        return 'x', 500\n",
            [5],
        ),
        # a handler's own code, and the else and finally blocks, are not covered by it
        ("import sys\n\ndef main():\n    try:\n        return 'x'\n    except SystemExit:\n        sys.exit(2)\n", [7]),
        (
            "import sys\n\ndef main():\n    try:\n        pass\n    except SystemExit:\n        pass\n    else:\n        sys.exit(2)\n",
            [9],
        ),
        # a transparent decorator keeps the entry judged
        ("import functions_framework, sys\n\n@functions_framework.http\ndef main():\n    sys.exit(1)\n", [5]),
    ],
)
def test_reports_process_exits(tmp_path: Path, cflint: Cflint, source: str, lines: list[int]) -> None:
    assert _lines(_lint(tmp_path, cflint, source)) == lines


@pytest.mark.parametrize(
    "source",
    [
        'import sys\n\ndef main():\n    return "ok"\n\nif __name__ == "__main__":\n    sys.exit(main())\n',
        "def exit(code):\n    print(code)\n\ndef main():\n    exit(1)\n    return 'x'\n",
        "import sys\n\ndef main():\n    exit = print\n    exit(1)\n    return 'x'\n",
        "import sys\n\ndef main():\n    try:\n        sys.exit(1)\n    except SystemExit:\n        return 'x', 500\n",
        "import sys\n\ndef main():\n    try:\n        sys.exit(1)\n    except BaseException:\n        return 'x', 500\n",
        "import sys\n\ndef main():\n    try:\n        sys.exit(1)\n    except:\n        return 'x', 500\n",
        "import sys\n\ndef main():\n    try:\n        sys.exit(1)\n    except (ValueError, SystemExit):\n        return 'x', 500\n",
        "import requests, sys\n\ndef main():\n    try:\n        sys.exit(1)\n    except requests.RequestException:\n        return 'x', 500\n",
        "import sys\nfrom errors import ERRORS\n\ndef main():\n    try:\n        sys.exit(1)\n    except ERRORS:\n        return 'x', 500\n",
        "import sys\n\ndef main():\n    try:\n        sys.exit(1)\n    finally:\n        return 'x', 500\n",
        "import contextlib, sys\n\ndef main():\n    with contextlib.suppress(SystemExit):\n        sys.exit(1)\n    return 'x'\n",
        "import sys\n\ndef main():\n    def stop():\n        sys.exit(1)\n    return 'x'\n",
        "import sys\n\ndef main():\n    handler = lambda: sys.exit(1)\n    return 'x'\n",
        "import sys\n\ndef helper():\n    sys.exit(1)\n\ndef main():\n    return 'x'\n",
        "import sys\nfrom mylib import magic\n\n@magic\ndef main():\n    sys.exit(1)\n",
        "import sys\n\nif not sys.argv:\n    sys.exit(1)\n\ndef main():\n    return 'x'\n",
    ],
)
def test_is_silent_where_no_exit_reaches_the_runtime(tmp_path: Path, cflint: Cflint, source: str) -> None:
    assert _lines(_lint(tmp_path, cflint, source)) == []


def test_message_names_the_call_and_what_to_return(tmp_path: Path, cflint: Cflint) -> None:
    result = _lint(
        tmp_path, cflint, "from sys import exit as leave\nimport os\n\ndef main():\n    leave(1)\n    os._exit(1)\n"
    )
    assert result.lines == [
        "user.py:5:5: CF208 entry function 'main' calls leave() (sys.exit), whose SystemExit passes through Flask: "
        'the request gets no response (the connection closes); return an error response instead, such as ("...", 500)',
        "user.py:6:5: CF208 entry function 'main' calls os._exit(), which ends the process at once: the request gets "
        'no response (the connection closes); return an error response instead, such as ("...", 500)',
    ]


_WERKZEUG_SERVER = """
import http.client, sys, threading
sys.path.insert(0, sys.argv[1])
from flask import Flask
from werkzeug.serving import make_server
import user
app = Flask("function")
app.add_url_rule("/", "main", user.main)
server = make_server("127.0.0.1", 0, app, threaded=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
try:
    connection.request("GET", "/")
    print(connection.getresponse().status)
except http.client.RemoteDisconnected:
    print("no response")
server.shutdown()
"""


def _answer_from_werkzeug(folder: Path) -> str:
    completed = run_python(_WERKZEUG_SERVER, str(folder), first_on_path=folder)
    completed.check_returncode()
    return completed.stdout.splitlines()[-1]


def test_werkzeug_sends_no_response_and_the_fixed_form_answers(tmp_path: Path, cflint: Cflint) -> None:
    exits = "import sys\n\ndef main():\n    print('missing name')\n    sys.exit(1)\n"
    assert _lines(_lint(tmp_path, cflint, exits)) == [5]
    assert _answer_from_werkzeug(tmp_path) == "no response"
    with pytest.raises(subprocess.CalledProcessError):  # the test client hands SystemExit to its caller
        serve(tmp_path)
    fixed = "def main():\n    print('missing name')\n    return 'missing name', 400\n"
    assert _lines(_lint(tmp_path, cflint, fixed)) == []
    assert _answer_from_werkzeug(tmp_path) == "400"


def _lint_folder(tmp_path: Path, cflint: Cflint, files: dict[str, str]) -> CliResult:
    write_files(tmp_path, {name: textwrap.dedent(text) for name, text in files.items()})
    result = cflint("--select", "CF208", "--color", "never", ".")
    assert result.code in (0, 1) and result.err == "", result.err
    return result


HELPERS = "import sys\n\ndef check(value):\n    if not value:\n        sys.exit(2)\n    return value\n"


def test_an_exit_in_a_helper_is_reported_at_the_entrys_call(tmp_path: Path, cflint: Cflint) -> None:
    result = _lint_folder(
        tmp_path,
        cflint,
        {
            "helpers.py": HELPERS,
            "user.py": "from helpers import check\n\ndef validate(x):\n    return check(x)\n\ndef main():\n"
            "    validate(None)\n    return 'ok'\n",
        },
    )
    assert [line for line in result.lines if " CF208 " in line] == [
        "user.py:7:5: CF208 entry function 'main' calls validate() at line 3, which reaches check() at helpers.py:3, "
        "which calls sys.exit(), whose SystemExit passes through Flask: the request gets no response (the connection "
        'closes); return an error response instead, such as ("...", 500)'
    ]


@pytest.mark.parametrize(
    ("user", "lines"),
    [
        ("import sys\n\ndef fail():\n    sys.exit(1)\n\ndef main():\n    fail()\n", [7]),
        ("import os\n\ndef stop():\n    os._exit(3)\n\ndef main():\n    stop()\n    return 'x'\n", [7]),
        ("import helpers\n\ndef main():\n    helpers.check(0)\n    return 'ok'\n", [4]),
        (
            "import sys\n\nclass Jobs:\n    def run(self):\n        sys.exit(1)\n\njobs = Jobs()\n\n"
            "def main():\n    jobs.run()\n    return 'ok'\n",
            [10],
        ),
        # the exit is caught in the helper's caller by nothing: except Exception does not
        (
            "import sys\n\ndef fail():\n    sys.exit(1)\n\ndef main():\n    try:\n        fail()\n    except Exception:\n        return 'x', 500\n",
            [8],
        ),
        # one finding per call of the entry that reaches an exit, the same helper or not
        ("import helpers\n\ndef main():\n    helpers.check(0)\n    helpers.check(1)\n    return 'ok'\n", [4, 5]),
        (
            "from helpers import check\n\ndef a():\n    check(0)\n\ndef b():\n    check(0)\n\n"
            "def main():\n    a()\n    b()\n    return 'ok'\n",
            [10, 11],
        ),
        # a helper whose decorator hands its result on (functools.wraps) is followed
        (
            "import functools, sys\n\ndef logged(fn):\n    @functools.wraps(fn)\n    def wrapper(*args, **kwargs):\n"
            "        return fn(*args, **kwargs)\n    return wrapper\n\n@logged\ndef fail():\n    sys.exit(1)\n\n"
            "def main():\n    fail()\n    return 'ok'\n",
            [14],
        ),
        # a method's call of another method of its class (self.stop())
        (
            "import sys\n\nclass Jobs:\n    def run(self):\n        self.stop()\n        return 'ok'\n\n"
            "    def stop(self):\n        sys.exit(1)\n\njobs = Jobs()\n\ndef main():\n    return jobs.run()\n",
            [14],
        ),
        # the first call is where SystemExit is caught, the second is not
        (
            "from helpers import check\n\ndef main():\n    try:\n        check(0)\n    except SystemExit:\n"
            "        pass\n    check(1)\n    return 'ok'\n",
            [8],
        ),
    ],
)
def test_exits_through_calls(tmp_path: Path, cflint: Cflint, user: str, lines: list[int]) -> None:
    assert _lines(_lint_folder(tmp_path, cflint, {"helpers.py": HELPERS, "user.py": user})) == lines


@pytest.mark.parametrize(
    "user",
    [
        # caught around the entry's call, or inside the helper
        "import sys\n\ndef fail():\n    sys.exit(1)\n\ndef main():\n    try:\n        fail()\n    except SystemExit:\n        return 'x', 500\n    return 'ok'\n",
        "import sys\n\ndef fail():\n    try:\n        sys.exit(1)\n    except BaseException:\n        pass\n\ndef main():\n    fail()\n    return 'ok'\n",
        "import sys\n\ndef inner():\n    sys.exit(1)\n\ndef outer():\n    try:\n        inner()\n    except SystemExit:\n        pass\n\ndef main():\n    outer()\n    return 'ok'\n",
        # not called, passed along, or unknown
        "import sys\n\ndef fail():\n    sys.exit(1)\n\ndef main():\n    return 'ok'\n",
        "import sys\n\ndef fail():\n    sys.exit(1)\n\ndef main():\n    handlers = [fail]\n    return 'ok'\n",
        "from other_package import fail\n\ndef main():\n    fail()\n    return 'ok'\n",
        # a helper defined twice is not known
        "import sys\n\ndef fail():\n    sys.exit(1)\n\ndef fail():\n    pass\n\ndef main():\n    fail()\n    return 'ok'\n",
        # recursion ends the chain; a helper exiting under the main guard only
        "def ping(n):\n    return pong(n)\n\ndef pong(n):\n    return ping(n)\n\ndef main():\n    ping(1)\n    return 'ok'\n",
        "import sys\n\ndef cli():\n    if __name__ == '__main__':\n        pass\n    return 1\n\ndef main():\n    cli()\n    return 'ok'\n\nif __name__ == '__main__':\n    sys.exit(cli())\n",
    ],
)
def test_no_exit_through_calls(tmp_path: Path, cflint: Cflint, user: str) -> None:
    assert _lines(_lint_folder(tmp_path, cflint, {"helpers.py": HELPERS, "user.py": user})) == []


def test_werkzeug_sends_no_response_through_a_helper(tmp_path: Path, cflint: Cflint) -> None:
    files = {
        "helpers.py": HELPERS,
        "user.py": "from flask import request\nfrom helpers import check\n\ndef main():\n"
        "    return check(request.args.get('name'))\n",
    }
    assert _lines(_lint_folder(tmp_path, cflint, files)) == [5]
    assert _answer_from_werkzeug(tmp_path) == "no response"
