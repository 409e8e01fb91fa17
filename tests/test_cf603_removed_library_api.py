"""CF603: library APIs removed from the versions the runtime installs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.knowledge.removed_apis import API_NAMES, REMOVED_APIS, pin_keeps_api
from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]


def _lint(tmp_path: Path, cflint: Cflint, source: str, requirements: str = "flask\npyyaml\nwerkzeug\n") -> CliResult:
    write_files(tmp_path, {"requirements.txt": requirements, "user.py": source})
    result = cflint("--select", "CF603", ".")
    assert result.code in (0, 1) and result.err == "", result.err
    return result


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "from flask import escape\n",
            "user.py:1:19: CF603 flask.escape was removed in flask 3.0; from markupsafe import escape [fix: --fix]",
        ),
        (
            "from flask import Markup as M\n",
            "user.py:1:19: CF603 flask.Markup was removed in flask 3.0; from markupsafe import Markup [fix: --fix]",
        ),
        (
            "import flask\ndef main():\n    return flask.escape('x')\n",
            "user.py:3:12: CF603 flask.escape was removed in flask 3.0; from markupsafe import escape",
        ),
        (
            "from flask.json import JSONEncoder\n",
            "user.py:1:24: CF603 flask.json.JSONEncoder was removed in flask 2.3; "
            "set app.json to a flask.json.provider.DefaultJSONProvider subclass",
        ),
        (
            "from flask import _app_ctx_stack\n",
            "user.py:1:19: CF603 flask._app_ctx_stack was removed in flask 3.0; use flask.g or flask.current_app",
        ),
        (
            "from werkzeug.urls import url_quote\n",
            "user.py:1:27: CF603 werkzeug.urls.url_quote was removed in werkzeug 3.0; use urllib.parse.quote",
        ),
        (
            "import yaml\ndata = yaml.load(open('c.yaml'))\n",
            "user.py:2:8: CF603 yaml.load() without Loader= raises TypeError in pyyaml 6.0; "
            "use yaml.safe_load(stream), or pass Loader=",
        ),
        (
            "from yaml import load_all\nfor d in load_all('a: 1'):\n    pass\n",
            "user.py:2:10: CF603 yaml.load_all() without Loader= raises TypeError in pyyaml 6.0; "
            "use yaml.safe_load_all(stream), or pass Loader=",
        ),
    ],
)
def test_reported(tmp_path: Path, cflint: Cflint, source: str, expected: str) -> None:
    assert _lint(tmp_path, cflint, source).lines == [expected]


@pytest.mark.parametrize(
    "source",
    [
        "from markupsafe import escape, Markup\n",
        "from flask import request, jsonify\n",
        "import yaml\nyaml.load('a: 1', Loader=yaml.SafeLoader)\n",
        "import yaml\nyaml.load('a: 1', yaml.SafeLoader)\n",
        "import yaml\nyaml.safe_load('a: 1')\n",
        "import yaml\nyaml.load(*args)\n",
        "from werkzeug.urls import iri_to_uri\n",
        "escape = str\nescape('x')\n",
        "def load(x):\n    return x\nload('a')\n",
    ],
)
def test_not_reported(tmp_path: Path, cflint: Cflint, source: str) -> None:
    assert _lint(tmp_path, cflint, source).out == ""


@pytest.mark.parametrize(
    ("requirements", "reported"),
    [
        ("flask==2.2.5\n", False),
        ("flask<3\n", False),
        ("flask~=2.2\n", False),
        ("flask>=2,<3.0\n", False),
        ("flask\n", True),
        ("flask>=2.0\n", True),
        ("flask!=3.0\n", True),
        ("flask<3.0.1\n", True),
        ("", True),  # not listed: the runtime's own Flask 3.1 serves the function
        ("flask==2.2.5 ; python_version < '3.0'\n", True),  # the pin never applies on the runtime
    ],
)
def test_a_pin_to_a_version_with_the_api_is_not_reported(
    tmp_path: Path, cflint: Cflint, requirements: str, reported: bool
) -> None:
    result = _lint(tmp_path, cflint, "from flask import escape\n", requirements)
    assert result.codes == (["CF603"] if reported else [])


def test_the_data_file_names_the_release_and_a_replacement_for_each_api() -> None:
    assert set(REMOVED_APIS) == API_NAMES  # the names read without making the entries
    assert {api.distribution for api in REMOVED_APIS.values()} == {"flask", "werkzeug", "pyyaml"}
    for api in REMOVED_APIS.values():
        assert api.instead and api.removed_in[0].isdigit()
        assert not api.call or api.requires_keyword


@pytest.mark.parametrize(
    ("specifier", "keeps"),
    [("", False), ("==2.2.5", True), ("<3", True), ("<=3.0", False), (">=1,<2.99", True), ("==3.*", False)],
)
def test_pin_keeps_api(specifier: str, keeps: bool) -> None:
    assert pin_keeps_api(specifier, "3.0") is keeps


@pytest.mark.parametrize(
    ("source", "fixed"),
    [
        ("from flask import escape\n", "from markupsafe import escape\n"),
        ("from flask import Markup as M, escape  # html\n", "from markupsafe import Markup as M, escape  # html\n"),
        ("from flask import escape, request\n", "from flask import request\nfrom markupsafe import escape\n"),
        (
            "def main():\n    from flask import request, escape as e, Markup  # html\n    return e(request.args) + Markup('')\n",
            "def main():\n    from flask import request  # html\n    from markupsafe import escape as e, Markup\n"
            "    return e(request.args) + Markup('')\n",
        ),
        ("from flask import (\n    escape,  # why\n    request,\n)\n", None),  # comments in the list: left for the user
    ],
)
def test_fix_imports_moved_names_from_markupsafe(
    tmp_path: Path, cflint: Cflint, source: str, fixed: str | None
) -> None:
    write_files(tmp_path, {"requirements.txt": "flask\n", "user.py": source})
    result = cflint("--select", "CF603", "--fix", ".")
    assert (tmp_path / "user.py").read_text(encoding="utf-8") == (fixed or source)
    assert result.code == (0 if fixed else 1)
    assert cflint("--select", "CF603", ".").codes == ([] if fixed else ["CF603"])
