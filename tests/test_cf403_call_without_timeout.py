from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import libcst as cst
import pytest

from cflint.knowledge.timeouts import SIGNATURES, TimeoutSpec
from cflint.rules.resources.cf403_call_without_timeout import _verdict
from tests.helpers import CliResult, write_files
from tests.source_lint import marked_lines, messages, reported_lines

# Module-level calls run when the runtime imports the module.
AT_IMPORT = ", and runs when the module is imported, so the function cannot load while it waits"

Cflint = Callable[..., CliResult]


@pytest.mark.parametrize(
    "source",
    [
        "import requests\nrequests.get('u')  # !\n",
        "import requests\nrequests.request('GET', 'u', timeout=None)  # !\n",
        "import requests as rq\nrq.post('u', json={})  # !\n",
        "from requests import put\nput('u', data=b'')  # !\n",
        "import requests\ns = requests.Session()\ns.get('u')  # !\n",
        "import requests\nwith requests.Session() as s:\n    s.delete('u')  # !\n",
        "from requests import session\nsession().head('u')  # !\n",
        "import urllib.request as ur\nur.urlopen('u')  # !\n",
        "from urllib.request import urlopen\nurlopen('u', None, None)  # !\n",
        "import urllib.request\nopener = urllib.request.build_opener()\nopener.open('u')  # !\n",
        "import http.client\nhttp.client.HTTPConnection('h')  # !\n",
        "from http.client import HTTPSConnection as C\nC('h', 443)  # !\n",
        "import subprocess\nsubprocess.run(['ls'])  # !\n",
        "import subprocess as sp\nsp.check_output(['ls'], timeout=None)  # !\n",
        "from subprocess import Popen\nwith Popen(['ls']) as p:\n    p.communicate()  # !\n",
        "import httpx\nhttpx.get('u', timeout=None)  # !\n",
        "import requests\ncalls = [lambda: requests.get(u) for u in range(3)]  # !\n",
        "import httpx\nwith httpx.Client(timeout=None) as c:  # !\n    pass\n",
    ],
)
def test_call_that_can_hang_is_reported(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF403", source) == marked_lines(source)


@pytest.mark.parametrize(
    "source",
    [
        "import requests\nrequests.get('u', timeout=5)\n",
        "import requests\nrequests.get('u', timeout=(3, 10))\n",
        "import requests\nopts = {'timeout': 5}\nrequests.get('u', **opts)\n",
        "import requests\ns = requests.Session()\ns.request('GET', 'u', None, None, None, None, None, None, 5)\n",
        "from urllib.request import urlopen\nurlopen('u', None, 10)\n",
        "import subprocess\np = subprocess.Popen(['ls'])\np.communicate(None, 5)\n",
        "import httpx\nhttpx.get('u')\n",
        "import httpx\nhttpx.Client().get('u')\n",
        # a local variable named like the module is not the module
        "def main():\n    requests = []\n    requests.append(1)\n    requests.get(0)\n",
        "import requests\ndef main(requests):\n    requests.get('u')\n",
        # a receiver is never guessed from its name
        "def main(session):\n    session.get('u')\n",
        "import requests\nclass Session:\n    def get(self, url): ...\ns = Session()\ns.get('u')\n",
        # rebound, so what it holds cannot be known
        "import requests\ns = requests.Session()\ns = object()\ns.get('u')\n",
        "import subprocess\nsubprocess.getoutput('ls')\n",
        "import requests\ncalls = [lambda: requests.get(u) for requests in sessions]\n",
    ],
)
def test_call_with_timeout_or_unknown_receiver_is_not_reported(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF403", source) == []


def test_session_from_module_level_is_followed_into_the_function(tmp_path: Path, cflint: Cflint) -> None:
    source = """\
        import requests

        SESSION = requests.Session()

        def main():
            return SESSION.get("https://example.com").text
        """
    assert messages(cflint, tmp_path, "CF403", source) == [
        "requests.Session.get() without a timeout can wait past the function's execution time limit;"
        " pass timeout= in seconds [unsafe fix: --unsafe-fixes]"
    ]


def test_module_imported_inside_function_and_shadowed_elsewhere(tmp_path: Path, cflint: Cflint) -> None:
    source = """\
        def fetch():
            import requests
            return requests.get("u")

        def count():
            requests = [1]
            return requests.count(1)
        """
    assert reported_lines(cflint, tmp_path, "CF403", source) == [3]


def test_timeout_none_is_named_in_the_message(tmp_path: Path, cflint: Cflint) -> None:
    source = "import subprocess\nsubprocess.run(['ls'], timeout=None)\n"
    assert messages(cflint, tmp_path, "CF403", source) == [
        "subprocess.run() with timeout=None can wait past the function's execution time limit"
        + AT_IMPORT
        + "; pass timeout= in seconds"
        " [unsafe fix: --unsafe-fixes]"
    ]


@pytest.mark.parametrize(
    "source",
    [
        "import urllib.request\nurllib.request.urlretrieve('u', 'f')  # !\n",
        "import subprocess\np = subprocess.Popen(['ls'])\np.wait()  # !\n",
        "import os\nos.system('ls')  # !\n",
        "import socket\nsocket.create_connection(('h', 80))  # !\n",
        "import smtplib\nsmtplib.SMTP('h', 25)  # !\n",
        "import smtplib\nsmtplib.SMTP_SSL('h')  # !\n",
        "import ftplib\nftplib.FTP('h')  # !\n",
        "import redis\nredis.Redis(host='h')  # !\n",
        "import redis\nredis.from_url('redis://h')  # !\n",
        "import redis\nredis.Redis(socket_timeout=None)  # !\n",
        "from google.auth.transport.requests import AuthorizedSession\ns = AuthorizedSession(creds)\ns.get('u', timeout=None)  # !\n",
        # set after the call, at module level: the call ran first
        "import socket, urllib.request\nurllib.request.urlopen('u')  # !\nsocket.setdefaulttimeout(5)\n",
        "import socket, subprocess\nsocket.setdefaulttimeout(5)\nsubprocess.run(['ls'])  # !\n",
        "import socket, redis\nsocket.setdefaulttimeout(5)\nredis.Redis()  # !\n",
        "import socket, urllib.request\nsocket.setdefaulttimeout(None)\nurllib.request.urlopen('u')  # !\n",
    ],
)
def test_more_calls_that_can_hang(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF403", source) == marked_lines(source)


@pytest.mark.parametrize(
    "source",
    [
        "import subprocess\np = subprocess.Popen(['ls'])\np.wait(5)\n",
        "import subprocess\np = subprocess.Popen(['ls'])\np.wait(timeout=5)\n",
        "import socket\nsocket.create_connection(('h', 80), 5)\n",
        "import smtplib\nsmtplib.SMTP('h', 25, None, 10)\n",
        "import ftplib\nftplib.FTP('h', timeout=10)\n",
        "import redis\nredis.Redis(host='h', socket_timeout=5)\n",
        "import socket, urllib.request\nsocket.setdefaulttimeout(5)\nurllib.request.urlopen('u')\n",
        "import socket, urllib.request\nsocket.setdefaulttimeout(5)\nurllib.request.urlretrieve('u', 'f')\n",
        "import socket, requests\ndef main():\n    return requests.get('u').text\nsocket.setdefaulttimeout(5)\n",
        "import socket as s, smtplib\ns.setdefaulttimeout(10)\nsmtplib.SMTP('h')\n",
        "import threading\nthreading.Event().wait()\n",
        "def system(x):\n    return x\nsystem('ls')\n",
        # google-auth's AuthorizedSession waits 120 s by default: CF404 judges that against time-limit
        "from google.auth.transport.requests import AuthorizedSession\nAuthorizedSession(c).get('u')\n",
    ],
)
def test_more_calls_with_a_timeout(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF403", source) == []


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "import os\nos.system('ls')\n",
            "os.system() has no timeout and can wait past the function's execution time limit" + AT_IMPORT + "; "
            "run the command with subprocess.run(..., timeout=...)",
        ),
        (
            "import redis\nr = redis.Redis()\n",
            "redis.Redis() without a timeout can wait past the function's execution time limit; "
            "pass socket_timeout= in seconds [unsafe fix: --unsafe-fixes]",
        ),
        (
            "import subprocess\nsubprocess.Popen(['ls']).wait()\n",
            "subprocess.Popen.wait() without a timeout can wait past the function's execution time limit"
            + AT_IMPORT
            + "; "
            "pass timeout= in seconds [unsafe fix: --unsafe-fixes]",
        ),
        (
            "from google.auth.transport.requests import AuthorizedSession\nAuthorizedSession(c).post('u', timeout=None)\n",
            "google.auth.transport.requests.AuthorizedSession.post() with timeout=None can wait past the "
            "function's execution time limit" + AT_IMPORT + "; pass timeout= in seconds [unsafe fix: --unsafe-fixes]",
        ),
    ],
)
def test_messages_of_the_new_calls(source: str, message: str, tmp_path: Path, cflint: Cflint) -> None:
    assert messages(cflint, tmp_path, "CF403", source) == [message]


# Each binds a local `requests` that is not the module, so its calls are not reported: a match mapping rest,
# a match star, `del` (which makes the name local), and a `nonlocal` rebinding.
LOCAL_REQUESTS = [
    """\
    import requests

    def main(payload):
        match payload:
            case {"type": "ping", **requests}:
                return requests.get("id")
        return "ok"
    """,
    """\
    import requests

    def main(payload):
        match payload:
            case ["ping", *requests]:
                return requests.get("id")
        return "ok"
    """,
    """\
    import requests

    def main():
        response = requests.get("id")
        del requests
        return response
    """,
    """\
    import requests

    def main():
        def connect():
            nonlocal requests
            requests = make_client()
        connect()
        response = requests.get("id")
        del requests
        return response
    """,
]


@pytest.mark.parametrize("source", LOCAL_REQUESTS)
def test_local_requests_bound_by_match_del_or_nonlocal_is_not_the_module(
    source: str, tmp_path: Path, cflint: Cflint
) -> None:
    compile(textwrap.dedent(source), "user.py", "exec")  # the binding is valid Python
    assert reported_lines(cflint, tmp_path, "CF403", source) == []


@pytest.mark.parametrize("source", LOCAL_REQUESTS)
def test_the_module_itself_is_still_reported_there(source: str, tmp_path: Path, cflint: Cflint) -> None:
    module_call = textwrap.dedent(source).replace("import requests\n", "import requests\nrequests.get('u')\n", 1)
    assert reported_lines(cflint, tmp_path, "CF403", module_call) == [2]


# Edge cases of cf403_call_without_timeout.py, each one a comparison or branch that no case
# above tells apart (a mutation of it would pass them all).


def test_urlopen_with_data_but_no_timeout_position_does_not_crash(tmp_path: Path, cflint: Cflint) -> None:
    """Two positional arguments, the timeout's position is 2: reading index 2 would raise
    IndexError (CF003); the call has no timeout and is reported."""
    source = "from urllib.request import urlopen\nurlopen('u', None)  # !\n"
    assert reported_lines(cflint, tmp_path, "CF403", source) == marked_lines(source)


def test_timeout_given_as_a_variable_is_a_timeout(tmp_path: Path, cflint: Cflint) -> None:
    """`timeout=T` is not None: nothing reported, by keyword or by position."""
    source = """\
        import requests, subprocess
        from urllib.request import urlopen
        T = 5
        requests.get('u', timeout=T)
        subprocess.run(['ls'], timeout=T)
        urlopen('u', None, T)
        """
    assert reported_lines(cflint, tmp_path, "CF403", source) == []


def test_timeout_none_by_position_is_named_in_the_message(tmp_path: Path, cflint: Cflint) -> None:
    source = "from urllib.request import urlopen\nurlopen('u', None, None)\n"
    assert messages(cflint, tmp_path, "CF403", source) == [
        "urllib.request.urlopen() with timeout=None can wait past the function's execution time limit"
        + AT_IMPORT
        + "; "
        "pass timeout= in seconds [unsafe fix: --unsafe-fixes]"
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "import subprocess\nsubprocess.Popen(['ls']).communicate()\n",
            "subprocess.Popen.communicate() without a timeout can wait past the function's execution time "
            "limit" + AT_IMPORT + "; pass timeout= in seconds [unsafe fix: --unsafe-fixes]",
        ),
        (
            "import urllib.request\nurllib.request.build_opener().open('u')\n",
            "urllib.request.OpenerDirector.open() without a timeout can wait past the function's execution time "
            "limit" + AT_IMPORT + "; pass timeout= in seconds [unsafe fix: --unsafe-fixes]",
        ),
        (
            "import urllib.request\nurllib.request.urlretrieve('u', 'f')\n",
            "urllib.request.urlretrieve() has no timeout and can wait past the function's execution time "
            "limit"
            + AT_IMPORT
            + "; download with urlopen(url, timeout=...) instead, or call socket.setdefaulttimeout() first",
        ),
    ],
)
def test_messages_of_method_calls(source: str, message: str, tmp_path: Path, cflint: Cflint) -> None:
    assert messages(cflint, tmp_path, "CF403", source) == [message]


# The fix, checked by what the fixed file holds: where `timeout=` goes, which None it replaces,
# the layout it keeps, and the number it writes.


def fixed_file(cflint: Cflint, folder: Path, source: str, config: str = "") -> str:
    """user.py after `cflint --fix --unsafe-fixes` with CF403 alone (and `config` as cflint.toml)."""
    files = {"user.py": textwrap.dedent(source), "cflint.toml": config}
    write_files(folder, files)
    result = cflint(
        "--select", "CF403,CF001,CF002,CF003", "--fix", "--unsafe-fixes", "--color", "never", ".", cwd=folder
    )
    assert result.code in (0, 1), result.out + result.err
    assert all(f": {guard} " not in result.out for guard in ("CF001", "CF002", "CF003")), result.out
    return (folder / "user.py").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("call", "after"),
    [
        # added after the last argument, or as the only one
        ("requests.get('u')", "requests.get('u', timeout=10)"),
        ("requests.get('u', headers={})", "requests.get('u', headers={}, timeout=10)"),
        ("requests.Session().get()", "requests.Session().get(timeout=10)"),
        ("subprocess.Popen(['ls']).wait()", "subprocess.Popen(['ls']).wait(timeout=10)"),
        # another keyword's None is left alone
        ("requests.get('u', stream=None)", "requests.get('u', stream=None, timeout=10)"),
        # the call's own keyword
        ("redis.Redis(host='h')", "redis.Redis(host='h', socket_timeout=10)"),
        ("redis.Redis(socket_timeout=None)", "redis.Redis(socket_timeout=10)"),
        # a None at the timeout's position is replaced; fewer arguments: added by keyword
        ("smtplib.SMTP('h', 25, None, None)", "smtplib.SMTP('h', 25, None, 10)"),
        ("smtplib.SMTP('h', 25, None)", "smtplib.SMTP('h', 25, None, timeout=10)"),
        ("smtplib.SMTP(None, None, None)", "smtplib.SMTP(None, None, None, timeout=10)"),
        ("socket.create_connection(('h', 80), None)", "socket.create_connection(('h', 80), 10)"),
        ("subprocess.Popen(['ls']).communicate(None, None)", "subprocess.Popen(['ls']).communicate(None, 10)"),
        ("subprocess.Popen(['ls']).wait(None)", "subprocess.Popen(['ls']).wait(10)"),
        ("smtplib.SMTP('h', port=25, timeout=None)", "smtplib.SMTP('h', port=25, timeout=10)"),
        # spacing and a trailing comma on one line are kept
        ("requests.get( 'u' )", "requests.get( 'u', timeout=10 )"),
        ("requests.get('u',)", "requests.get('u', timeout=10,)"),
        ("requests.get('u' ,  headers={} , )", "requests.get('u' ,  headers={}, timeout=10 , )"),
    ],
)
def test_fix_adds_or_replaces_the_timeout(call: str, after: str, tmp_path: Path, cflint: Cflint) -> None:
    source = f"import requests, redis, smtplib, socket, subprocess\n\n\ndef main():\n    return {call}\n"
    assert fixed_file(cflint, tmp_path, source) == source.replace(call, after)


@pytest.mark.parametrize(
    ("call", "after"),
    [
        # one argument a line, with the trailing comma: the new one gets a line of its own
        (
            "requests.get(\n        'u',\n    )",
            "requests.get(\n        'u',\n        timeout=10,\n    )",
        ),
        (
            "requests.get(\n        'u',\n        headers={},  # why\n    )",
            "requests.get(\n        'u',\n        headers={},  # why\n        timeout=10,\n    )",
        ),
        (
            "requests.get(\n            'u',\n            data=b'',\n      )",
            "requests.get(\n            'u',\n            data=b'',\n            timeout=10,\n      )",
        ),
        # the closing parenthesis left of the function body's indentation
        (
            "requests.get(\n        'u',\n)",
            "requests.get(\n        'u',\n        timeout=10,\n)",
        ),
        # not one a line: added on the last argument's line
        ("requests.get('u',\n    )", "requests.get('u', timeout=10,\n    )"),
        (
            "requests.get(\n        'u', headers={},\n    )",
            "requests.get(\n        'u', headers={}, timeout=10,\n    )",
        ),
        ("requests.get(\n        'u',)", "requests.get(\n        'u', timeout=10,)"),
        (
            "requests.get(\n        'u'\n    )",
            "requests.get(\n        'u', timeout=10\n    )",
        ),
        # a blank line before the last argument: not a plain one-a-line layout
        (
            "requests.get(\n        'u',\n\n        headers={},\n    )",
            "requests.get(\n        'u',\n\n        headers={}, timeout=10,\n    )",
        ),
    ],
)
def test_fix_keeps_the_layout_of_a_call_over_several_lines(
    call: str, after: str, tmp_path: Path, cflint: Cflint
) -> None:
    source = f"import requests\n\n\ndef main():\n    return {call}\n"
    assert fixed_file(cflint, tmp_path, source) == source.replace(call, after)


@pytest.mark.parametrize(
    ("config", "literal"),
    [
        ("fix-timeout = 3\n", "3"),
        ("fix-timeout = 2.5\n", "2.5"),
        ("fix-timeout = 30.0\n", "30.0"),
        ("fix-timeout = 0.001\n", "0.001"),
    ],
)
def test_fix_writes_the_configured_seconds(config: str, literal: str, tmp_path: Path, cflint: Cflint) -> None:
    source = "import subprocess\n\n\ndef main():\n    return subprocess.run(['ls'], timeout=None)\n"
    assert fixed_file(cflint, tmp_path, source, config) == source.replace("None", literal)


@pytest.mark.parametrize(
    "call",
    [
        "os.system('ls')",  # no timeout to pass: reported without a fix
        "urllib.request.urlretrieve('u', 'f')",
    ],
)
def test_no_fix_for_a_call_without_a_timeout_parameter(call: str, tmp_path: Path, cflint: Cflint) -> None:
    source = f"import os, urllib.request\n\n\ndef main():\n    return {call}\n"
    assert fixed_file(cflint, tmp_path, source) == source
    assert reported_lines(cflint, tmp_path, "CF403", source) == [5]


@pytest.mark.parametrize(
    ("call", "callee"),
    [
        ("requests.get('u', timeout=5)", "requests.get"),
        ("requests.get('u', timeout=t)", "requests.get"),
        ("urlopen('u', None, 5)", "urllib.request.urlopen"),
        ("p.wait(t)", "subprocess.Popen().wait"),
    ],
)
def test_timeout_fix_never_replaces_a_timeout_that_is_given(call: str, callee: str) -> None:
    """A given timeout, by keyword or by position: nothing to report, nothing to fix."""
    expression = cst.parse_expression(call)
    assert isinstance(expression, cst.Call)
    signatures = [SIGNATURES[callee].on(version) for version in ((3, 11), (3, 12), (3, 13))]
    assert _verdict(expression, TimeoutSpec("timeout"), signatures, 10) is None


# The call is bound to the callee's signature on every target version before the timeout is
# placed (cflint/knowledge/data/timeouts.toml, [[signature]]).


@pytest.mark.parametrize(
    ("call", "after", "config"),
    [
        # LMTP's fourth parameter is source_address, its fifth the timeout
        ("smtplib.LMTP(h, p, None, None)", "smtplib.LMTP(h, p, None, None, timeout=10)", ""),
        ("smtplib.LMTP(h, p, None, None, None)", "smtplib.LMTP(h, p, None, None, 10)", ""),
        # redis' fifth parameter is socket_timeout: replaced where it stands
        ('redis.Redis("localhost", 6379, 0, None, None)', 'redis.Redis("localhost", 6379, 0, None, 10)', ""),
        ('redis.Redis("localhost", 6379, 0, None)', 'redis.Redis("localhost", 6379, 0, None, socket_timeout=10)', ""),
        # on 3.11 alone, SMTP_SSL's sixth and FTP_TLS's eighth positional are the timeout
        (
            "smtplib.SMTP_SSL(h, p, None, None, None, None)",
            "smtplib.SMTP_SSL(h, p, None, None, None, 10)",
            'target-versions = ["3.11"]\n',
        ),
        (
            "ftplib.FTP_TLS(h, u, w, a, None, None, None, None)",
            "ftplib.FTP_TLS(h, u, w, a, None, None, None, 10)",
            'target-versions = ["3.11"]\n',
        ),
        (
            "http.client.HTTPSConnection(h, p, None, None, None)",
            "http.client.HTTPSConnection(h, p, None, None, 10)",
            'target-versions = ["3.11"]\n',
        ),
        # google-auth's request takes the timeout sixth, after max_allowed_time
        (
            "AuthorizedSession(c).request('GET', u, None, None, None, None)",
            "AuthorizedSession(c).request('GET', u, None, None, None, 10)",
            "",
        ),
        (
            "requests.Session().request('GET', u, None, None)",
            "requests.Session().request('GET', u, None, None, timeout=10)",
            "",
        ),
    ],
)
def test_fix_places_the_timeout_by_the_callee_signature(
    call: str, after: str, config: str, tmp_path: Path, cflint: Cflint
) -> None:
    source = (
        "import ftplib, http.client, redis, requests, smtplib\n"
        "from google.auth.transport.requests import AuthorizedSession\n\n\n"
        f"def main():\n    return {call}\n"
    )
    assert fixed_file(cflint, tmp_path, source, config) == source.replace(call, after)


@pytest.mark.parametrize(
    "call",
    [
        # 3.12 and 3.13 take no sixth (eighth, fifth) positional: the call binds on 3.11 only
        "smtplib.SMTP_SSL(h, p, None, None, None, None)",
        "ftplib.FTP_TLS(h, u, w, a, None, None, None, None)",
        "http.client.HTTPSConnection(h, p, None, None, None)",
    ],
)
def test_no_fix_when_the_call_binds_on_some_target_versions_only(call: str, tmp_path: Path, cflint: Cflint) -> None:
    source = f"import ftplib, http.client, smtplib\n\n\ndef main():\n    return {call}\n"
    assert fixed_file(cflint, tmp_path, source) == source
    assert messages(cflint, tmp_path, "CF403", source) == [
        f"{call.split('(')[0]}() with timeout=None can wait past the function's execution time limit; "
        "pass timeout= in seconds"
    ]


@pytest.mark.parametrize(
    "call",
    [
        "smtplib.LMTP(h, p, None, None, None, None)",  # too many positional arguments
        "smtplib.SMTP(h, p, None, None, timeout=None)",  # timeout given twice
        "redis.Redis(timeout=None, port=1)",  # redis takes no timeout=
        "requests.get(u, None, None)",
        "subprocess.run(['ls'], *extra)",  # *args or **kwargs may carry the timeout
        "subprocess.run(['ls'], **options)",
    ],
)
def test_a_call_that_cannot_bind_is_neither_reported_nor_fixed(call: str, tmp_path: Path, cflint: Cflint) -> None:
    source = f"import redis, requests, smtplib, subprocess\n\n\ndef main():\n    return {call}\n"
    assert fixed_file(cflint, tmp_path, source) == source
    assert reported_lines(cflint, tmp_path, "CF403", source) == []


@pytest.mark.parametrize(
    ("call", "config", "message"),
    [
        ("subprocess.run(['ls'])", "", "pass timeout=10 (the call can now time out)"),
        ("subprocess.run(['ls'], timeout=None)", "fix-timeout = 2.5\n", "pass timeout=2.5 (the call can now time out)"),
        ("redis.Redis(host='h')", "", "pass socket_timeout=10 (the call can now time out)"),
    ],
)
def test_fix_message_names_the_real_value(call: str, config: str, message: str, tmp_path: Path, cflint: Cflint) -> None:
    """The fix's message (JSON `fix.message`, the editor's code-action title) shows the value
    written, not the config key."""
    import json

    write_files(
        tmp_path, {"user.py": f"import redis, subprocess\n\n\ndef main():\n    return {call}\n", "cflint.toml": config}
    )
    result = cflint("--select", "CF403", "--output-format", "json", ".", cwd=tmp_path)
    [finding] = json.loads(result.out)
    assert finding["fix"]["message"] == message


# Database drivers and SDK clients that wait without limit unless given a timeout; each
# default was read in the release the data file names.
@pytest.mark.parametrize(
    "source",
    [
        "import psycopg2\n\ndef main():\n    psycopg2.connect(host='db', dbname='app')  # !\n    return 'ok'\n",
        "import psycopg2\n\ndef main():\n    psycopg2.connect('host=db dbname=app')  # !\n    return 'ok'\n",
        "import pymysql\n\ndef main():\n    pymysql.connect(host='db', user='u')  # !\n    return 'ok'\n",
        "import pymysql\n\ndef main():\n    pymysql.connect(host='db', write_timeout=5)  # !\n    return 'ok'\n",
        "from pymongo import MongoClient\nclient = MongoClient('mongodb://db:27017/')  # !\n",
        "from pymongo import MongoClient\nclient = MongoClient()  # !\n",
        "from cloudant.client import Cloudant\n\ndef main():\n"
        "    Cloudant.iam('acct', key, connect=True)  # !\n    return 'ok'\n",
        "from google.cloud import pubsub_v1\npublisher = pubsub_v1.PublisherClient()\n\ndef main():\n"
        "    future = publisher.publish('topic', b'x')\n    return future.result()  # !\n",
        "from google.cloud import bigquery\nclient = bigquery.Client()\n\ndef main():\n"
        "    rows = client.query('SELECT 1').result()  # !\n    return str(list(rows))\n",
    ],
)
def test_clients_that_can_hang(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF403", source) == marked_lines(source)


@pytest.mark.parametrize(
    "source",
    [
        "import psycopg2\n\ndef main():\n    psycopg2.connect(host='db', connect_timeout=5)\n    return 'ok'\n",
        # a connection string from the environment may set the timeout; a literal one that does
        "import os, psycopg2\n\ndef main():\n    psycopg2.connect(os.environ['DATABASE_URL'])\n    return 'ok'\n",
        "import psycopg2\n\ndef main():\n    psycopg2.connect('postgresql://db/app?connect_timeout=5')\n    return 'ok'\n",
        "import pymysql\n\ndef main():\n    pymysql.connect(host='db', read_timeout=5)\n    return 'ok'\n",
        "from pymongo import MongoClient\nclient = MongoClient('mongodb://db/?socketTimeoutMS=5000')\n",
        "import os\nfrom pymongo import MongoClient\nclient = MongoClient(os.environ['MONGO_URL'])\n",
        "from pymongo import MongoClient\nclient = MongoClient('mongodb://db/', sockettimeoutms=5000)\n",
        "from pymongo import MongoClient\nclient = MongoClient('mongodb://db/', timeoutMS=5000)\n",
        "from cloudant.client import Cloudant\nclient = Cloudant.iam('acct', key, connect=True, timeout=10)\n",
        "from google.cloud import pubsub_v1\npublisher = pubsub_v1.PublisherClient()\n\ndef main():\n"
        "    return publisher.publish('topic', b'x').result(timeout=30)\n",
        # a future of unknown origin is not guessed from its method's name
        "def main(job):\n    return job.result()\n",
    ],
)
def test_clients_with_a_timeout(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF403", source) == []


@pytest.mark.parametrize(
    ("call", "after"),
    [
        ("MongoClient('mongodb://db/')", "MongoClient('mongodb://db/', socketTimeoutMS=10000)"),
        ("pymysql.connect(host='db')", "pymysql.connect(host='db', read_timeout=10)"),
        ("psycopg2.connect(host='db')", "psycopg2.connect(host='db', connect_timeout=10)"),
    ],
)
def test_client_fix_passes_the_timeout_in_the_callee_unit(
    call: str, after: str, tmp_path: Path, cflint: Cflint
) -> None:
    source = f"import psycopg2, pymysql\nfrom pymongo import MongoClient\n\n\ndef main():\n    return {call}\n"
    assert fixed_file(cflint, tmp_path, source, "") == source.replace(call, after)


@pytest.mark.parametrize(
    ("source", "when"),
    [
        # A function the module's own top-level code calls, directly or through another.
        (
            "import requests\n\ndef token():\n    return requests.post('u').text\n\ndef setup():\n    return token()\n\nTOKEN = setup()\n",
            ", and runs when the module is imported (setup() at line 9 reaches it), so the function cannot load while it waits",
        ),
        ("import requests\n\nclass Config:\n    DATA = requests.get('u').json()\n", AT_IMPORT),
        # An instance made at import runs its class's __init__.
        (
            "import requests\n\nclass Client:\n    def __init__(self):\n        self.token = requests.post('u').text\n\n"
            "CLIENT = Client()\n",
            ", and runs when the module is imported (Client() at line 7 reaches it), so the function cannot load while "
            "it waits",
        ),
        # A client made at import connects when it is first used, inside a request.
        ("import redis\n\nclient = redis.Redis(host='cache')\n", ""),
        ("import http.client\n\nconnection = http.client.HTTPSConnection('api.example.com')\n", ""),
        # Code that runs later, or never on the runtime.
        ("import requests\n\ndef main():\n    return requests.get('u').text\n", ""),
        ("import requests\n\nif __name__ == '__main__':\n    print(requests.get('u').text)\n", ""),
        (
            "import requests\n\ndef main():\n    return requests.get('u').text\n\nif __name__ == '__main__':\n    main()\n",
            "",
        ),
        ("import requests\n\nfetch = lambda: requests.get('u')\n", ""),
    ],
)
def test_the_message_says_when_the_call_runs_at_import(source: str, when: str, tmp_path: Path, cflint: Cflint) -> None:
    [message] = messages(cflint, tmp_path, "CF403", source)
    assert message.split("execution time limit")[1].split(";")[0] == when, message


def test_a_helper_module_called_at_import_by_another_module(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "requirements.txt": "requests\n",
            "auth.py": "import requests\n\n\ndef token():\n    return requests.post('u').text\n",
            "user.py": "from auth import token\n\nTOKEN = token()\n\n\ndef main():\n    return TOKEN\n",
        },
    )
    result = cflint("--select", "CF403", "--color", "never", ".")
    assert result.lines == [
        "auth.py:5:12: CF403 requests.post() without a timeout can wait past the function's execution time limit, "
        "and runs when the module is imported (token() at user.py:3 reaches it), so the function cannot load while "
        "it waits; pass timeout= in seconds [unsafe fix: --unsafe-fixes]"
    ], result.out
