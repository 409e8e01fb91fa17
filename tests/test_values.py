"""ValueTracer: origins followed through imports, aliases and single bindings."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from cflint.analysis.origins import ValueTracer
from cflint.analysis.scopes import ScopeNode, Scopes
from cflint.engine.traversal import Walker


def _origin_of_last_expression(source: str) -> str | None:
    """Origin of the expression statement that ends `source`, in the function that holds it."""
    source = textwrap.dedent(source)
    module = cst.parse_module(source)
    walker = Walker()
    scope: ScopeNode | None = None
    statement: cst.Expr | None = None
    stack: list[tuple[cst.CSTNode, ScopeNode | None]] = [(module, None)]
    while stack:
        node, owner = stack.pop()
        if isinstance(node, cst.Expr):
            statement, scope = node, owner
        inner = node if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)) else owner
        stack.extend((child, inner) for child in reversed(walker.children(node)))
    assert statement is not None
    origin = ValueTracer(Scopes(module, walker)).origin(statement.value, scope)
    return None if origin is None else origin.path


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import requests\nrequests.get", "requests.get"),
        ("import requests as rq\nr = rq.get(u)\nr.content", "requests.get().content"),
        ("from requests import api\napi.get(u)", "requests.get()"),
        ("import requests\ns = requests.session()\ns.post(u)", "requests.Session().post()"),
        ("import requests\nwith requests.Session() as s:\n    s.get(u)", "requests.Session().get()"),
        ("from pathlib import Path\n(Path(a).parent / 'b').open()", "pathlib.Path().open()"),
        ("import io\nf = io.open(p)\nf", "builtins.open()"),
        ("from flask import request\nrequest.files['up load']", "flask.request.files[]"),
        ("from flask import request\nrequest.files['upload']", "flask.request.files[upload]"),
        (
            "import requests\nr = requests.get(u)\nfor line in r.iter_lines():\n    line",
            "requests.get().iter_lines()[]",
        ),
        ("import requests\ns = requests.Session()\ndef main():\n    s.get(u)", "requests.Session().get()"),
        ("def main():\n    f = open(p)\n    def inner():\n        f.read", "builtins.open().read"),
    ],
)
def test_origin(source: str, expected: str) -> None:
    assert _origin_of_last_expression(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "def main():\n    requests = []\n    requests.append",
        "import requests\nrequests = []\nrequests.get",
        "import requests\ns = requests.Session()\ns = None\ns.get",
        "import requests\ndef main(s):\n    s.get",
        "import requests\ns = requests.Session()\ndef main():\n    global s\n    s = other()\ns.get",
        "import requests\ndef outer():\n    s = requests.Session()\n    def inner():\n        nonlocal s\n        s = None\n        s.get",
        "f = open(p)\n[f for f in files]\nf.read",
        "x = x.y\nx.z",
        "a, b = open(p), open(q)\na.read",
        "import requests\ntry:\n    pass\nexcept Exception as r:\n    r.content",
    ],
)
def test_no_origin_when_a_binding_is_not_known(source: str) -> None:
    assert _origin_of_last_expression(source) is None


def test_class_body_names_are_not_seen_from_methods() -> None:
    source = "import requests\nclass C:\n    s = requests.Session()\n    def m(self):\n        s.get"
    assert _origin_of_last_expression(source) == "builtins.s.get"
