"""ValueInference: the kind of an expression, only when the source proves it."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from cflint.analysis.inference import ScopeChain, ValueInference, accepts_wsgi_call
from cflint.analysis.kinds import Kind, Value
from cflint.analysis.scopes import Scopes
from cflint.analysis.traversal import Walker


def _last_expression(module: cst.Module, walker: Walker) -> tuple[cst.BaseExpression, ScopeChain]:
    """The expression statement that ends the module, with the functions around it (innermost first)."""
    found: tuple[cst.BaseExpression, ScopeChain] | None = None
    stack: list[tuple[cst.CSTNode, ScopeChain]] = [(module, (module,))]
    while stack:
        node, chain = stack.pop()
        if isinstance(node, cst.Expr):
            found = (node.value, chain)
        inner = (node, *chain) if isinstance(node, cst.FunctionDef) else chain
        stack.extend((child, inner) for child in reversed(walker.children(node)))
    assert found is not None
    return found


def infer_last(source: str) -> Value | None:
    module = cst.parse_module(textwrap.dedent(source) + "\n")
    walker = Walker()
    expr, chain = _last_expression(module, walker)
    return ValueInference(walker, Scopes(module, walker)).infer(expr, chain)


# (source ending in an expression statement, its kind, how the kind is known)
KNOWN: list[tuple[str, Kind, str]] = [
    # literals
    ("None", Kind.NONE, ""),
    ("True", Kind.BOOL, ""),
    ("False", Kind.BOOL, ""),
    ("1", Kind.INT, ""),
    ("1.5", Kind.FLOAT, ""),
    ("1j", Kind.COMPLEX, ""),
    ("f'{a}'", Kind.STR, ""),
    ("'s'", Kind.STR, ""),
    ("b's'", Kind.BYTES, ""),
    ("Rb's'", Kind.BYTES, ""),
    ("'a' 'b'", Kind.STR, ""),
    ("b'a' b'b'", Kind.BYTES, ""),
    # displays and comprehensions
    ("{}", Kind.DICT, ""),
    ("{k: v for k, v in x}", Kind.DICT, ""),
    ("[]", Kind.LIST, ""),
    ("[a for a in b]", Kind.LIST, ""),
    ("{1}", Kind.SET, ""),
    ("{a for a in b}", Kind.SET, ""),
    ("(1, 2)", Kind.TUPLE, ""),
    ("(a for a in b)", Kind.GENERATOR, ""),
    ("lambda: 0", Kind.FUNCTION, "a lambda"),
    # unary operations
    ("not x", Kind.BOOL, ""),
    ("-1", Kind.INT, ""),
    ("-True", Kind.INT, ""),
    ("~False", Kind.INT, ""),
    ("-1.5", Kind.FLOAT, ""),
    ("+1j", Kind.COMPLEX, ""),
    # binary operations
    ("'%s' % x", Kind.STR, ""),
    ("'a' + 'b'", Kind.STR, ""),
    ("1 + 2", Kind.INT, ""),
    ("1 - True", Kind.INT, ""),
    ("1 * 2", Kind.INT, ""),
    ("7 // 2", Kind.INT, ""),
    ("7 % 2", Kind.INT, ""),
    ("1 / 2", Kind.FLOAT, ""),
    ("1j / 2", Kind.COMPLEX, ""),
    ("1 / 2j", Kind.COMPLEX, ""),
    ("1.0 + 2", Kind.FLOAT, ""),
    ("1 + 2.0", Kind.FLOAT, ""),
    ("1 + 2j", Kind.COMPLEX, ""),
    ("1.0 * 2j", Kind.COMPLEX, ""),
    ("2.0 ** 3", Kind.FLOAT, ""),
    ("(x := 1)", Kind.INT, ""),
    ("x = 1\n(y := x)", Kind.INT, "via 'x'"),
    # names
    ("def f():\n    pass\nf", Kind.FUNCTION, "function 'f'"),
    ("len", Kind.FUNCTION, "the builtin 'len'"),
    ("x = 1\nx", Kind.INT, "via 'x'"),
    ("x = 1\ny = x\ny", Kind.INT, "via 'x', via 'y'"),
    ("x = print(1)\nx", Kind.NONE, "print() returns None, via 'x'"),
    ("x = 1\ndef f():\n    x", Kind.INT, "via 'x'"),
    ("def f():\n    x = 1\n    def g():\n        x", Kind.INT, "via 'x'"),
    ("x = lambda: 0\nx", Kind.FUNCTION, "a lambda, via 'x'"),
    # calls with a documented result
    ("str(1)", Kind.STR, "str() result"),
    ("len(x)", Kind.INT, "len() result"),
    ("float(x)", Kind.FLOAT, "float() result"),
    ("isinstance(x, int)", Kind.BOOL, "isinstance() result"),
    ("sorted(x)", Kind.LIST, "sorted() result"),
    ("range(3)", Kind.RANGE, "range() result"),
    ("print(1)", Kind.NONE, "print() returns None"),
    ("import time\ntime.sleep(1)", Kind.NONE, "time.sleep() returns None"),
    ("import json\njson.dumps(x)", Kind.STR, "json.dumps() text"),
    ("from flask import json\njson.dumps(x)", Kind.STR, "flask.json.dumps() text"),
    ("import flask\nflask.jsonify(x)", Kind.RESPONSE, "flask.jsonify() result"),
    ("from flask import make_response\nmake_response(x)", Kind.RESPONSE, "flask.make_response() result"),
    # methods of a value of known kind
    ("[].append(1)", Kind.NONE, "list.append() returns None"),
    ("x = []\nx.sort()", Kind.NONE, "list.sort() returns None"),
    ("{}.keys()", Kind.DICT_VIEW, "dict.keys() result"),
    ("{}.copy()", Kind.DICT, "dict.copy() result"),
    ("{1}.add(2)", Kind.NONE, "set.add() returns None"),
    ("'a'.encode()", Kind.BYTES, "str.encode() result"),
    ("'a'.split()", Kind.LIST, "str.split() result"),
    ("'a'.upper().strip()", Kind.STR, "str.strip() result"),
    # calls of plain functions of the file
    ("def f():\n    pass\nf()", Kind.NONE, "f() returns no value"),
    ("def f():\n    return\nf()", Kind.NONE, "f() returns no value"),
    ("def f():\n    if a:\n        return None\n    x = 1\nf()", Kind.NONE, "f() returns no value"),
    ("def f():\n    def g():\n        return 1\n    g()\nf()", Kind.NONE, "f() returns no value"),
    ("def f():\n    def g():\n        yield 1\n    g\nf()", Kind.NONE, "f() returns no value"),
    ("def g() -> None:\n    log()\ndef f():\n    g()\nf()", Kind.NONE, "f() returns no value"),
    ("def g():\n    yield 1\ng()", Kind.GENERATOR, "g() is a generator function"),
    ("def g():\n    x = yield\ng()", Kind.GENERATOR, "g() is a generator function"),
    # exception objects: caught by except ... as, or made by calling an exception class
    ("try:\n    pass\nexcept ValueError as e:\n    e", Kind.EXCEPTION, "'e', caught by except ValueError"),
    ("try:\n    pass\nexcept* OSError as eg:\n    eg", Kind.EXCEPTION, "'eg', caught by except OSError"),
    (
        "try:\n    pass\nexcept KeyError as e:\n    pass\nexcept OSError as e:\n    e",
        Kind.EXCEPTION,
        "'e', caught by 2 except clauses",
    ),
    ("ValueError('x')", Kind.EXCEPTION, "ValueError(...)"),
    ("class E(KeyError):\n    pass\nclass F(E, ValueError):\n    pass\nF()", Kind.EXCEPTION, "F(...)"),
]

UNKNOWN = [
    "x",
    "nosuch",  # not bound, and no builtin of that name
    "-'a'",
    "-x",
    "'a' + 1",
    "'a' * 2",
    "x + 1",
    "1 + x",
    "2 ** 3",  # 2 ** -1 is a float
    "1 << 2",
    "1 @ 2",
    "x[0]",
    "for x in v:\n    pass\nx",
    "for x in [1, 2]:\n    pass\nx",
    "def f():\n    str = make()\n    str(1)",
    "from typing import NoReturn\ndef stop() -> NoReturn:\n    log()\ndef f():\n    stop()\nf()",
    "def stop():\n    raise ValueError('x')\ndef f():\n    stop()\nf()",
    "def f():\n    f()\nf()",  # whether f returns hangs on itself: it ends in a RecursionError
    "def f(x):\n    x",
    "x = 1\nx = 2\nx",
    "from m import *\nx = 1\nx",
    "from m import *\nx",
    "x = y\nx",
    "class C:\n    x = 1\n    def m(self):\n        x",
    "import os\nos.getcwd()",
    "x.append(1)",
    "(1).bit_length()",
    "b'a'.decode()",
    "'a'.nosuch()",
    "f()",
    "@dec\ndef f():\n    pass\nf()",
    "@dec\ndef f():\n    pass\nf",
    "async def f():\n    pass\nf()",
    "def f():\n    return 1\nf()",
    "def f():\n    if a:\n        return None\n    return x\nf()",
    "def f():\n    raise E\nf()",
    "class C:\n    pass\nC()",
    "(lambda: 0)()",
    "e = 1\ntry:\n    pass\nexcept ValueError as e:\n    e",  # also bound otherwise
    "try:\n    pass\nexcept ValueError as e:\n    pass\ndef f():\n    e",  # not this scope's
    "class E(Base):\n    pass\nE()",
    "class E(Exception, metaclass=M):\n    pass\nE()",
    "import requests\nrequests.RequestException('x')",  # a class of a package: not evidently an exception
    "from werkzeug.exceptions import NotFound\nNotFound()",
    "try:\n    pass\nexcept UNKNOWN as e:\n    e",  # a name of the file: may be anything
    "class Mine(HTTPError):\n    pass\ntry:\n    pass\nexcept Mine as e:\n    e",
    "import dataclasses\n@dataclasses.dataclass\nclass E(Exception):\n    pass\ntry:\n    pass\nexcept E as e:\n    e",
    "class E(Exception):\n    def __call__(self, environ, start_response):\n        pass\nE()",  # a WSGI app
    "class E(Exception):\n    __html__ = str\nE()",  # Flask's JSON provider sends its __html__()
    "import dataclasses\n@dataclasses.dataclass\nclass E(Exception):\n    code: int = 1\nE()",  # JSON encodes it
]


@pytest.mark.parametrize(("source", "kind", "origin"), KNOWN)
def test_known_kind(source: str, kind: Kind, origin: str) -> None:
    value = infer_last(source)
    assert value is not None
    assert (value.kind, value.origin, value.json_text) == (kind, origin, origin.endswith("dumps() text"))


@pytest.mark.parametrize("source", UNKNOWN)
def test_unknown_kind(source: str) -> None:
    assert infer_last(source) is None


@pytest.mark.parametrize(
    ("source", "wsgi"),
    [
        ("lambda environ, start_response: []", True),
        ("lambda: 0", False),
        ("def app(environ, start_response):\n    pass\napp", True),
        ("def app():\n    pass\napp", False),
        ("app = lambda e, s: []\napp", True),
        ("len", False),
    ],
)
def test_wsgi_callable_values(source: str, wsgi: bool) -> None:
    value = infer_last(source)
    assert value is not None and value.kind is Kind.FUNCTION
    assert value.wsgi_callable is wsgi


@pytest.mark.parametrize(
    ("source", "maybe_http"),
    [
        ("try:\n    pass\nexcept ValueError as e:\n    e", False),
        ("try:\n    pass\nexcept Exception as e:\n    e", False),
        ("import requests\ntry:\n    pass\nexcept requests.RequestException as e:\n    e", False),
        ("from werkzeug.exceptions import NotFound\ntry:\n    pass\nexcept (ValueError, NotFound) as e:\n    e", True),
        ("from flask_smorest import abort\ntry:\n    pass\nexcept abort.Error as e:\n    e", True),
        ("try:\n    pass\nexcept* ValueError as e:\n    e", False),
    ],
)
def test_an_exception_that_may_be_werkzeugs_http_exception_counts_as_callable(source: str, maybe_http: bool) -> None:
    """Flask sends an HTTPException as its error page (it calls it as a WSGI app)."""
    value = infer_last(source)
    assert value is not None and value.kind is Kind.EXCEPTION
    assert value.wsgi_callable is maybe_http


def test_json_text_is_kept_through_names() -> None:
    assert infer_last("import json\nx = json.dumps(a)\nx") == Value(
        Kind.STR, "json.dumps() text, via 'x'", json_text=True
    )


@pytest.mark.parametrize(
    ("params", "wsgi"),
    [
        ("environ, start_response", True),
        ("environ, /, start_response", True),
        ("environ", False),
        ("environ=None", False),
        ("*args", True),
        ("environ, *args", True),
        ("environ=None, *args", True),
        ("a, b, c", False),
        ("a, b, c=1", True),
        ("a=1, b=2, c=3", True),
        ("a, b, *, k", False),
        ("a, b, *, k=1", True),
        ("**kwargs", False),
    ],
)
def test_accepts_wsgi_call(params: str, wsgi: bool) -> None:
    definition = cst.parse_statement(f"def app({params}):\n    pass\n")
    assert isinstance(definition, cst.FunctionDef)
    assert accepts_wsgi_call(definition.params) is wsgi


_CHAINS = {
    "names": lambda n: "v0 = 1\n" + "".join(f"v{i + 1} = v{i}\n" for i in range(n)) + f"v{n}",
    "walrus": lambda n: "(x := " * n + "1" + ")" * n,
    "unary": lambda n: "-" * n + "1",
    "binary": lambda n: "(" * n + "1" + " + 1)" * n,
    "binary, right": lambda n: "(1 + " * n + "1" + ")" * n,
    "names to a helper call": lambda n: (
        "def f():\n    pass\nv0 = f()\n" + "".join(f"v{i + 1} = v{i}\n" for i in range(n)) + f"v{n}"
    ),
    "methods": lambda n: "'a'" + ".upper()" * n,
}


@pytest.mark.parametrize("kind", sorted(_CHAINS))
def test_chains_are_followed_to_a_fixed_depth(kind: str) -> None:
    chain = _CHAINS[kind]
    longest = max(n for n in range(40) if infer_last(chain(n)) is not None)
    assert infer_last(chain(longest + 1)) is None
    assert (
        longest
        == {
            "names": 15,
            "walrus": 16,
            "unary": 16,
            "binary": 16,
            "methods": 16,
            "binary, right": 16,
            "names to a helper call": 14,
        }[kind]
    )


def test_one_inference_answers_for_several_helpers_and_again() -> None:
    source = "def quiet():\n    pass\ndef loud():\n    raise ValueError('x')\nquiet()\nloud()\nquiet()\nloud()\n"
    module = cst.parse_module(source)
    walker = Walker()
    inference = ValueInference(walker, Scopes(module, walker))
    calls = [statement.body[0].value for statement in module.body[2:]]  # type: ignore[attr-defined]
    kinds = [inference.infer(call, (module,)) for call in calls]
    assert [None if value is None else value.kind for value in kinds] == [Kind.NONE, None, Kind.NONE, None]


@pytest.mark.parametrize(
    ("source", "maybe_http"),
    [
        # `except Exception` holds an HTTPException when its `try` aborts or raises one itself
        ("from flask import abort\ntry:\n    abort(404)\nexcept Exception as e:\n    e", True),
        ("from werkzeug.exceptions import NotFound\ntry:\n    raise NotFound()\nexcept Exception as e:\n    e", True),
        ("from werkzeug.exceptions import NotFound\ntry:\n    raise NotFound\nexcept Exception as e:\n    e", True),
        ("try:\n    raise errors[0]\nexcept Exception as e:\n    e", True),  # not known: it may be one
        ("try:\n    work()\nexcept Exception as e:\n    e", False),
        ("try:\n    raise ValueError('x')\nexcept Exception as e:\n    e", False),
        ("try:\n    try:\n        work()\n    except ValueError:\n        raise\nexcept Exception as e:\n    e", False),
        (
            "from werkzeug.exceptions import NotFound\ntry:\n    def f():\n        raise NotFound()\n"
            "except Exception as e:\n    e",
            False,
        ),  # the raise of a function the try only defines
        ("from flask import abort\ntry:\n    abort(404)\nexcept* Exception as e:\n    e", False),  # an ExceptionGroup
        ("from flask import abort\nif a:\n    try:\n        abort(404)\n    except Exception as e:\n        e", True),
        # names imported in the function
        (
            "def f():\n    from flask import abort\n    try:\n        abort(404)\n    except Exception as e:\n        e",
            True,
        ),
        (
            "def f():\n    from werkzeug.exceptions import NotFound\n    try:\n        raise NotFound()\n"
            "    except Exception as e:\n        e",
            True,
        ),
    ],
)
def test_except_exception_holds_what_its_try_raises(source: str, maybe_http: bool) -> None:
    value = infer_last(source)
    assert value is not None and value.kind is Kind.EXCEPTION
    assert value.wsgi_callable is maybe_http


def _class_chain(length: int) -> str:
    """`length` classes of the file, each deriving from the one before, the first from Exception."""
    return "class C0(Exception):\n    pass\n" + "".join(f"class C{i}(C{i - 1}):\n    pass\n" for i in range(1, length))


@pytest.mark.parametrize(("length", "known"), [(15, True), (16, False)])
def test_a_chain_of_classes_is_followed_to_its_limit(length: int, known: bool) -> None:
    made = infer_last(_class_chain(length) + f"C{length - 1}()")
    caught = infer_last(_class_chain(length) + f"try:\n    pass\nexcept C{length - 1} as e:\n    e")
    assert (made is not None, caught is not None) == (known, known)
    if made is not None:
        assert made.wsgi_callable is False  # an instance of a class of the file is never werkzeug's


def test_an_instance_of_an_exception_class_of_the_file_is_not_sendable() -> None:
    assert infer_last("class E(Exception):\n    pass\nE()") == Value(Kind.EXCEPTION, "E(...)", wsgi_callable=False)


def test_a_name_caught_in_a_function_is_the_exception() -> None:
    value = infer_last("def f():\n    try:\n        pass\n    except ValueError as e:\n        e")
    assert value == Value(Kind.EXCEPTION, "'e', caught by except ValueError", wsgi_callable=False)
