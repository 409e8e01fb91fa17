"""CF601 on names removed from standard-library modules: every way of naming them, none on a
local name that looks alike or code that tells the Pythons apart; the runtime agrees, and each
recorded name is really absent from the target Pythons installed here."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.knowledge.stdlib import REMOVED_NAME_KEYS, REMOVED_NAMES
from scripts.record_runtime_modules import installed_python
from tests.helpers import CliResult, serve, write_files

Cflint = Callable[..., CliResult]

REMOVED_NAME_USES = """\
import collections
import collections as coll
import asyncio, inspect, sys
from collections import MutableMapping, OrderedDict
from collections import Mapping as Map
from configparser import SafeConfigParser
import locale
import ssl


class Store(collections.MutableMapping):
    pass


def main(collections=None):
    spec = inspect.getargspec(main)
    sock = ssl.wrap_socket
    text = locale.format("%d", 3)
    return str(collections.Mapping)  # a parameter named collections


@asyncio.coroutine
def old():
    yield


def hedged():
    if sys.version_info >= (3, 10):
        base = coll.abc.Mapping
    else:
        base = coll.Mapping
    other = coll.abc.Sized if hasattr(coll, "abc") else coll.Sized
    try:
        third = coll.Iterable
    except AttributeError:
        third = None
    try:
        from collections import Callable
    except ImportError:
        from collections.abc import Callable
    try:
        from collections import ChainMap
    except ImportError:
        from collections import MutableMapping
    return base, other, third, Callable
"""


def test_cf601_removed_names_by_import_attribute_and_alias(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": REMOVED_NAME_USES, "requirements.txt": ""})
    result = cflint("--select", "CF601", "--output-format", "json", ".", cwd=tmp_path)
    found = [(item["start"]["line"], item["start"]["column"], item["message"]) for item in json.loads(result.out)]
    assert [(row, column) for row, column, _ in found] == [
        (4, 25),  # from collections import MutableMapping
        (5, 25),  # from collections import Mapping as Map
        (6, 26),  # from configparser import SafeConfigParser
        (11, 13),  # collections.MutableMapping as a base class
        (16, 12),  # inspect.getargspec
        (17, 12),  # ssl.wrap_socket
        (18, 12),  # locale.format
        (22, 2),  # @asyncio.coroutine
    ]
    assert found[0][2] == (
        "collections.MutableMapping was removed from the standard library in Python 3.10, and target-versions "
        "includes 3.13; use collections.abc.MutableMapping"
    )


def test_cf601_removed_name_only_on_the_targets_without_it(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": "import locale\n\ndef main():\n    return locale.resetlocale\n"})
    assert cflint("--select", "CF601", "--target-version", "3.12", ".", cwd=tmp_path).code == 0
    assert cflint("--select", "CF601", ".", cwd=tmp_path).code == 1


def test_cf601_removed_name_agrees_with_the_runtime(tmp_path: Path, cflint: Cflint) -> None:
    failing = write_files(
        tmp_path / "failing",
        {"user.py": "from collections import MutableMapping\n\ndef main():\n    return MutableMapping.__name__\n"},
    )
    assert serve(failing).body.startswith("ImportError: cannot import name 'MutableMapping' from 'collections'")
    assert cflint("--select", "CF601", ".", cwd=failing).code == 1
    fixed = write_files(
        tmp_path / "fixed",
        {"user.py": "from collections.abc import MutableMapping\n\ndef main():\n    return MutableMapping.__name__\n"},
    )
    assert serve(fixed).body == "MutableMapping"
    assert cflint("--select", "CF601", ".", cwd=fixed).code == 0


_ABSENT = """
import importlib, json, sys
names = json.loads(sys.argv[1])
print(json.dumps([name for name in names if hasattr(importlib.import_module(name.rpartition(".")[0]), name.rpartition(".")[2])]))
"""


@pytest.mark.parametrize("version", [(3, 11), (3, 12), (3, 13)])
def test_recorded_removed_names_are_absent(version: tuple[int, int]) -> None:
    python = installed_python(f"python{version[0]}.{version[1]}")
    if python is None:
        pytest.skip(f"Python {version[0]}.{version[1]} is not installed here")
    removed = [entry.name for entry in REMOVED_NAMES.values() if entry.removed_in <= version]
    done = subprocess.run([python, "-c", _ABSENT, json.dumps(removed)], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_the_names_read_without_the_entries_are_theirs() -> None:
    assert set(REMOVED_NAMES) == REMOVED_NAME_KEYS
