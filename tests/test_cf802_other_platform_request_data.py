"""CF802: request data only another platform adds (Fission's path-parameter headers, OpenFaaS's Http_*)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]
HEADER = "import os\nimport flask\nfrom flask import request\n\ndef main():\n    return str({read})\n"


def _lint(tmp_path: Path, cflint: Cflint, source: str) -> CliResult:
    write_files(tmp_path, {"requirements.txt": "flask\n", "user.py": source})
    result = cflint("--select", "CF802", "--color", "never", ".")
    assert result.code in (0, 1) and result.err == "", result.err
    return result


@pytest.mark.parametrize(
    ("read", "column", "remedy"),
    [
        ('request.headers["X-Fission-Params-Id"]', 32, "request.args.get('id')"),
        ('request.headers.get("x-fission-params-user_id", "")', 36, "request.args.get('user_id')"),
        ('request.headers.get_all("X-FISSION-PARAMS-TAG")', 40, "request.args.get('tag')"),
        ('flask.request.headers.get("X-Fission-Params-Name")', 42, "request.args.get('name')"),
        ('request.headers.get(f"X-Fission-Params-{os.sep}")', 36, "query string (request.args)"),
        ('os.getenv("Http_X_Gitlab_Token")', 26, "request.headers.get('X-Gitlab-Token')"),
        ('os.environ["Http_X_Hub_Signature"]', 27, "request.headers.get('X-Hub-Signature')"),
        ('os.environ.get("Http_Method")', 31, "request.method"),
        ('os.environ.get("Http_Query", "")', 31, "request.query_string"),
        ('os.environ["__OW_ACTION_NAME"]', 27, "this runtime sets no activation metadata"),
        ('os.getenv("__OW_ACTIVATION_ID")', 26, "take a request ID from the request itself"),
    ],
)
def test_reported_at_the_key(tmp_path: Path, cflint: Cflint, read: str, column: int, remedy: str) -> None:
    result = _lint(tmp_path, cflint, HEADER.format(read=read))
    assert result.codes == ["CF802"]
    assert result.lines[0].startswith(f"user.py:6:{column}: CF802 ")
    assert remedy in result.lines[0]


def test_message(tmp_path: Path, cflint: Cflint) -> None:
    result = _lint(tmp_path, cflint, HEADER.format(read='request.headers["X-Fission-Params-Id"]'))
    assert result.lines == [
        "user.py:6:32: CF802 the header 'X-Fission-Params-Id' is set by Fission's router (from a path parameter), "
        "not by this runtime; take the value from the query string (request.args.get('id')) or the JSON body "
        "(request.get_json())"
    ]


@pytest.mark.parametrize(
    "source",
    [
        # not Flask's request: a parameter, or an unknown object
        'def handler(request):\n    return request.headers["X-Fission-Params-Id"]\n',
        'import requests\ndef main():\n    return requests.get("u").headers.get("X-Fission-Params-Id")\n',
        'def main(req):\n    return req.headers.get("X-Fission-Params-Id")\n',
        # other keys and other places
        'from flask import request\ndef main():\n    return request.headers.get("X-Fission-Function-Name")\n',
        'from flask import request\ndef main():\n    return request.headers.get("X-Fission-Params-")\n',
        'from flask import request\ndef main():\n    return request.args.get("X-Fission-Params-Id")\n',
        'import os\ndef main():\n    return os.getenv("HTTP_PROXY", "")\n',
        'import os\ndef main():\n    return os.getenv("Http_", "")\n',
        'def main():\n    return "the X-Fission-Params-Id header and Http_Method"\n',
        'environ = {}\ndef main():\n    return environ["Http_Method"]\n',
    ],
)
def test_not_reported(tmp_path: Path, cflint: Cflint, source: str) -> None:
    assert _lint(tmp_path, cflint, source).lines == []


@pytest.mark.parametrize(
    ("read", "platform", "remedy"),
    [
        ('request.environ["serverless.event"]["requestContext"]', "serverless-wsgi", "no Lambda event"),
        ('request.environ.get("serverless.context")', "serverless-wsgi", "no Lambda event"),
        ('request.environ["API_GATEWAY_AUTHORIZER"]["claims"]', "serverless-wsgi", "no gateway authorizes"),
        ('request.environ.get("awsgi.event", {}).get("requestContext")', "awsgi", "no Lambda event"),
        ('flask.request.environ.get("apig_wsgi.full_event")', "apig-wsgi", "no Lambda event"),
        ('request.environ["lambda.context"].function_name', "Lambda WSGI adapter", "no Lambda event"),
        ('request.environ["azure_functions.invocation_id"]', "Azure Functions", "no Azure invocation context"),
        ('request.environ["HTTP_X_FISSION_PARAMS_ID"]', "Fission's router", "request.args.get('id')"),
    ],
)
def test_environ_keys_of_other_gateways(tmp_path: Path, cflint: Cflint, read: str, platform: str, remedy: str) -> None:
    source = HEADER.format(read=read)
    result = _lint(tmp_path, cflint, source)
    assert result.codes == ["CF802"]
    column = int(result.lines[0].split(":")[2])
    key = read.split('"')[1]
    assert source.splitlines()[5][column - 1 :].startswith(f'"{key}"')
    assert (
        f"the WSGI environ key '{key}'" in result.lines[0] and platform in result.lines[0] and remedy in result.lines[0]
    )


@pytest.mark.parametrize(
    "read",
    [
        'request.environ["REMOTE_ADDR"]',
        'request.environ.get("HTTP_X_FORWARDED_FOR")',
        'request.environ.get("werkzeug.request")',
        'request.environ["event"]',  # serverless-wsgi's old key, but too common a word to be evidence
        '"awsgi.event" in request.environ',
        'os.environ.get("serverless.event")',
        'dict(a=1).get("awsgi.event")',
    ],
)
def test_ordinary_environ_keys_are_not_reported(tmp_path: Path, cflint: Cflint, read: str) -> None:
    assert _lint(tmp_path, cflint, HEADER.format(read=read)).lines == []
