"""ValueTracer: origins followed through imports, aliases and single bindings."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from cflint.analysis.bindings import ScopeNode
from cflint.analysis.origins import Origin, ValueTracer
from cflint.analysis.scopes import Scopes
from cflint.analysis.traversal import Walker

_CODE = cst.Module([])


def origin_of_last_expression(source: str) -> str | None:
    """Origin of the expression statement that ends `source`, in the function that holds it."""
    origin = _last_origin(source)
    return None if origin is None else origin.path


def _last_origin(source: str) -> Origin | None:
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
    return ValueTracer(Scopes(module, walker)).origin(statement.value, scope)


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
        # names local to a function, followed inside its calls, subscripts, awaits and divisions
        (
            "import requests\ndef main():\n    s = requests.Session()\n    r = s.get(u)\n    r.content",
            "requests.Session().get().content",
        ),
        ("import requests\ndef main():\n    r = requests.get(u)\n    r.headers['k']", "requests.get().headers[k]"),
        (
            "import httpx\nasync def main():\n    c = httpx.AsyncClient()\n    await c.get(u)",
            "httpx.AsyncClient().get()",
        ),
        ("from pathlib import Path\ndef main():\n    p = Path(a)\n    (p / 'x').open()", "pathlib.Path().open()"),
        # a Path method that gives a Path, canonical names of an imported name, any slice
        ("from pathlib import Path\nPath(a).resolve().open()", "pathlib.Path().open()"),
        ("from pathlib import Path\nPath.home().joinpath(a).open()", "pathlib.Path().open()"),
        ("from io import open\nopen(p)", "builtins.open()"),
        ("from requests.api import get\nget(u).json()", "requests.get().json()"),
        ("from flask import request\nrequest.files[1:2]", "flask.request.files[]"),
        ("from flask import request\nrequest.files['a', 'b']", "flask.request.files[]"),
        # a module global set to None, then in functions through `global`
        (
            "import boto3\ns3 = None\ndef init():\n    global s3\n    s3 = boto3.client('s3')\ns3.get_object",
            "boto3.client().get_object",
        ),
    ],
)
def test_origin(source: str, expected: str) -> None:
    assert origin_of_last_expression(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "def main():\n    requests = []\n    requests.append",
        "import requests\nrequests = []\nrequests.get",
        "import requests\ns = requests.Session()\ns = None\ns.get",
        "import requests\ns = None\ns = requests.Session()\ndef main():\n    global s\n    s = requests.Session()\ns.get",
        "import requests\ndef main(s):\n    s.get",
        "import requests\ns = requests.Session()\ndef main():\n    global s\n    s = other()\ns.get",
        "import requests\ndef outer():\n    s = requests.Session()\n    def inner():\n        nonlocal s\n        s = None\n        s.get",
        "f = open(p)\n[f for f in files]\nf.read",
        "x = x.y\nx.z",
        "a, b = open(p), open(q)\na.read",
        "import requests\ntry:\n    pass\nexcept Exception as r:\n    r.content",
        "import requests\n(requests.get(u) / 2).json",
        "(f() / 2).x",
    ],
)
def test_no_origin_when_a_binding_is_not_known(source: str) -> None:
    assert origin_of_last_expression(source) is None


def test_class_body_names_are_not_seen_from_methods() -> None:
    source = "import requests\nclass C:\n    s = requests.Session()\n    def m(self):\n        s.get"
    assert origin_of_last_expression(source) == "builtins.s.get"


def test_calls_are_the_call_nodes_behind_each_pair_of_brackets() -> None:
    source = (
        "import requests\ns = requests.Session()\nr = s.get(u)\nfor line in r.iter_lines():\n    line['k'].strip()\n"
    )
    origin = _last_origin(source)
    assert origin is not None and origin.path == "requests.Session().get().iter_lines()[][k].strip()"
    assert [_CODE.code_for_node(call) for call in origin.calls] == [
        "requests.Session()",
        "s.get(u)",
        "r.iter_lines()",
        "line['k'].strip()",
    ]
    origin = _last_origin("from pathlib import Path\np = Path(a).resolve()\np.open()\n")
    assert origin is not None and origin.path == "pathlib.Path().open()"
    assert [_CODE.code_for_node(call) for call in origin.calls] == ["Path(a)", "Path(a).resolve()", "p.open()"]


_CHAINS = {
    "attribute": ("import x\n{}", lambda n: "x" + ".a" * n, 16),
    "call": ("import x\n{}", lambda n: "x" + "()" * n, 16),
    "subscript": ("import x\n{}", lambda n: "x" + "[0]" * n, 16),
    "await": ("import x\nasync def main():\n    {}", lambda n: "(await " * n + "x" + ")" * n, 16),
    "division": ("from pathlib import Path\n{}", lambda n: "(" * n + "Path()" + " / 'a')" * n, 15),
    "name": ("import x\nv0 = x\n{}", lambda n: "".join(f"v{i + 1} = v{i}\n" for i in range(n)) + f"v{n}", 15),
}


@pytest.mark.parametrize("kind", sorted(_CHAINS))
def test_chains_are_followed_to_a_fixed_depth(kind: str) -> None:
    template, chain, longest = _CHAINS[kind]
    assert _last_origin(template.format(chain(longest))) is not None
    assert _last_origin(template.format(chain(longest + 1))) is None


def _values(source: str, name: str, where: str | None) -> list[tuple[str, str | None]] | None:
    module = cst.parse_module(textwrap.dedent(source))
    scopes = Scopes(module, Walker())
    scope = None
    if where is not None:
        scope = next(
            node
            for node in Walker().descendants(module)
            if isinstance(node, cst.FunctionDef) and node.name.value == where
        )
    found = ValueTracer(scopes).binding_values(name, scope)
    if found is None:
        return None
    return [(_CODE.code_for_node(value), None if made_in is None else made_in.name.value) for value, made_in in found]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("source", "where", "values"),
    [
        ("x = a\nif c:\n    x = b\n", None, [("a", None), ("b", None)]),
        ("def f():\n    x = a\n    x: T = b\n", "f", [("a", "f"), ("b", "f")]),
        ("x = a\ndef f():\n    pass\n", "f", [("a", None)]),
        ("def f():\n    x = a\n    with b as x:\n        pass\n", "f", [("a", "f"), ("b", "f")]),
        ("def f(x):\n    pass\n", "f", None),
        ("for x in v:\n    pass\n", None, None),
        ("x = a\nx += 1\n", None, None),
        ("x = a\ndef f():\n    global x\n    x = b\n", None, None),
        ("def f():\n    pass\n", "f", None),
    ],
)
def test_binding_values(source: str, where: str | None, values: list[tuple[str, str | None]] | None) -> None:
    assert _values(source, "x", where) == values
