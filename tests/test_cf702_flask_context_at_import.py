"""CF702: Flask's context globals read while the module is imported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.forked_python import run_python
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


# Through calls: a module-level call into the root's own functions that reaches a context global.
_ENTRY = "from flask import current_app, request\n\n\ndef main():\n    level = current_app.config.get('LEVEL')\n    return f'{level}'\n\n\n"
THROUGH_CALLS = {
    "entry_called": ({"user.py": _ENTRY + "main()\n"}, [(9, "main() at line 9 reaches current_app at line 5")]),
    "other_module": (
        {
            "user.py": "from settings import load\n\n\ndef main():\n    return 'ok'\n\n\nSETTINGS = load()\n",
            "settings.py": "from flask import g\n\n\ndef load():\n    return g.settings\n",
        },
        [(8, "load() at line 8 reaches g at settings.py:5")],
    ),
    "decorator": (
        {
            "user.py": (
                "from flask import request\n\n\ndef audit(fn):\n    print(request.path)\n    return fn\n\n\n"
                "@audit\ndef main():\n    return 'ok'\n"
            )
        },
        [(9, "the decorator audit() at line 9 reaches request at line 5")],
    ),
    "two_levels_in_a_class_body": (
        {
            "user.py": (
                "from flask import session\n\n\ndef user():\n    return session['user']\n\n\n"
                "def owner():\n    return user()\n\n\nclass Config:\n    OWNER = owner()\n"
            )
        },
        [(13, "owner() at line 13 reaches session at line 5")],
    ),
    "instance_made_at_import": (
        {
            "user.py": (
                "from flask import current_app\n\n\nclass Config:\n    def __init__(self):\n"
                "        self.level = current_app.config.get('LEVEL')\n\n\nCONFIG = Config()\n\n\n"
                "def main():\n    return f'{CONFIG.level}'\n"
            )
        },
        [(9, "Config() at line 9 reaches current_app at line 6")],
    ),
    "instance_of_another_modules_class": (
        {
            "user.py": "from settings import Settings\n\n\ndef main():\n    return 'ok'\n\n\nSETTINGS = Settings()\n",
            "settings.py": (
                "from flask import request\n\n\ndef read():\n    return request.args\n\n\n"
                "class Settings:\n    def __init__(self):\n        self.args = read()\n"
            ),
        },
        [(8, "Settings() at line 8 reaches request at settings.py:5")],
    ),
}


_CONFIG = "from flask import g\n\nclass Config:\n    def __init__(self):\n        self.level = g.level\n\n"


def _lint_files(tmp_path: Path, cflint: Cflint, files: dict[str, str]) -> CliResult:
    write_files(tmp_path, {"requirements.txt": "flask\n", **files})
    result = cflint("--select", "CF702", "--color", "never", ".")
    assert result.code in (0, 1) and result.err == "", result.err
    return result


@pytest.mark.parametrize("case", THROUGH_CALLS, ids=str)
def test_reported_through_calls(tmp_path: Path, cflint: Cflint, case: str) -> None:
    files, expected = THROUGH_CALLS[case]
    result = _lint_files(tmp_path, cflint, files)
    found = [(int(line.split(":")[1]), line.split(" CF702 ")[1].split(" when the module")[0]) for line in result.lines]
    assert found == expected, result.out


@pytest.mark.parametrize("case", THROUGH_CALLS, ids=str)
def test_importing_the_reported_modules_fails_in_flask(tmp_path: Path, case: str) -> None:
    """Ground truth: the import the runtime makes raises Flask's RuntimeError."""
    files, _ = THROUGH_CALLS[case]
    write_files(tmp_path, files)
    completed = run_python("import user", cwd=tmp_path, first_on_path=tmp_path)
    assert "RuntimeError: Working outside of" in completed.stderr, completed.stderr


def test_the_through_calls_message(tmp_path: Path, cflint: Cflint) -> None:
    result = _lint_files(tmp_path, cflint, {"user.py": _ENTRY + "main()\n"})
    assert result.lines == [
        "user.py:9:1: CF702 main() at line 9 reaches current_app at line 5 when the module is imported, outside "
        "any request: Flask raises RuntimeError (working outside of application context) and the function never "
        "loads; call it from inside a request (from the entry function), not at import"
    ]


@pytest.mark.parametrize(
    "source",
    [
        _ENTRY + "if __name__ == '__main__':\n    main()\n",
        _ENTRY + "try:\n    main()\nexcept RuntimeError:\n    pass\n",
        _ENTRY + "from flask import Flask\napp = Flask(__name__)\nwith app.app_context():\n    main()\n",
        _ENTRY
        + "def safe():\n    try:\n        return main()\n    except RuntimeError:\n        return None\n\nsafe()\n",
        _ENTRY + "handler = lambda: main()\n",
        _ENTRY + "def later():\n    return main()\n",
        _ENTRY
        + "def check():\n    from flask import has_request_context\n    if has_request_context():\n        return main()\n\ncheck()\n",
        "from flask import request\n\ndef main(x=request):\n    return 'ok'\n\nmain()\n",  # binding the proxy is fine
        # an instance whose __init__ may not run (__new__, a metaclass), that inherits it, or made later
        _CONFIG.replace("class Config:", "class Config:\n    def __new__(cls):\n        return object()\n")
        + "C = Config()\n",
        _CONFIG.replace("class Config:", "class Config(metaclass=type):") + "C = Config()\n",
        _CONFIG + "class Child(Config):\n    pass\n\nC = Child()\n",
        _CONFIG + "def main():\n    return str(Config().level)\n",
    ],
)
def test_not_reported_through_calls(tmp_path: Path, cflint: Cflint, source: str) -> None:
    result = _lint_files(tmp_path, cflint, {"user.py": source})
    assert (result.code, result.out) == (0, ""), result.out
