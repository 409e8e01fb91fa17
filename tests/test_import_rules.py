"""CF301, CF303, CF305 and CF601 through the CLI: every import form, aliases, imports in
functions and under `if TYPE_CHECKING:`, the guide's examples."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import GUIDE_FIXTURES, CliResult, write_files

Cflint = Callable[..., CliResult]


def _lint(cflint: Cflint, folder: Path, files: dict[str, str], select: str) -> list[str]:
    write_files(folder, files)
    result = cflint("--select", select, ".", cwd=folder)
    assert result.code in (0, 1), result.err
    return [line.split(": ", 1)[0] + " " + line.split(": ", 1)[1].split(" ", 1)[0] for line in result.lines]


IMPORT_FORMS = """\
import numpy
import os, numpy.linalg as la
from pandas import DataFrame
from sklearn.linear_model import LinearRegression as LR
import numpyro
import importlib
from importlib import import_module as load

def main():
    import torch
    importlib.import_module("cv2")
    __import__("tensorflow.keras")
    load("scipy")
    importlib.import_module(".relative", "pkg")
    return "ok"
"""


def test_cf301_each_import_form_at_its_alias(tmp_path: Path, cflint: Cflint) -> None:
    assert _lint(cflint, tmp_path, {"user.py": IMPORT_FORMS}, "CF301") == [
        "user.py:1:8 CF301",
        "user.py:2:12 CF301",
        "user.py:3:6 CF301",
        "user.py:4:6 CF301",
        "user.py:10:12 CF301",
        "user.py:11:29 CF301",
        "user.py:12:16 CF301",
        "user.py:13:10 CF301",
    ]


def test_cf301_message_names_distribution_and_reason(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": "import cv2\n"})
    result = cflint("--select", "CF301", ".", cwd=tmp_path)
    assert result.lines == [
        "user.py:1:8: CF301 cv2 comes from opencv-python, which the runtime cannot install (C++ extension modules)"
    ]


def test_cf301_shadowed_importer_is_not_trusted(tmp_path: Path, cflint: Cflint) -> None:
    source = "def import_module(name):\n    return name\n\ndef main():\n    return import_module('numpy')\n"
    assert _lint(cflint, tmp_path, {"user.py": source}, "CF301") == []


def test_cf301_config_changes_the_catalogue(tmp_path: Path, cflint: Cflint) -> None:
    files = {
        "user.py": "import numpy\nimport shapely\nimport tensorflow\n",
        "cflint.toml": 'allow-packages = ["NumPy", "tensorflow-cpu"]\nextend-unsupported-packages = ["Shapely"]\n',
    }
    assert _lint(cflint, tmp_path, files, "CF301") == ["user.py:2:8 CF301"]
    write_files(tmp_path, {"cflint.toml": 'unsupported-packages = ["shapely"]\n'})
    assert _lint(cflint, tmp_path, {}, "CF301") == ["user.py:2:8 CF301"]


CF303_SOURCE = """\
from __future__ import annotations
import json, os.path
from typing import TYPE_CHECKING
import flask, jinja2, markupsafe, werkzeug.exceptions, click, blinker, itsdangerous
import yaml
from dateutil import parser
import helpers
from pkg.sub import thing
import numpy
import boto3
from google.cloud import storage
if TYPE_CHECKING:
    import mypy_boto3_s3
try:
    import ujson
except ImportError:
    ujson = None

def main():
    import urllib3
    import httpx
    try:
        import redis
    except Exception:
        return "failed"
    return "ok"
"""


def test_cf303_reports_only_undeclared_third_party_imports(tmp_path: Path, cflint: Cflint) -> None:
    files = {
        "user.py": CF303_SOURCE,
        "helpers.py": "",
        "pkg/__init__.py": "",
        "pkg/sub.py": "thing = 1\n",
        "requirements.txt": "PyYAML\npython_dateutil>=2.8\nrequests\n",
    }
    # numpy is CF301's; mypy_boto3_s3 is never imported at run time; redis is guarded by
    # `except Exception`, which catches ImportError; urllib3 comes only through requests.
    assert _lint(cflint, tmp_path, files, "CF303") == [
        "user.py:10:8 CF303",
        "user.py:11:6 CF303",
        "user.py:20:12 CF303",
        "user.py:21:12 CF303",
    ]
    result = cflint("--select", "CF303", ".", cwd=tmp_path)
    assert "user.py:20:12: CF303 urllib3 is imported, but it is installed only through requests; " in result.out


def test_cf303_declared_in_an_included_file_and_by_namespace_name(tmp_path: Path, cflint: Cflint) -> None:
    files = {
        "user.py": "import boto3\nfrom google.cloud import storage\nimport jwt\n",
        "requirements.txt": "-r base.txt\ngoogle-cloud-storage\n",
        "base.txt": "boto3 ; python_version >= '3.8'\nPyJWT\n",
    }
    assert _lint(cflint, tmp_path, files, "CF303") == []


def test_cf303_without_requirements_file(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": "import requests\n"})
    result = cflint("--select", "CF303", ".", cwd=tmp_path)
    assert result.lines == ["user.py:1:8: CF303 requests is imported, but the function folder has no requirements.txt"]


def test_cf303_silent_when_a_requirement_cannot_be_named(tmp_path: Path, cflint: Cflint) -> None:
    files = {"user.py": "import mylib\n", "requirements.txt": "./vendor/mylib\n"}
    assert _lint(cflint, tmp_path, files, "CF303") == []


def test_cf303_marker_excluding_the_runtime_does_not_provide(tmp_path: Path, cflint: Cflint) -> None:
    files = {"user.py": "import requests\n", "requirements.txt": "requests ; sys_platform == 'win32'\n"}
    assert _lint(cflint, tmp_path, files, "CF303") == ["user.py:1:8 CF303"]


@pytest.mark.parametrize(
    ("example", "entry"),
    [
        (path.name, "handlers.get_user" if path.stem == "handlers" else "user.main")
        for path in sorted(GUIDE_FIXTURES.glob("*.py"))
    ],
)
def test_guide_examples_have_no_dependency_findings(example: str, entry: str, tmp_path: Path, cflint: Cflint) -> None:
    module = entry.split(".")[0]
    shutil.copy(GUIDE_FIXTURES / example, tmp_path / f"{module}.py")
    shutil.copy(GUIDE_FIXTURES / "requirements.txt", tmp_path / "requirements.txt")
    result = cflint("--select", "CF3,CF6", "--entry-points", entry, ".", cwd=tmp_path)
    assert result.code == 0, result.out + result.err


def test_cf305_only_in_top_level_modules(tmp_path: Path, cflint: Cflint) -> None:
    files = {
        "user.py": "from . import helpers\nfrom .helpers import greet\nimport helpers\n",
        "helpers.py": "def greet():\n    return 'hi'\n",
        "pkg/__init__.py": "from . import mod\n",
        "pkg/mod.py": "from .. import helpers\nfrom . import other\n",
    }
    assert _lint(cflint, tmp_path, files, "CF305") == [
        "pkg/mod.py:1:6 CF305",
        "user.py:1:6 CF305",
        "user.py:2:6 CF305",
    ]


OPTIONAL_IMPORTS = """\
try:
    from helpers import greet
except ImportError:
    from .helpers import greet
try:
    from .config import settings
except (ModuleNotFoundError, ValueError):
    from config import settings
try:
    import tools
except ImportError:
    from . import tools
try:
    from helpers import greet
except ImportError:
    from .tools import greet
try:
    from .helpers import greet
except ImportError:
    greet = None
try:
    from helpers import greet
except KeyError:
    from .helpers import greet
"""


def test_cf305_optional_import_idiom_is_not_reported(tmp_path: Path, cflint: Cflint) -> None:
    files = {
        "user.py": OPTIONAL_IMPORTS,
        "helpers.py": "def greet():\n    return 'hi'\n",
        "config.py": "settings = {}\n",
        "tools.py": "def greet():\n    return 'hi'\n",
    }
    assert _lint(cflint, tmp_path, files, "CF305") == [
        "user.py:16:10 CF305",  # the fallback imports another module than the absolute import
        "user.py:18:10 CF305",  # no absolute import of helpers: greet is always None
        "user.py:24:10 CF305",  # KeyError does not catch the failed import
    ]


def test_cf305_relative_import_above_the_function_root(tmp_path: Path, cflint: Cflint) -> None:
    files = {
        "user.py": "def main():\n    return 'x'\n",
        "pkg/__init__.py": "from .. import user\n",
        "pkg/sub/__init__.py": "from .. import mod\n",
        "pkg/sub/deep.py": "from .. import mod\nfrom ... import user\n",
        "pkg/mod.py": "",
    }
    assert _lint(cflint, tmp_path, files, "CF305") == [
        "pkg/__init__.py:1:6 CF305",
        "pkg/sub/deep.py:2:6 CF305",
    ]
    result = cflint("--select", "CF305", "pkg/__init__.py", cwd=tmp_path)
    assert result.lines == [
        "pkg/__init__.py:1:6: CF305 relative import climbs 2 levels from package 'pkg', above the function root "
        "(Python: attempted relative import beyond top-level package); import the module by its absolute name"
    ]


def test_cf601_removed_modules_by_target_version(tmp_path: Path, cflint: Cflint) -> None:
    source = (
        "import imp\nfrom distutils.core import setup\nimport cgi\nfrom tkinter import tix\n"
        "import importlib\nimportlib.import_module('telnetlib')\n"
        "try:\n    import asyncore\nexcept ImportError:\n    asyncore = None\n"
    )
    assert _lint(cflint, tmp_path, {"user.py": source}, "CF601") == [
        "user.py:1:8 CF601",
        "user.py:2:6 CF601",
        "user.py:3:8 CF601",
        "user.py:4:6 CF601",
        "user.py:6:25 CF601",
    ]
    write_files(tmp_path, {"cflint.toml": 'target-versions = ["3.11", "3.12"]\n'})
    assert _lint(cflint, tmp_path, {}, "CF601") == ["user.py:1:8 CF601", "user.py:2:6 CF601"]


def test_cf601_message_and_backport(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": "import cgi\nimport imghdr\n", "requirements.txt": "legacy-cgi\n"})
    result = cflint("--select", "CF601", ".", cwd=tmp_path)
    assert result.lines == [
        "user.py:2:8: CF601 imghdr was removed from the standard library in Python 3.13, "
        "and target-versions includes 3.13"
    ]


VERSION_GUARDED = """\
import sys

if sys.version_info >= (3, 12):
    import tomllib
else:
    import imp
    import tomli

if sys.version_info < (3, 10):
    import importlib_metadata
    import numpy

if sys.version_info >= (3, 15):
    from profiling.tracing import Profile
"""


def test_version_guarded_imports_count_only_where_they_run(tmp_path: Path, cflint: Cflint) -> None:
    files = {"user.py": VERSION_GUARDED, "requirements.txt": "requests\n"}
    # imp only runs on 3.11, which still has it; tomli runs on 3.11 and is not listed.
    assert _lint(cflint, tmp_path, files, "CF301,CF303,CF601") == ["user.py:7:12 CF303"]
    write_files(tmp_path, {"cflint.toml": 'target-versions = ["3.12", "3.13"]\n'})
    assert _lint(cflint, tmp_path, {}, "CF301,CF303,CF601") == []


def test_type_checking_imports_are_not_run(tmp_path: Path, cflint: Cflint) -> None:
    source = "import typing\nif typing.TYPE_CHECKING:\n    import numpy\n    import imp\n    import boto3\n"
    files = {"user.py": source, "requirements.txt": "requests\n"}
    assert _lint(cflint, tmp_path, files, "CF301,CF303,CF601") == []


def test_cf301_dynamic_imports_need_a_literal_absolute_name(tmp_path: Path, cflint: Cflint) -> None:
    source = (
        "import importlib\nname = 'numpy'\n"
        "importlib.import_module(name)\n__import__('num' + 'py')\nimportlib.import_module(b'numpy')\n"
        "importlib.import_module('.numpy', 'pkg')\nimportlib.import_module(name='numpy')\n"
    )
    assert _lint(cflint, tmp_path, {"user.py": source}, "CF301") == []


def test_version_comparison_with_non_decimal_literals_is_no_internal_error(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": "import sys\nif sys.version_info >= (0o3, 0x0C):\n    import imp\nif sys.maxsize > 0xFFFF_FFFF:\n    pass\n"
        },
    )
    assert "CF003" not in cflint(".").out


def test_cf305_rename_advice_says_what_the_runtime_has_imported(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": "from . import secrets\nfrom .sched import run\n", "requirements.txt": ""})
    result = cflint("--select", "CF305", ".", cwd=tmp_path)
    assert [line.split("; ", 1)[1] for line in result.lines] == [
        "rename the sibling module 'secrets': 'import secrets' gives the standard library's module of that name, "
        "which Flask has already imported",
        "rename the sibling module 'sched': 'import sched' gives the standard library's module of that name",
    ]
