"""CF404: sleeps, timeouts and sleeping loops the source shows to reach the function's time
limit (`time-limit`, 60 s by default), and the config that keeps CF403's fix below it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliResult, write_files
from tests.source_lint import marked_lines, messages, reported_lines

Cflint = Callable[..., CliResult]


@pytest.mark.parametrize(
    "source",
    [
        "import time\n\ndef main():\n    time.sleep(120)  # !\n    return 'ok'\n",
        "from time import sleep\n\ndef main():\n    sleep(60)  # !\n    return 'ok'\n",
        "import time\nWAIT = 2 * 60\n\ndef main():\n    time.sleep(WAIT)  # !\n    return 'ok'\n",
        "import requests\n\ndef main():\n    return requests.get('u', timeout=120).text  # !\n",
        "import requests\n\ndef main():\n    return requests.get('u', timeout=(5, 120)).text  # !\n",
        "import requests\ns = requests.Session()\n\ndef main():\n    return s.post('u', timeout=61.5).text  # !\n",
        "import subprocess\n\ndef main():\n    subprocess.run(['ls'], timeout=90)  # !\n    return 'ok'\n",
        "from urllib.request import urlopen\n\ndef main():\n    return urlopen('u', None, 300).read(10)  # !\n",
        "import redis\nr = redis.Redis(socket_timeout=600)  # !\n",
        "import httpx\n\ndef main():\n    return httpx.get('u', timeout=100).text  # !\n",
        "import socket\nsocket.setdefaulttimeout(120)  # !\n",
        "from google.auth.transport.requests import AuthorizedSession\ns = AuthorizedSession(c)\ns.get('u')  # !\n",
        "from google.auth.transport.requests import AuthorizedSession\nAuthorizedSession(c).request('GET', 'u')  # !\n",
        # milliseconds, and the other timeouts of a client
        "from pymongo import MongoClient\nc = MongoClient('mongodb://db/', socketTimeoutMS=120000)  # !\n",
        "from pymongo import MongoClient\nc = MongoClient('mongodb://db/', timeoutMS=5000, serverSelectionTimeoutMS=9e4)  # !\n",
        "import pymysql\n\ndef main():\n    pymysql.connect(host='db', read_timeout=5, write_timeout=120)  # !\n",
        "from cloudant.client import Cloudant\nc = Cloudant.iam('a', k, connect=True, timeout=(5, 300))  # !\n",
        "from google.cloud import bigquery\nclient = bigquery.Client()\n\ndef main():\n"
        "    return str(client.query('SELECT 1').result(timeout=600))  # !\n",
        # a loop in the entry function that sleeps with no way out
        "import time\n\ndef main():\n    while True:  # !\n        time.sleep(1)\n",
        "import time\n\ndef main():\n    while 1:  # !\n        for i in range(3):\n            break\n"
        "        time.sleep(5)\n",
        # the entry function bound by an alias; a break that ends only an inner loop
        "import time\n\ndef handler():\n    while True:  # !\n        while ready():\n            break\n"
        "        time.sleep(1)\n\nmain = handler\n",
        # names bound in the function: a local import, a local number
        "def main():\n    from time import sleep\n    sleep(120)  # !\n    return 'ok'\n",
        "import time\n\ndef main():\n    wait = 120\n    time.sleep(wait)  # !\n    return 'ok'\n",
        "def main():\n    from time import sleep\n    while True:  # !\n        sleep(1)\n",
        # the sleep inside an inner loop, or before a function defined in the loop
        "import time\n\ndef main():\n    while True:  # !\n        for i in range(3):\n            time.sleep(1)\n",
        "import time\n\ndef main():\n    while True:  # !\n        time.sleep(1)\n        def done():\n"
        "            return True\n",
        # a keyword that is not the timeout leaves the default
        "from google.auth.transport.requests import AuthorizedSession\n"
        "AuthorizedSession(c).request('GET', 'u', headers=h)  # !\n",
        "import requests\n\ndef main():\n    return requests.get('u', timeout=60).text  # !\n",
        # the second loop of a function, after one that can end
        "import time\n\ndef main():\n    while True:\n        time.sleep(1)\n        if done():\n            break\n"
        "    while True:  # !\n        time.sleep(1)\n",
    ],
)
def test_reported(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF404", source) == marked_lines(source)


@pytest.mark.parametrize(
    "source",
    [
        "import time\n\ndef main():\n    time.sleep(59.9)\n    return 'ok'\n",
        # computed from the run: its bounds are not shown
        "import time\n\ndef main(elapsed=0):\n    time.sleep(300 - elapsed)\n    return 'ok'\n",
        "import time, os\n\ndef main():\n    time.sleep(int(os.environ['WAIT']))\n    return 'ok'\n",
        "import time\nWAIT = 120\nWAIT = 1\n\ndef main():\n    time.sleep(WAIT)\n    return 'ok'\n",
        "import requests\n\ndef main():\n    return requests.get('u', timeout=(5, None)).text\n",
        "import requests\n\ndef main():\n    return requests.get('u', timeout=(5, 30)).text\n",
        "import requests\nopts = {'timeout': 120}\n\ndef main():\n    return requests.get('u', **opts).text\n",
        "from pymongo import MongoClient\nc = MongoClient('mongodb://db/', socketTimeoutMS=59999)\n",
        "from pymongo import MongoClient\nc = MongoClient('mongodb://db/', serverSelectionTimeoutMS=30000)\n",
        # a timeout= of a callee cflint does not know is not a network timeout (a cache's expiry)
        "def main():\n    cache.set('k', 'v', timeout=300)\n    return 'ok'\n",
        "from google.auth.transport.requests import AuthorizedSession\nAuthorizedSession(c).get('u', timeout=30)\n",
        "from google.auth.transport.requests import AuthorizedSession\nAuthorizedSession(c).get('u', **kw)\n",
        # loops that can end
        "import time\n\ndef main():\n    while True:\n        time.sleep(1)\n        if done():\n            break\n",
        "import time\n\ndef main():\n    while True:\n        time.sleep(1)\n        if done():\n            return 'ok'\n",
        "import time\n\ndef main():\n    while True:\n        time.sleep(1)\n        raise_if_late()\n"
        "        if late():\n            raise TimeoutError\n",
        "import sys, time\n\ndef main():\n    while True:\n        time.sleep(1)\n        sys.exit(0)\n",
        "import time\n\ndef main():\n    while True:\n        for x in y:\n            pass\n        else:\n"
        "            break\n        time.sleep(1)\n",
        "import time\n\ndef main():\n    while not done():\n        time.sleep(1)\n    return 'ok'\n",
        "import time\n\ndef main():\n    while True:\n        work()\n",
        # not the entry function
        "import time\n\ndef poll():\n    while True:\n        time.sleep(1)\n\ndef main():\n    return 'ok'\n",
        "import time\nwhile True:\n    time.sleep(1)\n",
        "import time\n\ndef main():\n    def poll():\n        while True:\n            time.sleep(1)\n    return 'ok'\n",
        # a loop that calls no sleep, in a module that sleeps elsewhere
        "import time\n\ndef main():\n    time.sleep(1)\n    while True:\n        print('working')\n",
        # calls whose wait is not shown
        "import time\n\ndef main():\n    time.sleep(120, 1)\n    return 'ok'\n",
        "import time\n\ndef main():\n    time.sleep(secs=120)\n    return 'ok'\n",
        "import time\n\ndef main(wait=90):\n    wait = 1\n    time.sleep(wait)\n    return 'ok'\n",
        "import time\n\ndef main():\n    pick()(120)\n    return 'ok'\n",
        "import requests\n\ndef main():\n    return requests.get('u').text\n",
        "import requests\n\ndef main():\n    return requests.get('u', timeout=(connect, read)).text\n",
        "from urllib.request import urlopen\n\ndef main():\n    return urlopen('u', None, 300, *more).read(10)\n",
        "from urllib.request import urlopen\n\ndef main():\n    return urlopen('u', *more, 300).read(10)\n",
        "import httpx\n\ndef main():\n    return httpx.get('u').text\n",
        "from urllib.request import urlopen\n\ndef main():\n    return urlopen('u', None, 300, 4, 5, 6, 7, 8).read(10)\n",
        # a timeout= of a module cflint does not know
        "import mylib\n\ndef main():\n    return mylib.get('u', timeout=120)\n",
    ],
)
def test_not_reported(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF404", source) == []


def test_messages(tmp_path: Path, cflint: Cflint) -> None:
    source = (
        "import time\nimport requests\n"
        "from google.auth.transport.requests import AuthorizedSession\n"
        "WAIT = 2 * 60\n\n"
        "def main():\n"
        "    time.sleep(WAIT)\n"
        "    requests.get('u', timeout=(5, 120))\n"
        "    AuthorizedSession(c).get('u')\n"
        "    while True:\n"
        "        time.sleep(1)\n"
    )
    limit = "the function's time limit of 60 s (time-limit)"
    assert messages(cflint, tmp_path, "CF404", source) == [
        f"time.sleep(WAIT) waits 120 s, at or past {limit}; wait less, or split the work across invocations",
        f"requests.get() with timeout=(5, 120) can wait 120 s, at or past {limit}; "
        "pass a timeout below it, or split the work across invocations",
        "google.auth.transport.requests.AuthorizedSession.get() without timeout= waits up to 120 s by default, "
        f"at or past {limit}; pass a timeout below it, or split the work across invocations",
        "`while True:` sleeps on every pass and has no break, return or raise, so it runs until stopped at "
        f"{limit}; bound it by a deadline (time.monotonic()) or a number of tries",
    ]


def test_messages_name_what_waits(tmp_path: Path, cflint: Cflint) -> None:
    source = (
        "import socket\nimport time\n\n"
        "def main():\n"
        "    wait = 120\n"
        "    time.sleep(wait)\n"
        "    socket.setdefaulttimeout(90)\n"
        "    return 'ok'\n"
    )
    limit = "the function's time limit of 60 s (time-limit)"
    assert messages(cflint, tmp_path, "CF404", source) == [
        f"time.sleep(wait) waits 120 s, at or past {limit}; wait less, or split the work across invocations",
        f"socket.setdefaulttimeout(90) lets every socket wait 90 s, at or past {limit}; set a default below it",
    ]


def test_a_default_timeout_at_the_limit_is_reported(tmp_path: Path, cflint: Cflint) -> None:
    source = "from google.auth.transport.requests import AuthorizedSession\nAuthorizedSession(c).get('u')\n"
    write_files(tmp_path, {"user.py": source, "requirements.txt": ""})
    assert cflint("--select", "CF404", "--time-limit", "120", ".", cwd=tmp_path).codes == ["CF404"]
    assert cflint("--select", "CF404", "--time-limit", "121", ".", cwd=tmp_path).code == 0


def test_time_limit_from_the_config_and_the_command_line(tmp_path: Path, cflint: Cflint) -> None:
    source = "import time\n\ndef main():\n    time.sleep(120)\n    return 'ok'\n"
    write_files(tmp_path, {"user.py": source, "requirements.txt": ""})
    assert cflint("--select", "CF404", ".", cwd=tmp_path).codes == ["CF404"]
    write_files(tmp_path, {"cflint.toml": "time-limit = 300\n"})
    assert cflint("--select", "CF404", ".", cwd=tmp_path).code == 0
    assert cflint("--select", "CF404", "--time-limit", "100", ".", cwd=tmp_path).codes == ["CF404"]
    assert "time-limit = 300" in cflint("--show-settings", "user.py", cwd=tmp_path).out


@pytest.mark.parametrize(
    ("config", "flags", "error"),
    [
        (
            "time-limit = 10\n",
            (),
            "cflint.toml: fix-timeout: 10 s is not below time-limit (10 s); "
            "a fix's timeout must let the call end before the function is stopped",
        ),
        (
            "fix-timeout = 30\n",
            ("--time-limit", "20"),
            "command line: fix-timeout: 30 s is not below time-limit (20 s); "
            "a fix's timeout must let the call end before the function is stopped",
        ),
        ('time-limit = "soon"\n', (), "time-limit: expected a number of seconds greater than 0, such as 10 or 2.5"),
        ("", ("--time-limit", "0"), "time-limit: expected a number of seconds greater than 0, such as 10 or 2.5"),
    ],
)
def test_a_fix_timeout_at_or_past_the_limit_is_a_config_error(
    config: str, flags: tuple[str, ...], error: str, tmp_path: Path, cflint: Cflint
) -> None:
    write_files(tmp_path, {"user.py": "def main():\n    return 'ok'\n", "cflint.toml": config})
    result = cflint(*flags, ".", cwd=tmp_path)
    assert result.code == 2
    assert result.out == ""
    assert len(result.err.splitlines()) == 1 and error in result.err, result.err


# Through calls: a sleeping loop in a function of the root that the entry function reaches.
HELPERS = "import time\n\ndef poll():\n    while True:\n        time.sleep(5)\n"


def test_a_sleeping_loop_in_a_helper_of_the_same_file(tmp_path: Path, cflint: Cflint) -> None:
    source = (
        "import time\n\ndef wait_forever():\n    while True:\n        time.sleep(5)\n\n"
        "def unused():\n    while True:\n        time.sleep(5)\n\n"
        "def main():\n    wait_forever()\n    return 'ok'\n"
    )
    limit = "the function's time limit of 60 s (time-limit)"
    assert messages(cflint, tmp_path, "CF404", source) == [
        "`while True:` in wait_forever(), which the entry function calls, sleeps on every pass and has no "
        f"break, return or raise, so it runs until stopped at {limit}; bound it by a deadline "
        "(time.monotonic()) or a number of tries"
    ]


def test_a_sleeping_loop_in_another_module_is_reported_at_the_entry_call(tmp_path: Path, cflint: Cflint) -> None:
    user = "import helpers\n\ndef main():\n    helpers.poll()\n    return 'ok'\n"
    write_files(tmp_path, {"user.py": user, "helpers.py": HELPERS, "requirements.txt": ""})
    result = cflint("--select", "CF404", ".", cwd=tmp_path)
    assert result.lines == [
        "user.py:4:5: CF404 poll() reaches `while True:` at helpers.py:4, which sleeps on every pass and has no "
        "break, return or raise, so it runs until stopped at the function's time limit of 60 s (time-limit); "
        "bound it by a deadline (time.monotonic()) or a number of tries"
    ]


@pytest.mark.parametrize(
    "user",
    [
        # not called by the entry function
        "import helpers\n\ndef main():\n    return 'ok'\n",
        # called through something cflint cannot follow
        "import helpers\n\ndef main():\n    f = getattr(helpers, 'poll')\n    f()\n    return 'ok'\n",
    ],
)
def test_a_sleeping_loop_the_entry_does_not_reach_is_not_reported(user: str, tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": user, "helpers.py": HELPERS, "requirements.txt": ""})
    assert cflint("--select", "CF404", ".", cwd=tmp_path) == CliResult(0, "", "")


def test_recursion_ends_the_chain(tmp_path: Path, cflint: Cflint) -> None:
    source = (
        "import time\n\ndef a():\n    b()\n\ndef b():\n    a()\n    while True:  # !\n        time.sleep(1)\n\n"
        "def main():\n    a()\n    return 'ok'\n"
    )
    assert reported_lines(cflint, tmp_path, "CF404", source) == marked_lines(source)


def test_a_sleep_through_a_parameter_takes_the_longest_value_the_calls_show(tmp_path: Path, cflint: Cflint) -> None:
    user = (
        "import time\nimport helpers\n\n"
        "def backoff(delay=1):\n    time.sleep(delay)\n\n"
        "def unknown(delay):\n    time.sleep(delay)\n\n"
        "def small(delay=1):\n    time.sleep(delay)\n\n"
        "def rebound(delay=1):\n    delay = delay * 2\n    time.sleep(delay)\n\n"
        "def main(n=0):\n    backoff(120)\n    backoff()\n    unknown(n)\n    small(2)\n    rebound(30)\n"
        "    helpers.pause(90)\n    return 'ok'\n"
    )
    helpers = "import time\n\n\ndef pause(seconds):\n    time.sleep(seconds)\n"
    write_files(tmp_path, {"user.py": user, "helpers.py": helpers, "requirements.txt": ""})
    limit = "the function's time limit of 60 s (time-limit); wait less, or split the work across invocations"
    assert cflint("--select", "CF404", ".", cwd=tmp_path).lines == [
        f"helpers.py:5:5: CF404 time.sleep(seconds) with seconds = 90 waits 90 s, at or past {limit}",
        f"user.py:5:5: CF404 time.sleep(delay) with delay = 120 waits 120 s, at or past {limit}",
    ]


def test_a_parameter_takes_the_values_of_names_at_the_calls(tmp_path: Path, cflint: Cflint) -> None:
    user = (
        "import time\nimport helpers\nLONG = 90\n\n"
        "def rebound(delay=1):\n    delay = 1\n    time.sleep(delay)\n\n"
        "def main():\n    wait = 120\n    rebound(wait)\n    helpers.pause(LONG)\n    helpers.nap(wait)\n    return 'ok'\n"
    )
    helpers = "import time\n\n\ndef pause(seconds):\n    time.sleep(seconds)\n\n\ndef nap(seconds):\n    time.sleep(seconds)\n"
    write_files(tmp_path, {"user.py": user, "helpers.py": helpers, "requirements.txt": ""})
    limit = "the function's time limit of 60 s (time-limit); wait less, or split the work across invocations"
    assert cflint("--select", "CF404", ".", cwd=tmp_path).lines == [
        f"helpers.py:5:5: CF404 time.sleep(seconds) with seconds = 90 waits 90 s, at or past {limit}",
        f"helpers.py:9:5: CF404 time.sleep(seconds) with seconds = 120 waits 120 s, at or past {limit}",
    ]


def test_a_loop_two_entry_functions_reach_is_reported_once(tmp_path: Path, cflint: Cflint) -> None:
    source = (
        "import time\n\ndef poll():\n    while True:\n        time.sleep(5)\n\n"
        "def main():\n    poll()\n\ndef other():\n    poll()\n"
    )
    write_files(tmp_path, {"user.py": source, "requirements.txt": ""})
    result = cflint("--select", "CF404", "--entry-points", "user.main,user.other", ".", cwd=tmp_path)
    assert [line.split(" CF404 ")[0] for line in result.lines] == ["user.py:4:5:"]
