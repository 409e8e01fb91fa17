"""Decorated entry functions whose decorators come from another module of the function: the
return rules judge them when the decorator, found through the call graph, keeps the result.
Served with Flask, the judged ones fail as the findings say."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliResult, serve, write_files

Cflint = Callable[..., CliResult]

DECORATORS = """
import functools

ROUTES = {}


def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        print("called", fn.__name__)
        return fn(*args, **kwargs)

    return wrapper


def route(path):
    def register(fn):
        ROUTES[path] = fn
        return fn

    return register


def cached(fn):
    @functools.wraps(fn)
    def wrapper():
        return str(fn())

    return wrapper
"""


def _codes(cflint: Cflint, folder: Path) -> list[str]:
    result = cflint("--select", "CF2", "--color", "never", ".", cwd=folder)
    assert result.code in (0, 1), result.err
    return result.codes


@pytest.mark.parametrize(
    ("user", "codes", "status"),
    [
        ("from deco import logged\n\n@logged\ndef main():\n    return None\n", ["CF201"], 500),
        ("import deco\n\n@deco.logged\ndef main():\n    return {'n': {1}}\n", ["CF206"], 500),
        ("from deco import route\n\n@route('/')\ndef main():\n    pass\n", ["CF203"], 500),
        ("from deco import logged, route\n\n@route('/')\n@logged\ndef main():\n    return 'x', 999\n", ["CF205"], 999),
        # a wrapper that changes the result: not judged, and it does answer
        ("from deco import cached\n\n@cached\ndef main():\n    return None\n", [], 200),
    ],
)
def test_decorators_of_another_module(cflint: Cflint, tmp_path: Path, user: str, codes: list[str], status: int) -> None:
    write_files(tmp_path, {"deco.py": textwrap.dedent(DECORATORS), "user.py": user})
    assert _codes(cflint, tmp_path) == codes
    assert serve(tmp_path).status == status


def test_a_decorator_of_an_unknown_module_is_opaque(cflint: Cflint, tmp_path: Path) -> None:
    write_files(tmp_path, {"user.py": "from deco import logged\n\n@logged\ndef main():\n    return None\n"})
    assert _codes(cflint, tmp_path) == []


def test_cf804_judges_an_entry_decorated_from_another_module(cflint: Cflint, tmp_path: Path) -> None:
    user = "from deco import logged\n\n@logged\ndef main():\n    return {'statusCode': 400, 'body': 'bad'}\n"
    write_files(tmp_path, {"deco.py": textwrap.dedent(DECORATORS), "user.py": user})
    result = cflint("--select", "CF804", "--color", "never", ".", cwd=tmp_path)
    assert result.codes == ["CF804"], result.out + result.err
    assert (serve(tmp_path).status, serve(tmp_path).body) == (200, '{"body":"bad","statusCode":400}\n')
