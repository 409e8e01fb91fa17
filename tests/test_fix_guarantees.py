"""Each rule's fix keeps its promise: a safe fix keeps behaviour, an unsafe one changes only what
its message says, and the result still parses, imports and answers under Flask (run in a fresh
Python by `tests.helpers.serve`); a requirements.txt the fix edits still parses with pip's own
parser, and the finding the fix answers goes away."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.knowledge.distributions import CATALOGUE
from tests.helpers import CliResult, Served, serve, write_files

pip_req_file = pytest.importorskip("pip._internal.req.req_file")
pip_session = pytest.importorskip("pip._internal.network.session")

Cflint = Callable[..., CliResult]
HEX = "a" * 64
HTML = "text/html; charset=utf-8"


def _pip_requirement_names(path: Path) -> list[str]:
    """The requirements pip reads from `path`, as written (pip raises on a line it refuses)."""
    session = pip_session.PipSession()
    return [parsed.requirement.strip() for parsed in pip_req_file.parse_requirements(str(path), session=session)]


# CF303


def test_cf303_namespace_import_gets_its_own_distribution_and_the_finding_goes(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": "from google.cloud import storage\n\n\ndef main():\n    return 'ok'\n",
            "requirements.txt": "flask\n",
        },
    )
    first = cflint("--fix", "--unsafe-fixes", "--select", "CF303", ".")
    assert (tmp_path / "requirements.txt").read_text() == "flask\ngoogle-cloud-storage\n", first.out
    again = cflint("--fix", "--unsafe-fixes", "--select", "CF303", ".")
    assert (again.code, again.codes) == (0, [])
    assert (tmp_path / "requirements.txt").read_text() == "flask\ngoogle-cloud-storage\n"


@pytest.mark.parametrize("module", ["google", "google.cloud", "google.cloud.unknown_product", "azure", "azure.mgmt"])
def test_a_shared_namespace_package_alone_names_no_distribution(module: str) -> None:
    assert CATALOGUE.certain_distribution(module) is None


@pytest.mark.parametrize(
    ("module", "distribution"),
    [
        ("google.cloud.storage", "google-cloud-storage"),
        ("google.protobuf.json_format", "protobuf"),
        ("google.cloud.pubsub_v1", "google-cloud-pubsub"),
        ("yaml", "pyyaml"),
    ],
)
def test_certain_distribution_provides_the_module(module: str, distribution: str) -> None:
    from cflint.knowledge.distributions import ModuleProvider

    assert CATALOGUE.certain_distribution(module) == distribution
    assert ModuleProvider.of([distribution]).provides(module)


def test_cf303_offers_no_fix_in_hash_checking_mode(tmp_path: Path, cflint: Cflint) -> None:
    requirements = f"flask==3.0.0 \\\n    --hash=sha256:{HEX}\n"
    write_files(
        tmp_path, {"user.py": "import yaml\n\n\ndef main():\n    return 'ok'\n", "requirements.txt": requirements}
    )
    result = cflint("--fix", "--unsafe-fixes", "--select", "CF303", ".")
    assert result.codes == ["CF303"]
    assert "[unsafe fix" not in cflint("--select", "CF303", ".").out
    assert (tmp_path / "requirements.txt").read_text() == requirements
    assert _pip_requirement_names(tmp_path / "requirements.txt") == ["flask==3.0.0"]


def test_cf303_offers_no_fix_when_an_included_file_has_hashes(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": "import yaml\n\n\ndef main():\n    return 'ok'\n",
            "requirements.txt": "-r locked.txt\n",
            "locked.txt": f"flask==3.0.0 --hash=sha256:{HEX}\n",
        },
    )
    cflint("--fix", "--unsafe-fixes", "--select", "CF303", ".")
    assert (tmp_path / "requirements.txt").read_text() == "-r locked.txt\n"


@pytest.mark.parametrize(
    "requirements",
    [
        "pyyaml \\\n",
        "pyyaml \\",
        "flask\r\npyyaml \\\r\n",
        "flask\npyyaml \\\n    >=6 \\\n",
        "flask  # pinned later \\\n",
        "# a comment \\\n",
    ],
)
def test_cf303_fix_after_a_continued_last_line_keeps_the_file_valid_for_pip(
    requirements: str, tmp_path: Path, cflint: Cflint
) -> None:
    write_files(tmp_path, {"user.py": "import requests\n\n\ndef main():\n    return 'ok'\n"})
    (tmp_path / "requirements.txt").write_bytes(requirements.encode())
    before = _pip_requirement_names(tmp_path / "requirements.txt")
    result = cflint("--fix", "--unsafe-fixes", "--select", "CF303", ".")
    assert result.codes == [], result.out + result.err
    assert _pip_requirement_names(tmp_path / "requirements.txt") == [*before, "requests"]
    again = cflint("--fix", "--unsafe-fixes", "--select", "CF303", ".")
    assert (again.code, again.codes) == (0, [])


# CF103 and CF603


def test_cf103_and_cf603_together_leave_a_function_that_imports_and_answers(tmp_path: Path, cflint: Cflint) -> None:
    source = 'from flask import escape\n\n\ndef main(request):\n    return str(escape(request.args.get("q","")))\n'
    write_files(tmp_path, {"user.py": source, "requirements.txt": "flask\n"})
    result = cflint("--fix", "--unsafe-fixes", ".")
    after = (tmp_path / "user.py").read_text()
    assert "from markupsafe import escape\n" in after and "from flask import request\n" in after, after
    assert (result.code, result.codes) == (0, []), result.out
    assert serve(tmp_path, "/?q=<b>") == Served(200, "&lt;b&gt;", HTML)


def test_cf103_and_a_split_cf603_import_leave_a_function_that_answers(tmp_path: Path, cflint: Cflint) -> None:
    source = (
        "from flask import escape, abort\n\n\ndef main(request):\n    if not request.args:\n        abort(400)\n"
        '    return str(escape(request.args.get("q", "")))\n'
    )
    write_files(tmp_path, {"user.py": source, "requirements.txt": "flask\n"})
    result = cflint("--fix", "--unsafe-fixes", ".")
    assert (result.code, result.codes) == (0, []), result.out
    assert serve(tmp_path, "/?q=<b>") == Served(200, "&lt;b&gt;", HTML)
    assert serve(tmp_path).status == 400


def test_cf103_does_not_join_an_import_of_removed_names(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {"user.py": "from flask import escape\n\n\ndef main(request):\n    return str(escape(request.args))\n"},
    )
    cflint("--fix", "--unsafe-fixes", "--select", "CF103", ".")
    assert (tmp_path / "user.py").read_text() == (
        "from flask import escape\nfrom flask import request\n\n\ndef main():\n    return str(escape(request.args))\n"
    )


def test_cf603_moves_only_the_moved_names_of_a_mixed_import(tmp_path: Path, cflint: Cflint) -> None:
    source = 'from flask import escape, request\n\n\ndef main():\n    return str(escape(request.args.get("q", "")))\n'
    write_files(tmp_path, {"user.py": source, "requirements.txt": "flask\n"})
    result = cflint("--fix", ".")
    assert (result.code, result.codes) == (0, [])
    assert (tmp_path / "user.py").read_text().startswith("from flask import request\nfrom markupsafe import escape\n")
    assert serve(tmp_path, "/?q=<b>") == Served(200, "&lt;b&gt;", HTML)


# CF103: a parameter of another type is not Flask's request


@pytest.mark.parametrize(
    "source",
    [
        'def main(event: "CloudEvent"):\n    return event.data["message"]\n',
        "from cloudevents.http import CloudEvent\n\n\ndef main(event: CloudEvent):\n    return event.data['x']\n",
        "from firebase_functions import https_fn\n\n\ndef main(req: https_fn.CallableRequest):\n"
        "    return req.data['text']\n",
        "import azure.functions as func\n\n\ndef main(req: func.HttpRequest):\n    return req.params.get('q')\n",
        "from fastapi import Request\n\n\ndef main(request: Request):\n    return request.headers['x']\n",
        'def main(request: "flask.Request"):\n    return request.args\n',
        "def main(event):\n    return event.data['message']\n",
        "def main(event):\n    return event.data.get('message')\n",
        "def main(req):\n    return req.params.get('q')\n",
        "def main(req):\n    return req.path_params['id']\n",
    ],
)
def test_cf103_offers_no_fix_for_a_parameter_that_is_not_flasks_request(
    source: str, tmp_path: Path, cflint: Cflint
) -> None:
    write_files(tmp_path, {"user.py": source})
    result = cflint("--fix", "--unsafe-fixes", "--select", "CF103", ".")
    assert result.codes == ["CF103"]
    assert (tmp_path / "user.py").read_text() == source


@pytest.mark.parametrize(
    ("source", "query", "body"),
    [
        (
            "from flask import Request\n\n\ndef main(req: Request):\n    return req.args.get('q', '')\n",
            "/?q=hi",
            "hi",
        ),
        ("import flask\n\n\ndef main(req: flask.Request):\n    return req.args.get('q', '')\n", "/?q=hi", "hi"),
        ("def main(request):\n    return str(request.data[:4]) + request.full_path\n", "/?a=1", "b''/?a=1"),
        ("def main(req):\n    return str(req.max_content_length)\n", "/", "None"),
    ],
)
def test_cf103_fixes_a_parameter_read_as_flasks_request(
    source: str, query: str, body: str, tmp_path: Path, cflint: Cflint
) -> None:
    write_files(tmp_path, {"user.py": source, "requirements.txt": "flask\n"})
    result = cflint("--fix", "--unsafe-fixes", "--select", "CF103", ".")
    assert result.codes == [], (tmp_path / "user.py").read_text()
    assert serve(tmp_path, query) == Served(200, body, HTML)


def test_flask_request_members_are_flasks() -> None:
    import flask

    from cflint.knowledge.flask_request import FLASK_REQUEST_MEMBERS
    from cflint.rules.flask.cf701_request_not_flask import FLASK_REQUEST_ATTRIBUTES

    environ = {"REQUEST_METHOD": "GET", "wsgi.url_scheme": "http", "SERVER_NAME": "x", "SERVER_PORT": "80"}
    public = {name for name in [*dir(flask.Request), *vars(flask.Request(environ))] if not name.startswith("_")}
    assert public == FLASK_REQUEST_MEMBERS
    assert FLASK_REQUEST_ATTRIBUTES <= FLASK_REQUEST_MEMBERS  # CF701's: those that read the HTTP request


# CF103 keeps the comments of the parameter list


@pytest.mark.parametrize(
    ("parameters", "after"),
    [
        ("(\n    request,  # the request\n)", "(\n    # the request\n)"),
        ("(request  # Flask passes nothing\n)", "(\n    # Flask passes nothing\n)"),
        ("(  # a\n    # b\n    request,  # c\n    # d\n)", "(  # a\n    # b\n    # c\n    # d\n)"),
        ("(\n    request,\n)", "()"),
    ],
)
def test_cf103_keeps_comments_of_the_parameter_list(
    parameters: str, after: str, tmp_path: Path, cflint: Cflint
) -> None:
    body = ":\n    return request.args.get('q', '')\n"
    write_files(tmp_path, {"user.py": f"def main{parameters}{body}", "requirements.txt": "flask\n"})
    result = cflint("--fix", "--unsafe-fixes", "--select", "CF103", ".")
    assert result.codes == []
    assert (tmp_path / "user.py").read_text() == f"from flask import request\n\n\ndef main{after}{body}"
    assert serve(tmp_path, "/?q=x") == Served(200, "x", HTML)


# CF207


@pytest.mark.parametrize(
    "body",
    [
        'counts = {1: "one", "total": 1}\n    return json.dumps(counts)',
        'return json.dumps({1: "one", "total": 1}, sort_keys=False)',
        'return json.dumps({"a": {1: "one", "b": 2}})',
        'counts = {"one": 1}\n    counts[2] = "two"\n    return json.dumps(counts)',
        'counts = {"one": 1}\n    counts.update({2: "two"})\n    return json.dumps(counts)',
        'counts = {"one": 1}\n    add(counts)\n    return json.dumps(counts)',
        'counts = {**OTHER, "one": 1}\n    return json.dumps(counts)',
        "return json.dumps({n: str(n) for n in (1, 'a')})",
        'inner = {1: "one", "b": 2}\n    return json.dumps({"a": [inner]})',
    ],
)
def test_cf207_offers_no_fix_when_a_key_may_not_be_a_str(body: str, tmp_path: Path, cflint: Cflint) -> None:
    source = f"import json\n\nOTHER = {{}}\n\n\ndef add(d):\n    d[2] = 2\n\n\ndef main():\n    {body}\n"
    write_files(tmp_path, {"user.py": source, "requirements.txt": "flask\n"})
    result = cflint("--fix", "--unsafe-fixes", "--select", "CF207", ".")
    assert (tmp_path / "user.py").read_text() == source
    assert "CF207" in result.codes
    assert serve(tmp_path).status == 200


@pytest.mark.parametrize(
    "body",
    [
        'counts = {"one": 1, "total": 2, "é": [1, {"x": None}]}\n    return json.dumps(counts)',
        'counts = {"b": 1}\n    counts["a"] = 2\n    if counts:\n        return json.dumps(counts, sort_keys=False)\n'
        "    return json.dumps(counts)",
        'return json.dumps({f"k{i}": i for i in range(3)}, indent=2, ensure_ascii=False)',
        'return json.dumps({"b": 1, "a": "x"}, separators=(",", ":")), 201',
        'counts = {"a": 1}\n    if "b" not in counts and counts.get("a"):\n        counts["b"] = 2\n    return json.dumps(counts)',
    ],
)
def test_cf207_fix_sends_the_same_json_as_application_json(body: str, tmp_path: Path, cflint: Cflint) -> None:
    """Only the Content-Type and the text's layout change, as the fix's message says: Flask
    sends the same JSON value, keys sorted and without spaces."""
    import json

    source = f"import json\n\n\ndef main():\n    {body}\n"
    write_files(tmp_path, {"user.py": source, "requirements.txt": "flask\n"})
    before = serve(tmp_path)
    result = cflint("--fix", "--unsafe-fixes", "--select", "CF207", ".")
    assert result.codes == [], (tmp_path / "user.py").read_text()
    after = serve(tmp_path)
    assert after.status == before.status and after.content_type == "application/json"
    value = json.loads(before.body)
    assert json.loads(after.body) == value
    assert after.body == json.dumps(value, sort_keys=True, separators=(",", ":")) + "\n"


# CF305


@pytest.mark.parametrize(
    ("statement", "sibling"),
    [
        ("from . import types", "types.py"),
        ("from .logging import setup", "logging/__init__.py"),
        ("from . import helpers, json", "json.py"),
        ("from .click import command", "click.py"),
    ],
)
def test_cf305_offers_no_fix_for_a_sibling_named_like_an_installed_module(
    statement: str, sibling: str, tmp_path: Path, cflint: Cflint
) -> None:
    source = f"{statement}\n\n\ndef main():\n    return 'ok'\n"
    write_files(tmp_path, {"user.py": source, sibling: "setup = command = 1\n", "helpers.py": ""})
    result = cflint("--fix", "--select", "CF305", ".")
    assert (tmp_path / "user.py").read_text() == source
    assert result.codes == ["CF305"]
    assert "rename the sibling module" in cflint("--select", "CF305", ".").out


def test_cf305_fix_of_a_sibling_with_its_own_name_imports_and_answers(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": "from .greeting import greet\nfrom . import texts\n\n\ndef main():\n    return greet(texts.NAME)\n",
            "greeting.py": "def greet(name):\n    return f'hello {name}'\n",
            "texts.py": "NAME = 'you'\n",
        },
    )
    assert serve(tmp_path).status == 0  # a relative import fails in a top-level module
    result = cflint("--fix", "--select", "CF305", ".")
    assert result.codes == []
    assert serve(tmp_path) == Served(200, "hello you", HTML)
