"""CF309 through the CLI, against what a fresh interpreter that has imported Flask does with
the same folder, and the recorded runtime modules against a fresh import of Flask."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from cflint.knowledge.data_files import DATA_DIR, read_data_file
from scripts.record_runtime_modules import probe
from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]

SECRETS_USER = 'from secrets import get_secret\n\ndef main():\n    return get_secret("token")\n'
SECRETS_MODULE = "def get_secret(key):\n    return key.upper()\n"

# As the runtime loads a function: Flask (and Werkzeug) first, then the folder's user module.
_LOAD = """
import json, sys
import flask
app = flask.Flask("function")
sys.path.insert(0, sys.argv[1])
try:
    import user
except Exception as error:
    print(json.dumps(f"{type(error).__name__}: {error}"))
else:
    app.add_url_rule("/", "main", user.main)
    print(json.dumps(app.test_client().get("/").get_data(as_text=True)))
"""


def _load(folder: Path) -> str:
    done = subprocess.run([sys.executable, "-c", _LOAD, str(folder)], capture_output=True, text=True, check=True)
    answer: str = json.loads(done.stdout)
    return answer


def test_cf309_modules_named_like_what_the_runtime_imported(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": SECRETS_USER + "import logging, helpers\n",
            "secrets.py": SECRETS_MODULE,
            "logging.py": "LEVEL = 1\n",
            "email/__init__.py": "",
            "sched.py": "x = 1\n",  # standard library, but nothing has imported it
            "helpers.py": "x = 1\n",
            "pkg/__init__.py": "",
            "pkg/json.py": "x = 1\n",  # pkg.json, not json
            "requirements.txt": "",
        },
    )
    result = cflint("--select", "CF309", ".", cwd=tmp_path)
    assert result.code == 1
    assert result.lines == [
        "email/__init__.py:1:1: CF309 email/__init__.py is never imported: Flask has already imported the "
        "standard library's email, so `import email` gets that module, not this package; rename it",
        "logging.py:1:1: CF309 logging.py is never imported: Flask has already imported the standard "
        "library's logging, so `import logging` gets that module, not this file; rename it",
        "secrets.py:1:1: CF309 secrets.py is never imported: Flask has already imported the standard "
        "library's secrets, so `from secrets import get_secret` gets that module, not this file; rename it",
    ]


def test_cf309_agrees_with_the_runtime(tmp_path: Path, cflint: Cflint) -> None:
    failing = write_files(tmp_path / "failing", {"user.py": SECRETS_USER, "secrets.py": SECRETS_MODULE})
    assert _load(failing).startswith("ImportError: cannot import name 'get_secret' from 'secrets'")
    assert cflint("--select", "CF309", ".", cwd=failing).code == 1
    fixed = write_files(
        tmp_path / "fixed",
        {"user.py": SECRETS_USER.replace("from secrets", "from secret_store"), "secret_store.py": SECRETS_MODULE},
    )
    assert _load(fixed) == "TOKEN"
    assert cflint("--select", "CF309", ".", cwd=fixed).code == 0


def test_recorded_runtime_modules_match_a_fresh_import_of_flask() -> None:
    """The data for the running Python never names a module that Flask does not import (a false
    CF309); with the Flask release it was recorded from, it is exactly what Flask imports."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    recorded = read_data_file(DATA_DIR / "runtime_modules.toml")[version]
    fresh = probe(sys.executable)
    for key in ("startup", "flask-imports"):
        assert set(recorded[key]) <= set(fresh["startup"]) | set(fresh["flask-imports"]), key
    if (recorded["flask"], recorded["werkzeug"]) == (
        importlib.metadata.version("flask"),
        importlib.metadata.version("werkzeug"),
    ):
        assert set(recorded["startup"]) | set(recorded["flask-imports"]) == set(fresh["startup"]) | set(
            fresh["flask-imports"]
        )
