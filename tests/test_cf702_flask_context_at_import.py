"""CF702: Flask's context globals read while the module is imported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]


def _lint(tmp_path: Path, cflint: Cflint, source: str) -> CliResult:
    write_files(tmp_path, {"requirements.txt": "", "user.py": source})
    result = cflint("--select", "CF702", ".")
    assert result.code in (0, 1) and result.err == "", result.err
    return result


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("from flask import request\nname = request.args.get('n')\ndef main():\n    return name\n", 2),
        ("from flask import session\nuser = session['user']\ndef main():\n    return user\n", 2),
        ("import flask\nX = flask.g.x\ndef main():\n    return 'x'\n", 2),
        ("from flask import current_app as app\nDEBUG = app.config['DEBUG']\ndef main():\n    return 'x'\n", 2),
        ("from flask import request\ndef main(x=request.args):\n    return 'x'\n", 2),
        ("from flask import request\n@cache(request.path)\ndef main():\n    return 'x'\n", 2),
        ("from flask import request\nclass C:\n    a = request.method\ndef main():\n    return 'x'\n", 3),
        ("from flask import request\nif True:\n    v = request.json\ndef main():\n    return 'x'\n", 3),
        ("from flask import request\nvals = [request.args for _ in range(1)]\ndef main():\n    return 'x'\n", 2),
        ("from flask.globals import request\nm = request.method\ndef main():\n    return 'x'\n", 2),
        ("from flask import request\nif __name__ == '__main__':\n    pass\nelse:\n    m = request.method\n", 5),
    ],
)
def test_reported(tmp_path: Path, cflint: Cflint, source: str, line: int) -> None:
    result = _lint(tmp_path, cflint, source)
    assert [(code, int(text.split(":")[1])) for code, text in zip(result.codes, result.lines, strict=True)] == [
        ("CF702", line)
    ]


def test_message(tmp_path: Path, cflint: Cflint) -> None:
    result = _lint(tmp_path, cflint, "from flask import g\nx = g.user\n")
    assert result.lines == [
        "user.py:2:5: CF702 g is used when the module is imported, outside any request: Flask raises RuntimeError "
        "(working outside of application context) and the function never loads; use it inside a function"
    ]


@pytest.mark.parametrize(
    "source",
    [
        "from flask import request\ndef main():\n    return request.args.get('n', 'x')\n",
        "from flask import request\nhandler = lambda: request.args\ndef main():\n    return handler()\n",
        "from flask import request\nclass C:\n    def m(self):\n        return request.method\n",
        "from flask import request\nif __name__ == '__main__':\n    print(request.args)\n",
        "from flask import request\nR = request\ndef main():\n    return R.args\n",  # binding the proxy is fine
        "from requests import request\nr = request.method\n",
        "from flask import request\ndef main():\n    def inner(a=request.args):\n        return a\n    return inner()\n",
        "import flask\ndef main():\n    return flask.request.method\n",
    ],
)
def test_not_reported(tmp_path: Path, cflint: Cflint, source: str) -> None:
    result = _lint(tmp_path, cflint, source)
    assert (result.code, result.out) == (0, "")
