"""StaticPaths: the file paths the source proves (evaluate) and the paths the deployment
provides (provided_by_deployment), for the last expression of a module."""

from __future__ import annotations

import textwrap
from pathlib import PurePosixPath

import libcst as cst
import pytest

from cflint.analysis.origins import ValueTracer
from cflint.analysis.scopes import Scopes
from cflint.analysis.static_paths import StaticPaths
from cflint.analysis.traversal import Walker

MODULE_PATH = PurePosixPath("pkg/user.py")


def _last_expression(source: str) -> tuple[StaticPaths, cst.BaseExpression]:
    module = cst.parse_module(textwrap.dedent(source))
    last = module.body[-1]
    assert isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[0], cst.Expr)
    scopes = Scopes(module, Walker())
    tracer = ValueTracer(scopes)

    def bindings(name: str) -> list[cst.BaseExpression] | None:
        found = tracer.binding_values(name, None)
        return None if found is None else [value for value, _ in found]

    return StaticPaths(MODULE_PATH, lambda expr: scopes.qualify(expr, None), bindings), last.body[0].value


def evaluated(source: str) -> str | None:
    paths, expr = _last_expression(source)
    path = paths.evaluate(expr)
    return None if path is None else str(path)


def provided(source: str) -> bool:
    paths, expr = _last_expression(source)
    return paths.provided_by_deployment(expr)


def chain(bindings: int, value: str) -> str:
    """`a1 = value`, `a2 = a1`, ... and `a<bindings>` last: that many bindings to follow."""
    lines = [f"a1 = {value}", *(f"a{n} = a{n - 1}" for n in range(2, bindings + 1)), f"a{bindings}"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # string literals: relative only
        ("'data/words.txt'", "data/words.txt"),
        ("'a' 'b.txt'", "ab.txt"),
        ("'/etc/passwd'", None),
        ("''", None),
        ("b'data.bin'", None),
        ("f'data.txt'", None),
        ("3", None),
        # __file__ and names bound once
        ("__file__", "pkg/user.py"),
        ("p = 'x.txt'\np", "x.txt"),
        ("unbound", None),
        ("p = 'x.txt'\np = 'y.txt'\np", None),
        ("def main(p):\n    return p\np", None),
        # .parent, and nothing else of an attribute
        ("from pathlib import Path\nPath(__file__).parent", "pkg"),
        ("from pathlib import Path\nPath(__file__).parent.parent", "."),
        ("from pathlib import Path\nPath(__file__).parent.parent.parent", None),
        ("from pathlib import Path\nPath(unknown).parent", None),
        ("from pathlib import Path\nPath(__file__).stem", None),
        # division
        ("from pathlib import Path\nPath(__file__).parent / 'templates' / 'a.html'", "pkg/templates/a.html"),
        ("from pathlib import Path\nPath('a') / unknown", None),
        ("from pathlib import Path\nunknown / Path('a')", None),
        ("'a' + 'b'", None),
        ("from pathlib import Path\nPath('a') // 'b'", None),
        # path classes and os.path.join: every part known
        ("from pathlib import Path\nPath('a', 'b')", "a/b"),
        ("import pathlib\npathlib.PurePosixPath('a')", "a"),
        ("from pathlib import PurePath, PosixPath\nPurePath(PosixPath('a'), 'b')", "a/b"),
        ("import os\nos.path.join('a', 'b', 'c.txt')", "a/b/c.txt"),
        ("from pathlib import Path\nPath()", None),
        ("import os\nos.path.join('a', unknown)", None),
        ("import os\nos.path.join(unknown, 'a')", None),
        ("from pathlib import Path\nPath('a', b='c')", None),
        ("import os\nos.path.join(*parts)", None),
        ("import os\nos.path.split('a')", None),
        ("open('a')", None),
        # calls that keep the path
        ("from pathlib import Path\nPath('a').resolve()", "a"),
        ("from pathlib import Path\nPath('a').absolute()", "a"),
        ("from pathlib import Path\nPath('a').expanduser()", "a"),
        ("from pathlib import Path\nPath('a').resolve(True)", None),
        ("from pathlib import Path\nPath('a').with_name('b')", None),
        ("import os\nos.path.abspath('a')", "a"),
        ("import os\nos.path.realpath('a')", "a"),
        ("import os\nos.path.normpath('a')", "a"),
        ("import os\nos.fspath('a')", "a"),
        ("str('a')", "a"),
        ("import os\nos.path.abspath('a', 'b')", None),
        ("import os\nos.path.abspath()", None),
        # os.path.dirname
        ("import os\nos.path.dirname(__file__)", "pkg"),
        ("import os\nos.path.dirname(os.path.dirname(__file__))", "."),
        ("import os\nos.path.dirname('.')", None),
        ("import os\nos.path.dirname(unknown)", None),
        ("import os\nos.path.dirname('a/b', 'c')", None),
        ("import os\nos.path.join(os.path.dirname(os.path.abspath(__file__)), 'c.json')", "pkg/c.json"),
    ],
)
def test_evaluate(source: str, expected: str | None) -> None:
    assert evaluated(source) == expected


@pytest.mark.parametrize(("bindings", "expected"), [(1, "x.txt"), (16, "x.txt"), (17, None)])
def test_evaluate_follows_at_most_sixteen_bindings(bindings: int, expected: str | None) -> None:
    assert evaluated(chain(bindings, "'x.txt'")) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # absolute paths outside the writable folders
        ("'/secrets/default/token'", True),
        ("'/var/run/secrets'", True),
        ("'/tmpfiles/x'", True),
        ("'/var/x'", True),
        ("'/'", True),
        ("'/tmp'", False),
        ("'/tmp/download.bin'", False),
        ("'/var/tmp/x'", False),
        ("'/var/tmp'", False),
        ("'/dev/shm/x'", False),
        ("'/dev/shm'", False),
        ("'config.json'", False),
        ("''", False),
        ("b'/secrets'", False),
        ("3", False),
        # f-strings: by their text before the first replacement field
        ("k = 1\nf'/configs/default/{k}'", True),
        ("k = 1\nf'/tmp/{k}'", False),
        ("k = 1\nf'{k}/configs'", False),
        ("k = 1\nf'configs/{k}'", False),
        ("f''", False),
        # .format() and +: by the literal text before the first field or the first +
        ("k = 1\n'/var/openfaas/secrets/{}'.format(k)", True),
        ("k = 1\n'/tmp/{}'.format(k)", False),
        ("k = 1\n'{}/secrets'.format(k)", False),
        ("k = 1\n'/var/openfaas/secrets/' + k", True),
        ("'/secrets' + '/x'", True),
        ("k = 1\n'/tmp/' + k", False),
        ("k = 1\nk + '/secrets'", False),
        # names bound once
        ("p = '/secrets/x'\np", True),
        ("p = '/secrets/x'\np = '/tmp/x'\np", False),
        ("unbound", False),
        ("def main(p):\n    return p\np", False),
        # the environment
        ("import os\nos.environ['CONFIG']", True),
        ("environ = {}\nenviron['CONFIG']", False),
        ("import os\nos.getenv('CONFIG')", True),
        ("import os\nos.environ.get('CONFIG')", True),
        ("from os import getenv\ngetenv('CONFIG', '/tmp/x')", True),
        ("import os\nos.getenv()", False),
        ("import os\nos.getenv(key='CONFIG')", False),
        ("import os\nos.getenv(*names)", False),
        ("import os\nos.putenv('CONFIG')", False),
        # division: by its left side
        ("from pathlib import Path\nPath('/secrets') / 'token'", True),
        ("from pathlib import Path\nPath('/tmp') / 'x'", False),
        ("from pathlib import Path\nPath('x') / '/secrets'", False),
        # calls that keep the path: by their first argument
        ("from pathlib import Path\nPath('/secrets').resolve()", True),
        ("from pathlib import Path\nPath('/secrets').absolute()", True),
        ("from pathlib import Path\nPath('/tmp/x').resolve()", False),
        ("from pathlib import Path\nPath('/secrets').resolve(True)", False),
        ("from pathlib import Path\nPath('/secrets').with_name('x')", False),
        ("from pathlib import Path\nPath('/secrets', 'token')", True),
        ("from pathlib import Path\nPath('x', '/secrets')", False),
        ("from pathlib import Path\nPath()", False),
        ("from pathlib import Path\nPath(path='/secrets')", False),
        ("import pathlib\npathlib.PurePosixPath('/secrets')", True),
        ("import os\nos.path.join('/secrets', 'x')", True),
        ("import os\nos.path.join('x', '/secrets')", False),
        ("import os\nos.path.abspath('/secrets')", True),
        ("import os\nos.fspath(os.getenv('P'))", True),
        ("str('/secrets')", True),
        ("open('/secrets')", False),
    ],
)
def test_provided_by_deployment(source: str, expected: bool) -> None:
    assert provided(source) is expected


@pytest.mark.parametrize(("bindings", "expected"), [(1, True), (16, True), (17, False)])
def test_provided_by_deployment_follows_at_most_sixteen_bindings(bindings: int, expected: bool) -> None:
    assert provided(chain(bindings, "'/secrets/x'")) is expected


DEEP = "/".join(f"d{n}" for n in range(1, 21))  # d1/d2/.../d20: sixteen parents leave d1/d2/d3/d4


def _right_nested(steps: int, leaf: str) -> str:
    return leaf if steps == 0 else f"'a' / ({_right_nested(steps - 1, leaf)})"


# Each kind of step the evaluation takes, `steps` times over: the innermost value is read
# after `steps` steps, and sixteen is the most followed.
EVALUATE_STEPS = {
    ".parent": (lambda steps: f"'{DEEP}'" + ".parent" * steps, "d1/d2/d3/d4"),
    "left of /": (lambda steps: " / ".join(["'a'"] * (steps + 1)), "/".join(["a"] * 17)),
    "right of /": (lambda steps: _right_nested(steps, "'a'"), "/".join(["a"] * 17)),
    ".resolve()": (lambda steps: "'a'" + ".resolve()" * steps, "a"),
    "Path()": (lambda steps: "from pathlib import Path\n" + "Path(" * steps + "'a'" + ")" * steps, "a"),
    "os.path.join()": (
        lambda steps: "import os\n" + "os.path.join(" * steps + "'a'" + ", 'b')" * steps,
        "/".join(["a", *["b"] * 16]),
    ),
    "str()": (lambda steps: "str(" * steps + "'a'" + ")" * steps, "a"),
    "os.path.dirname()": (
        lambda steps: "import os\n" + "os.path.dirname(" * steps + f"'{DEEP}'" + ")" * steps,
        "d1/d2/d3/d4",
    ),
}


@pytest.mark.parametrize("step", sorted(EVALUATE_STEPS))
def test_evaluate_takes_at_most_sixteen_steps_of_each_kind(step: str) -> None:
    source, sixteen = EVALUATE_STEPS[step]
    assert (evaluated(source(16)), evaluated(source(17))) == (sixteen, None)


PROVIDED_STEPS = {
    "left of /": lambda steps: " / ".join(["'/secrets'"] + ["'a'"] * steps),
    ".resolve()": lambda steps: "'/secrets'" + ".resolve()" * steps,
    "Path()": lambda steps: "from pathlib import Path\n" + "Path(" * steps + "'/secrets'" + ")" * steps,
    "str()": lambda steps: "str(" * steps + "'/secrets'" + ")" * steps,
}


@pytest.mark.parametrize("step", sorted(PROVIDED_STEPS))
def test_provided_by_deployment_takes_at_most_sixteen_steps_of_each_kind(step: str) -> None:
    source = PROVIDED_STEPS[step]
    assert (provided(source(16)), provided(source(17))) == (True, False)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("'/opt/x'", ("/opt/x", True)),
        ("k = 1\nf'/secrets/{k}/x'", ("/secrets/", False)),
        ("k = 1\n'/secrets/{}'.format(k)", ("/secrets/", False)),
        ("k = 1\n'/secrets/' + k", ("/secrets/", False)),
        ("from pathlib import Path\nPath('/opt') / 'python' / 'x'", ("/opt/python/x", True)),
        ("from pathlib import Path\nk = 1\nPath('/opt') / k / 'x'", ("/opt/", False)),
        ("import os\nos.path.join('/configs/a', 'b', 'c')", ("/configs/a/b/c", True)),
        ("import os\nos.path.join('/configs/a', '/secrets/b')", ("/secrets/b", True)),
        ("import os\nD = '/configs/a'\nos.path.join(D, 'b').strip()", None),
        ("import os\nD = '/configs/a'\nos.path.abspath(os.path.join(D, 'b'))", ("/configs/a/b", True)),
        ("from pathlib import Path\nPath('/opt').joinpath('x')", None),
        ("k = 1\nk + '/secrets'", None),
    ],
)
def test_leading_path(source: str, expected: tuple[str, bool] | None) -> None:
    paths, expr = _last_expression(source)
    lead = paths.leading_path(expr)
    assert (None if lead is None else (lead.text, lead.complete)) == expected
