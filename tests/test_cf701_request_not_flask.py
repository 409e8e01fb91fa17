from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import flask
import pytest

from cflint.rules.flask.cf701_request_not_flask import FLASK_REQUEST_ATTRIBUTES
from tests.helpers import CliResult, write_files
from tests.source_lint import marked_lines, messages, reported_lines

Cflint = Callable[..., CliResult]


@pytest.mark.parametrize(
    "source",
    [
        "from requests import request\ndef main():\n    return request.args.get('x')  # !\n",
        "from urllib import request\ndef main():\n    return request.method  # !\n",
        "from bottle import request\ndef main():\n    request.get_json()  # !\n    return request.args\n",
        "def main():\n    return request.args.get('x')  # !\n",
        "def main():\n    return handle(request)  # !\n",
        "import flask\nfrom requests import request\ndef main():\n    flask.request.args\n    return request.form  # !\n",
        "import urllib.request\nrequest = urllib.request.Request('u')\ndef main():\n    return request.args  # !\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from flask import request\n"
        "def main():\n    return request.args  # !\n",
        "import typing\nif typing.TYPE_CHECKING:\n    from flask import request\n"
        "def main():\n    return request.method  # !\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    if True:\n        from flask import request\n"
        "def main():\n    return request.args  # !\n",
    ],
)
def test_request_that_is_not_flasks_is_reported_at_first_use(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF701", source) == marked_lines(source)


@pytest.mark.parametrize(
    "source",
    [
        "from flask import request\ndef main():\n    return request.args.get('x')\n",
        "import flask\ndef main():\n    return flask.request.args.get('x')\n",
        "from flask import request as req\ndef main():\n    return req.method\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from flask import request\n"
        "from flask import request\ndef main():\n    return request.args\n",
        # the else branch of `if TYPE_CHECKING:` runs
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\nelse:\n    from flask import request\n"
        "def main():\n    return request.args\n",
        "import flask\nrequest = flask.request\ndef main():\n    return request.args\n",
        "import urllib.request\ndef main():\n    request = get()\n    return request.args\n",
        "def main(request):\n    return request.args\n",
        "from flask.globals import request\ndef main():\n    return request.method\n",
        # requests' function and urllib's module used as what they are
        "from requests import request\ndef main():\n    return request('GET', 'u', timeout=5).text\n",
        "from urllib import request\ndef main():\n    return request.urlopen('u', timeout=5).status\n",
        # a parameter or local variable named request is some other code's business
        "def main(request):\n    return request.args\n",
        "def main():\n    request = make()\n    return request.args\n",
        "from flask import request as r\ndef main():\n    return [request.args for request in [r]]\n",
        "def main():\n    global request\n    request = make()\ndef other():\n    return request.args\n",
        # a star import may bring it
        "from flask import *\ndef main():\n    return request.args\n",
        # relative imports may pass on Flask's
        "from .app import request\ndef main():\n    return request.args\n",
    ],
)
def test_flasks_request_or_unknowable_origin_is_not_reported(source: str, tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF701", source) == []


def test_request_from_a_module_of_the_function_is_not_reported(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"web.py": "from flask import request\n", "requirements.txt": "flask\n"})
    source = "from web import request\ndef main():\n    return request.args\n"
    assert reported_lines(cflint, tmp_path, "CF701", source) == []


def test_message_names_where_it_came_from(tmp_path: Path, cflint: Cflint) -> None:
    source = "from requests import request\ndef main():\n    return request.args\n"
    assert messages(cflint, tmp_path, "CF701", source) == [
        "'request' here is requests.request (imported from requests), not Flask's request;"
        " the runtime passes the HTTP request through Flask's: from flask import request"
    ]


def test_reported_once_per_module(tmp_path: Path, cflint: Cflint) -> None:
    source = "def main():\n    request.args  # !\n    return request.method\ndef other():\n    return request.form\n"
    assert reported_lines(cflint, tmp_path, "CF701", source) == marked_lines(source)


def test_attribute_list_is_flasks() -> None:
    missing = {name for name in FLASK_REQUEST_ATTRIBUTES if not hasattr(flask.Request, name)}
    instance_attributes = {"method", "headers", "path", "scheme", "query_string", "remote_addr", "environ"}
    assert missing <= instance_attributes
    environ = {"REQUEST_METHOD": "GET", "wsgi.url_scheme": "http", "SERVER_NAME": "x", "SERVER_PORT": "80"}
    request = flask.Request(environ)
    assert all(hasattr(request, name) for name in instance_attributes)
