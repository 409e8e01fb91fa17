"""CF804: the entry function returns a response dict of another platform (AWS Lambda, OpenWhisk,
OpenFaaS), which Flask sends as JSON with status 200; its fix returns (body, status, headers)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliResult, serve, write_files

Cflint = Callable[..., CliResult]
HTML = "text/html; charset=utf-8"
LAMBDA = "an AWS Lambda / API Gateway (or OpenWhisk web action) response dict"


def _lint(tmp_path: Path, cflint: Cflint, source: str, *args: str) -> CliResult:
    write_files(tmp_path, {"requirements.txt": "flask\n", "user.py": source})
    result = cflint("--select", "CF804", "--color", "never", *args, ".")
    assert result.code in (0, 1) and result.err == "", result.err
    return result


def _found(result: CliResult) -> list[tuple[int, str]]:
    return [(int(text.split(":")[1]), text) for code, text in zip(result.codes, result.lines, strict=True)]


@pytest.mark.parametrize(
    ("source", "line", "shape"),
    [
        ('def main():\n    return {"statusCode": 400, "body": "bad"}\n', 2, LAMBDA),
        (
            'import json\n\ndef main():\n    return {\n        "statusCode": 200,\n        "headers": {"A": "1"},\n'
            '        "body": json.dumps({"ok": True}),\n        "isBase64Encoded": False,\n    }\n',
            4,
            LAMBDA,
        ),
        ("def main():\n    return {'status': 404, 'body': 'missing'}\n", 2, "an OpenFaaS response dict"),
        (
            'def main():\n    return {"headers": {"X-A": "1"}, "body": "hi"}\n',
            2,
            "an API gateway (Lambda or OpenWhisk web action) response dict",
        ),
        ('def main():\n    response = {"statusCode": 201, "body": "made"}\n    return response\n', 3, LAMBDA),
        ('def main():\n    extra = {}\n    return {**extra, "statusCode": 500, "body": "x"}\n', 3, LAMBDA),
        (
            'import functions_framework\n\n@functions_framework.http\ndef main():\n    return {"statusCode": 400, "body": "bad"}\n',
            5,
            LAMBDA,
        ),
        (
            'from flask import request\n\ndef main():\n    return {"status": int(request.args["code"]), "body": "x"}\n',
            4,
            "an OpenFaaS response dict",
        ),
    ],
)
def test_reports_another_platforms_response_dict(
    tmp_path: Path, cflint: Cflint, source: str, line: int, shape: str
) -> None:
    found = _found(_lint(tmp_path, cflint, source))
    assert [where for where, _ in found] == [line]
    assert f"entry function 'main' returns {shape}" in found[0][1]
    assert "sends the whole dict as JSON with status 200" in found[0][1]


def test_reports_the_dict_a_helper_the_entry_returns_through_returns(tmp_path: Path, cflint: Cflint) -> None:
    source = (
        "import json\nfrom flask import request\n\n\ndef respond(code, message):\n"
        '    return {"statusCode": code, "body": json.dumps({"message": message})}\n\n\n'
        "def check():\n    return respond(400, 'no query')\n\n\n"
        "def main():\n    if not request.args:\n        return check()\n    return 'ok'\n"
    )
    result = _lint(tmp_path, cflint, source, "--unsafe-fixes")
    found = _found(result)
    assert [where for where, _ in found] == [6]
    assert "'main' returns (through respond()) an AWS Lambda" in found[0][1]
    assert "fix" not in found[0][1]  # the helper may be called elsewhere: no fix


@pytest.mark.parametrize(
    "source",
    [
        'def main():\n    return {"status": "ok", "count": 3}\n',
        'def main():\n    return {"statusCode": 200, "message": "no body"}\n',
        'def main():\n    return {"status": 200, "body": "x", "count": 3}\n',
        'def main():\n    return {"body": "just a body"}\n',
        'def main():\n    return {"items": [{"status": 1, "body": "x"}]}\n',
        'def helper():\n    return {"statusCode": 400, "body": "x"}\n\n\ndef main():\n    return str(helper())\n',
        'def helper():\n    return {"statusCode": 400, "body": "x"}\n\n\ndef main():\n    return "ok"\n',
        'def main():\n    def inner():\n        return {"statusCode": 400, "body": "x"}\n    return "ok"\n',
        'import json\n\ndef main():\n    return json.dumps({"status": "error", "body": "x"})\n',
        'import json\n\ndef main():\n    return json.dumps({"statusCode": 400, "body": "x"}["body"])\n',
        'import simplejson\n\ndef main(json=simplejson):\n    return json.dumps({"statusCode": 400, "body": "x"})\n',
        'def main():\n    response = {"statusCode": 200, "body": "x"}\n    response = {"a": 1}\n    return response\n',
        'KEY = "statusCode"\n\ndef main():\n    return {KEY: 400, "body": "x"}\n',
        'def main():\n    return {"status": "error", "body": "the input is empty"}\n',
        'def main():\n    return {"status": True, "body": {"items": []}}\n',
        'def main():\n    return {"statusCode": "400", "body": "x"}\n',
        'from mylib import magic\n\n@magic\ndef main():\n    return {"statusCode": 400, "body": "x"}\n',
        'from flask import request\n\ndef main():\n    return {"headers": dict(request.headers), "body": request.get_data(as_text=True)}\n',
    ],
)
def test_is_silent_on_ordinary_dicts(tmp_path: Path, cflint: Cflint, source: str) -> None:
    assert _found(_lint(tmp_path, cflint, source)) == []


@pytest.mark.parametrize(
    "source",
    [
        'import json\n\ndef main():\n    return json.dumps({"statusCode": 400, "body": "bad input"})\n',
        'import json\n\ndef main():\n    response = {"statusCode": 400, "body": "bad input"}\n    return json.dumps(response)\n',
        'from json import dumps\n\ndef main():\n    return dumps({"statusCode": 400, "body": "bad input"}, indent=2)\n',
    ],
)
def test_reports_the_response_dict_returned_as_json_text(tmp_path: Path, cflint: Cflint, source: str) -> None:
    result = _lint(tmp_path, cflint, source, "--unsafe-fixes")
    found = _found(result)
    assert len(found) == 1 and found[0][0] == source[: source.index("return")].count("\n") + 1
    assert f"entry function 'main' returns {LAMBDA} ('statusCode', 'body') as JSON text (json.dumps)" in found[0][1]
    assert "sends that text as the body with status 200" in found[0][1] and "fix" not in found[0][1]
    served = serve(tmp_path)
    assert served.status == 200 and json.loads(served.body)["statusCode"] == 400


@pytest.mark.parametrize(
    ("response", "status", "headers"),
    [
        ('{"statusCode": 400, "body": "bad input"}', 400, {}),
        ('{"status": 404, "body": "missing"}', 404, {}),
        ('{"headers": {"X-Reason": "late"}, "body": "hi"}', 200, {"X-Reason": "late"}),
        (
            '{\n        "statusCode": 201,\n        "headers": {"Content-Type": "application/json", "X-Id": "7"},\n'
            '        "body": json.dumps({"id": 7}),\n    }',
            201,
            {"Content-Type": "application/json", "X-Id": "7"},
        ),
        ('{"body": {"error": "bad"}, "statusCode": 422}', 422, {}),
        ('{"statusCode": 400, "body": "one "\n    "two"}', 400, {}),
    ],
)
def test_fix_answers_with_the_status_headers_and_body_the_dict_meant(
    tmp_path: Path, cflint: Cflint, response: str, status: int, headers: dict[str, str]
) -> None:
    source = f"import json\n\n\ndef main():\n    return {response}\n"
    write_files(tmp_path, {"user.py": source, "requirements.txt": "flask\n"})
    before = serve(tmp_path)
    meant = json.loads(before.body)
    assert before.status == 200 and set(meant) >= {"body"}
    result = cflint("--fix", "--unsafe-fixes", "--select", "CF804", ".")
    assert (result.code, result.codes) == (0, []), (tmp_path / "user.py").read_text()
    after = serve(tmp_path)
    assert after.status == status
    assert {name: after.headers.get(name) for name in headers} == headers
    body = meant["body"]
    if isinstance(body, dict):
        assert json.loads(after.body) == body and after.content_type == "application/json"
    else:
        assert after.body == body
        assert after.content_type == headers.get("Content-Type", HTML)


def test_fix_rewrites_the_return_to_a_tuple(tmp_path: Path, cflint: Cflint) -> None:
    source = (
        'import json\n\n\ndef main():\n    return {"statusCode": 400, "headers": {"A": "1"}, "body": json.dumps(1)}\n'
    )
    write_files(tmp_path, {"user.py": source, "requirements.txt": "flask\n"})
    cflint("--fix", "--unsafe-fixes", "--select", "CF804", ".")
    assert (tmp_path / "user.py").read_text() == (
        'import json\n\n\ndef main():\n    return json.dumps(1), 400, {"A": "1"}\n'
    )


@pytest.mark.parametrize(
    "response",
    [
        '{"statusCode": 400, "body": "x", "isBase64Encoded": False}',
        '{"statusCode": 400, "body": "x", "multiValueHeaders": {}}',
        '{**{}, "statusCode": 400, "body": "x"}',
        '{"statusCode": code, "body": "x"}',
        '{"statusCode": 700, "body": "x"}',
        '{"statusCode": 400, "status": 400, "body": "x"}',
        '{"statusCode": 400, "body": value}',
        '{"statusCode": 400, "body": None}',
        '{"statusCode": 400, "body": "x", "headers": value}',
    ],
)
def test_no_fix_unless_every_part_is_evident(tmp_path: Path, cflint: Cflint, response: str) -> None:
    source = f"def main(code=400, value=None):\n    return {response}\n"
    write_files(tmp_path, {"user.py": source, "requirements.txt": "flask\n"})
    result = cflint("--fix", "--unsafe-fixes", "--select", "CF804", ".")
    assert result.codes == ["CF804"]
    assert (tmp_path / "user.py").read_text() == source


def test_no_fix_for_a_dict_bound_to_a_name(tmp_path: Path, cflint: Cflint) -> None:
    source = 'def main():\n    response = {"statusCode": 201, "body": "made"}\n    return response\n'
    write_files(tmp_path, {"user.py": source, "requirements.txt": "flask\n"})
    result = cflint("--fix", "--unsafe-fixes", "--select", "CF804", ".")
    assert result.codes == ["CF804"]
    assert (tmp_path / "user.py").read_text() == source
