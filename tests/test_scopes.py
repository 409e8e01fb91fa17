"""The scope model: every binding form, what each name is bound to and what it resolves to."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from cflint.analysis.entry import always_bound, top_level_bindings
from cflint.analysis.scopes import Binding, ScopeNode, Scopes
from cflint.analysis.traversal import Walker

_CODE = cst.Module([])


def _scope_named(module: cst.Module, name: str | None) -> ScopeNode | None:
    """The def or class called `name` (`lambda`: the first lambda); None for the module."""
    if name is None:
        return None
    walker = Walker()
    for node in walker.descendants(module):
        if isinstance(node, cst.Lambda) and name == "lambda":
            return node
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)) and node.name.value == name:
            return node
    raise AssertionError(f"no scope {name!r}")


def _describe(binding: Binding) -> str:
    text = binding.form.name + ("[]" if binding.item else "")
    return text if binding.value is None else f"{text}={_CODE.code_for_node(binding.value)}"


# (source, scope the name is used in (None: module level), name, what the scope binds it
# to, what a use of it there resolves to)
BINDING_FORMS: list[tuple[str, str | None, str, list[str], str | None]] = [
    # assignment targets
    ("x = f()", None, "x", ["ASSIGNMENT=f()"], None),
    ("x = y = 1", None, "y", ["ASSIGNMENT=1"], None),
    ("import x\na, (b, *x) = v", None, "x", ["IMPORT", "ASSIGNMENT"], None),
    ("[x, y] = v", None, "y", ["ASSIGNMENT"], None),
    ("*x = v", None, "x", ["ASSIGNMENT"], None),  # CPython refuses it, LibCST parses it
    ("x.attr = 1\nx[0] = 2", None, "x", [], "builtins.x"),
    # augmented and annotated assignment
    ("def f():\n    x += 1", "f", "x", ["AUGMENTED"], None),
    ("def f():\n    x: int = g()", "f", "x", ["ANNOTATED=g()"], None),
    ("import x\ndef f():\n    x: int", "f", "x", ["ANNOTATION"], None),
    # for, with, except
    ("for x in items:\n    pass", None, "x", ["FOR[]=items"], None),
    ("import x\nfor k, x in items:\n    pass", None, "x", ["IMPORT", "FOR"], None),
    ("with open(p) as x:\n    pass", None, "x", ["WITH=open(p)"], None),
    ("import x\nwith c as (x, y):\n    pass", None, "x", ["IMPORT", "WITH"], None),
    ("try:\n    pass\nexcept E as x:\n    pass", None, "x", ["EXCEPT"], None),
    ("try:\n    pass\nexcept* E as x:\n    pass", None, "x", ["EXCEPT"], None),
    # imports
    ("import a.b", None, "a", ["IMPORT"], "a"),
    ("import a.b as x", None, "x", ["IMPORT"], "a.b"),
    ("from a import b as x", None, "x", ["IMPORT"], "a.b"),
    ("from . import x", None, "x", ["IMPORT"], ".x"),
    ("from .m import x", None, "x", ["IMPORT"], ".m.x"),
    ("from .. import x", None, "x", ["IMPORT"], "..x"),
    ("import x\nimport x", None, "x", ["IMPORT", "IMPORT"], "x"),
    ("from a import x\nfrom b import x", None, "x", ["IMPORT", "IMPORT"], None),
    ("from m import *\n", None, "x", [], None),
    ("def f():\n    import x as y", "f", "y", ["IMPORT"], "x"),
    ("import x\ndef f():\n    pass", "f", "x", [], "x"),
    ("import x\nclass C:\n    def m(self):\n        pass", "m", "x", [], "x"),
    # def and class
    ("import x\ndef x():\n    pass", None, "x", ["IMPORT", "DEF"], None),
    ("class x:\n    pass", None, "x", ["CLASS"], None),
    # parameters of every kind
    ("def f(x, /, b):\n    pass", "f", "x", ["PARAMETER"], None),
    ("def f(a, x=1):\n    pass", "f", "x", ["PARAMETER"], None),
    ("def f(*x):\n    pass", "f", "x", ["PARAMETER"], None),
    ("def f(*, x):\n    pass", "f", "x", ["PARAMETER"], None),
    ("def f(**x):\n    pass", "f", "x", ["PARAMETER"], None),
    ("import x\ng = lambda *x: 0", "lambda", "x", ["PARAMETER"], None),
    ("import x\ndef f(x):\n    pass", None, "x", ["IMPORT"], "x"),
    # walrus: in the enclosing scope, also from a comprehension or a default
    ("def f():\n    if (x := g()):\n        pass", "f", "x", ["WALRUS=g()"], None),
    ("def f():\n    return [y for y in v if (x := y)]", "f", "x", ["WALRUS=y"], None),
    ("def f(a=(x := 1)):\n    pass", None, "x", ["WALRUS=1"], None),
    ("def f(a=(x := 1)):\n    pass", "f", "x", [], None),
    ("g = lambda: (x := 1)", "lambda", "x", ["WALRUS=1"], None),
    # comprehension variables count in the scope around the comprehension
    ("import x\ndef f():\n    return [x for x in items]", "f", "x", ["COMPREHENSION[]=items"], None),
    ("{k: x for k, x in pairs}", None, "x", ["COMPREHENSION"], None),
    ("import x\ncalls = [lambda: x for x in v]", "lambda", "x", [], None),
    # every match capture form
    ("match v:\n    case [x]:\n        pass", None, "x", ["MATCH"], None),
    ("match v:\n    case [1, *x]:\n        pass", None, "x", ["MATCH"], None),
    ("match v:\n    case {'k': 1, **x}:\n        pass", None, "x", ["MATCH"], None),
    ("match v:\n    case C(a=x):\n        pass", None, "x", ["MATCH"], None),
    ("match v:\n    case 1 | 2 as x:\n        pass", None, "x", ["MATCH"], None),
    ("match v:\n    case x:\n        pass", None, "x", ["MATCH"], None),
    ("match v:\n    case [*_] | _:\n        pass", None, "_", [], "builtins._"),
    # del
    ("import x\ndef f():\n    del x", "f", "x", ["DEL"], None),
    ("import x\ndef f():\n    del x.y, x[0]", "f", "x", [], "x"),
    # global and nonlocal redirect bindings to the scope they name
    ("import x\ndef f():\n    global x\n    x = g()", "f", "x", [], None),
    ("import x\ndef f():\n    global x\n    x = g()", None, "x", ["IMPORT", "ASSIGNMENT=g()"], None),
    ("import x\ndef f():\n    global x\n    x = g()\ndef h():\n    pass", "h", "x", [], None),
    ("def f():\n    global x\n    import x", "f", "x", [], "x"),
    ("import x\ndef f():\n    x = 1\n    def g():\n        global x\n        x", "g", "x", [], "x"),
    ("def f():\n    x = 1\n    def g():\n        nonlocal x\n        x = 2", "g", "x", [], None),
    (
        "def f():\n    x = 1\n    def g():\n        nonlocal x\n        x = 2",
        "f",
        "x",
        ["ASSIGNMENT=1", "ASSIGNMENT=2"],
        None,
    ),
    ("import x\nclass C:\n    global x\n    x = 1", None, "x", ["IMPORT", "ASSIGNMENT=1"], None),
    # `nonlocal` with no function binding the name (CPython refuses it): the binding stays local
    ("x = 0\ndef f():\n    nonlocal x\n    x = 1", "f", "x", ["ASSIGNMENT=1"], None),
    ("x = 0\ndef f():\n    nonlocal x\n    x = 1", None, "x", ["ASSIGNMENT=0"], None),
    # `nonlocal` reaches past a function that does not bind the name
    (
        "def f():\n    x = 1\n    def g():\n        def h():\n            nonlocal x\n            x = 2",
        "f",
        "x",
        ["ASSIGNMENT=1", "ASSIGNMENT=2"],
        None,
    ),
    (
        "def f():\n    x = 1\n    def g():\n        def h():\n            nonlocal x\n            x = 2",
        "h",
        "x",
        [],
        None,
    ),
    # several declarations in one function, of either kind
    (
        "def f():\n    a = b = 1\n    def g():\n        nonlocal a\n        nonlocal b\n        a = 2\n        b = 3",
        "f",
        "a",
        ["ASSIGNMENT=1", "ASSIGNMENT=2"],
        None,
    ),
    (
        "def f():\n    a = b = 1\n    def g():\n        nonlocal a\n        nonlocal b\n        a = 2\n        b = 3",
        "f",
        "b",
        ["ASSIGNMENT=1", "ASSIGNMENT=3"],
        None,
    ),
    ("def f():\n    global a\n    global x\n    a = 1\n    x = 2", None, "x", ["ASSIGNMENT=2"], None),
    ("def f():\n    global x\n    global a\n    a = 1\n    x = 2", None, "x", ["ASSIGNMENT=2"], None),
    (
        "x = 0\ndef f():\n    y = 1\n    def g():\n        nonlocal y\n        global x\n        x = 2\n        y = 3",
        None,
        "x",
        ["ASSIGNMENT=0", "ASSIGNMENT=2"],
        None,
    ),
    (
        "def f():\n    y = 1\n    def g():\n        global x\n        nonlocal y\n        y = 3",
        "f",
        "y",
        ["ASSIGNMENT=1", "ASSIGNMENT=3"],
        None,
    ),
    # type parameters and aliases
    ("def f[x]():\n    pass", "f", "x", ["TYPE_PARAMETER"], None),
    ("class C[*x]:\n    pass", "C", "x", ["TYPE_PARAMETER"], None),
    ("class C[**x]:\n    def m(self):\n        pass", "m", "x", [], None),
    ("type x = int", None, "x", ["TYPE_ALIAS"], None),
    ("def f[T: [x for x in v]]():\n    pass", None, "x", [], "builtins.x"),  # a bound is not module code
    # class bodies are not seen from functions nested in them
    ("import x\nclass C:\n    x = 1\n    def m(self):\n        pass", "m", "x", [], "x"),
    ("import x\nclass C:\n    x = 1", "C", "x", ["ASSIGNMENT=1"], None),
    # a name bound nowhere is a builtin
    ("def f():\n    pass", "f", "len", [], "builtins.len"),
    ("from m import *\ndef f():\n    pass", "f", "len", [], None),
]


@pytest.mark.parametrize(("source", "where", "name", "bound_to", "resolves_to"), BINDING_FORMS)
def test_binding_form(source: str, where: str | None, name: str, bound_to: list[str], resolves_to: str | None) -> None:
    module = cst.parse_module(textwrap.dedent(source) + "\n")
    scopes = Scopes(module, Walker())
    scope = _scope_named(module, where)
    assert [_describe(b) for b in scopes.bindings_in(scope).get(name, [])] == bound_to
    assert scopes.qualify(cst.Name(name), scope) == resolves_to
    # asking again changes nothing (redirects are applied once)
    assert [_describe(b) for b in scopes.bindings_in(scope).get(name, [])] == bound_to


@pytest.mark.parametrize(
    ("source", "followed"),
    [
        ("s = open(p)", "open(p)"),
        ("s: IO\ns = open(p)", "open(p)"),
        ("s = open(p)\ns = open(q)", None),
        ("def f():\n    global s\n    s = open(p)", None),
        ("s = open(p)\ndef f():\n    global s\n    s = None", None),
        ("s = open(p)\ndef f():\n    global s", "open(p)"),
        ("def s():\n    pass", None),
    ],
)
def test_sole_binding_is_followed_only_when_certain(source: str, followed: str | None) -> None:
    module = cst.parse_module(source + "\n")
    found = Scopes(module, Walker()).sole_binding("s", None)
    value = None if found is None or found[1].value is None else _CODE.code_for_node(found[1].value)
    assert value == followed


@pytest.mark.parametrize(
    ("source", "conditional", "always"),
    [
        ("def main():\n    pass", [False], True),
        ("if c:\n    def main():\n        pass", [True], False),
        ("if c:\n    def main():\n        pass\nelse:\n    main = None", [True, True], True),
        ("try:\n    from m import main\nexcept ImportError:\n    def main():\n        pass", [True, True], True),
        ("with c:\n    def main():\n        pass", [False], True),
        ("for main in v:\n    pass", [True], False),
        ("def f():\n    global main\n    main = 1", [], False),
        ("if (main := f()):\n    pass", [False], True),
    ],
)
def test_entry_bindings_are_the_module_code_own(source: str, conditional: list[bool], always: bool) -> None:
    scopes = Scopes(cst.parse_module(source + "\n"), Walker())
    assert [b.conditional for b in top_level_bindings(scopes, "main")] == conditional
    assert always_bound(scopes, "main") is always


@pytest.mark.parametrize(
    ("source", "expr", "where", "resolves_to"),
    [
        ("import x", "x.y.z", None, "x.y.z"),
        ("from a import b as x", "x.y", None, "a.b.y"),
        ("import x", "f().y", None, None),
        ("import x", "x[0].y", None, None),
        ("from m import *", "x.y", None, None),
        ("def f():\n    import x as y", "y.z", "f", "x.z"),
    ],
)
def test_qualify_an_attribute_chain(source: str, expr: str, where: str | None, resolves_to: str | None) -> None:
    module = cst.parse_module(source + "\n")
    assert Scopes(module).qualify(cst.parse_expression(expr), _scope_named(module, where)) == resolves_to


def test_walker_is_the_one_given_or_a_new_one() -> None:
    module = cst.parse_module("import x\n")
    walker = Walker()
    assert Scopes(module, walker).walker is walker
    assert isinstance(Scopes(module).walker, Walker)
    assert Scopes(module).qualify(cst.Name("x")) == "x"


def test_enclosing_scope() -> None:
    module = cst.parse_module("def f():\n    class C:\n        g = lambda: 0\n")
    scopes = Scopes(module)
    f, c, g = (_scope_named(module, name) for name in ("f", "C", "lambda"))
    assert scopes.enclosing_scope(g) is c  # type: ignore[arg-type]
    assert scopes.enclosing_scope(c) is f  # type: ignore[arg-type]
    assert scopes.enclosing_scope(f) is None  # type: ignore[arg-type]


def test_where_each_binding_is_made() -> None:
    source = "def f[T](a):\n    if c:\n        b = 1\n    def g():\n        pass\n"
    module = cst.parse_module(source)
    scopes = Scopes(module)
    f = _scope_named(module, "f")
    assert isinstance(f, cst.FunctionDef)
    bound = scopes.bindings_in(f)
    for name in ("a", "T"):
        (binding,) = bound[name]
        assert (binding.made_in, binding.statement, binding.enclosing, binding.conditional) == (f, f, f, False)
        assert isinstance(binding.target, cst.Name) and binding.target.value == name
    (b,) = bound["b"]
    if_statement = f.body.body[0]
    assert b.statement is if_statement and b.conditional is True
    assert isinstance(b.enclosing, cst.Assign)  # the innermost statement
    (g,) = bound["g"]
    assert g.form.name == "DEF" and g.definition is f.body.body[1] and g.statement is g.definition
    (module_f,) = scopes.bindings_in(None)["f"]
    assert module_f.definition is f and module_f.statement is f and module_f.made_in is None


@pytest.mark.parametrize(
    ("source", "where", "followed"),
    [
        ("def f():\n    s = open(p)", "f", "open(p)"),
        ("s = open(q)\ndef f():\n    s = open(p)", "f", "open(p)"),
        ("s = open(q)\ndef f():\n    pass", "f", "open(q)"),
    ],
)
def test_sole_binding_in_a_function(source: str, where: str, followed: str) -> None:
    module = cst.parse_module(source + "\n")
    found = Scopes(module).sole_binding("s", _scope_named(module, where))
    assert found is not None and found[1].value is not None
    assert _CODE.code_for_node(found[1].value) == followed


def test_lambdas_anywhere_get_their_scope_when_first_asked_for() -> None:
    """Defs and classes are found in the statements; lambdas in the expressions around them,
    when one is asked for: in an if test, a default, a decorator, a base, nested, under a
    `global` function."""
    source = textwrap.dedent(
        """\
        import os
        if (lambda: os)():
            pass
        @(lambda f: f)
        def outer(a=lambda: os, *, b=[lambda: 1 for _ in ()]):
            global os
            inner = lambda: (lambda: os)
            return inner
        class C((lambda: object)()):
            key = lambda self: self
        """
    )
    module = cst.parse_module(source)
    walker = Walker()
    scopes = Scopes(module, walker)
    lambdas = [node for node in walker.descendants(module) if isinstance(node, cst.Lambda)]
    definitions = {
        node.name.value: node for node in walker.descendants(module) if isinstance(node, cst.FunctionDef | cst.ClassDef)
    }
    enclosing = [scopes.enclosing_scope(node) for node in lambdas]
    outer, c = definitions["outer"], definitions["C"]
    # As the walk that registers them places them: a def's decorators and defaults are in its scope.
    assert enclosing == [None, outer, outer, outer, outer, lambdas[4], c, c]
    assert scopes.scope(outer).declared_global == {"os"}
    assert scopes.qualify(cst.Name("os"), lambdas[5]) == "os"
    with pytest.raises(KeyError):
        scopes.scope(cst.Lambda(cst.Parameters(), cst.Name("x")))
