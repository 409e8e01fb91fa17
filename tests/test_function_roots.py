"""Which folders are function roots: what the platform would load, not any folder with a
requirements.txt; `function-roots` globs for other layouts; packages installed into a
function folder with `pip install --target` are third-party code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]
USER = "import requests\n\ndef main():\n    return requests.__name__\n"

MONOREPO = {
    "requirements.txt": "pytest\nruff\n",
    "functions/orders/user.py": USER,
    "functions/orders/requirements.txt": "requests\n",
    "functions/users/user.py": USER,
    "functions/users/requirements.txt": "requests\n",
    "tests/test_orders.py": "import pytest\nfrom functions.orders import user\n",
    "scripts/deploy.py": "import boto3\n",
}


def test_monorepo_root_with_dev_requirements_is_not_a_function(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, MONOREPO)
    result = cflint(".", cwd=tmp_path)
    assert result.code == 0, result.out  # no `.:1:1: CF101`, no CF303 in tests/ or scripts/
    assert result.out == "" or "CF" not in result.out


def test_a_function_folder_missing_its_entry_module_is_still_one(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"requirements.txt": "requests\n", "handler.py": USER})
    assert "CF101" in cflint(".", cwd=tmp_path).codes
    write_files(tmp_path, {"user.py": USER})
    assert cflint(".", cwd=tmp_path).code == 0


def test_function_roots_globs(tmp_path: Path, cflint: Cflint) -> None:
    files = {
        "services/a/handler/user.py": USER,  # no requirements.txt: CF303 says so
        "services/a/handler/helpers.py": "import yaml\n",
        "services/b/handler/user.py": USER,
        "tools/gen.py": "import jinja2_cli\n",
    }
    write_files(tmp_path, files)
    write_files(tmp_path, {"cflint.toml": 'function-roots = ["services/*/handler"]\n'})
    result = cflint("--select", "CF303", ".", cwd=tmp_path)
    assert sorted({line.split(":")[0] for line in result.lines}) == [
        "services/a/handler/helpers.py",
        "services/a/handler/user.py",
        "services/b/handler/user.py",
    ]
    write_files(tmp_path, {"services/a/handler/requirements.txt": "requests\nPyYAML\n"})
    write_files(tmp_path, {"services/b/handler/requirements.txt": "requests\n"})
    assert cflint("--select", "CF303", ".", cwd=tmp_path).code == 0


def test_function_roots_double_star_and_root(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"deep/x/y/fn/user.py": USER, "cflint.toml": 'function-roots = ["**/fn"]\n'})
    assert [line.split(":")[0] for line in cflint("--select", "CF303", ".", cwd=tmp_path).lines] == [
        "deep/x/y/fn/user.py"
    ]


def test_function_roots_must_be_strings(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": USER, "cflint.toml": "function-roots = [1]\n"})
    result = cflint(".", cwd=tmp_path)
    assert result.code == 2
    assert "function-roots: expected a list of strings" in result.err


def _vendor(folder: Path, name: str, files: dict[str, str]) -> None:
    record = "".join(f"{path},sha256=x,1\n" for path in files)
    info = f"{name}-1.0.dist-info"
    write_files(
        folder, {**files, f"{info}/RECORD": record + f"{info}/RECORD,,\n", f"{info}/METADATA": f"Name: {name}\n"}
    )


def test_vendored_packages_are_not_linted_and_provide_their_modules(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": "import requests\nimport yaml\nimport six\n\ndef main():\n    return 'ok'\n"})
    _vendor(
        tmp_path,
        "requests",
        {
            "requests/__init__.py": "import urllib3\nimport chardet\n",
            "requests/api.py": "def get(u):\n    return open(u).read()\n",
        },
    )
    _vendor(tmp_path, "urllib3", {"urllib3/__init__.py": "import brotli\n"})
    _vendor(tmp_path, "PyYAML", {"yaml/__init__.py": "from _yaml import x\n", "_yaml/__init__.py": ""})
    _vendor(tmp_path, "six", {"six.py": "import thirdparty_thing\n"})
    write_files(tmp_path, {"requirements.txt": "\n"})
    result = cflint(".", cwd=tmp_path)
    assert result.code == 0, result.out
    assert result.lines == []


def test_a_folder_without_dist_info_is_the_users_code(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": "import mylib\n\ndef main():\n    return 'ok'\n",
            "mylib/__init__.py": "import boto3\n",
            "requirements.txt": "\n",
        },
    )
    assert [line.split(":")[0] for line in cflint("--select", "CF303", ".", cwd=tmp_path).lines] == [
        "mylib/__init__.py"
    ]


def test_packages_pip_installed_into_the_folder(tmp_path: Path, cflint: Cflint) -> None:
    """`pip install --target .` with real wheels (the vendored test wheels, offline)."""
    import subprocess
    import sys

    wheels = sorted((Path(__file__).resolve().parent / "data" / "wheels").glob("*.whl"))
    source = "import dotenv\nimport jwt\nimport websocket\n\ndef main():\n    return 'ok'\n"
    write_files(tmp_path, {"user.py": source, "requirements.txt": "\n"})
    before = cflint("--select", "CF303", ".", cwd=tmp_path)
    assert before.codes == ["CF303", "CF303", "CF303"]
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(tmp_path), *wheels],
        check=True,
        capture_output=True,
    )
    assert any(tmp_path.glob("*.dist-info"))
    after = cflint(".", cwd=tmp_path)
    assert after.code == 0, after.out
    assert after.lines == []


def test_a_folder_with_only_a_requirements_file_is_a_layer_not_a_function(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "layer/requirements.txt": "requests\n",
            "layer_numpy/requirements.txt": "numpy\n",
            "fn/user.py": USER,
            "fn/requirements.txt": "requests\n",
        },
    )
    assert cflint(".", cwd=tmp_path) == CliResult(0, "", "")
    assert cflint("layer", cwd=tmp_path) == CliResult(0, "", "cflint: No Python files found under layer\n")
    write_files(tmp_path, {"layer/tools.py": "X = 1\n"})  # Python beside it: a function missing its user.py
    assert cflint(".", cwd=tmp_path).lines == [
        "layer:1:1: CF101 entry module user.py for entry point user.main not found in this function root"
    ]
