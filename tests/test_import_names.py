"""The import-name dataset: its size and source, and a sample of it checked against the
modules real wheels install (their RECORD and top_level.txt)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.knowledge.distributions import CATALOGUE, DATA_DIR, canonical_name, read_import_names
from tests.helpers import CliResult, write_files

WHEELS = Path(__file__).resolve().parent / "data" / "wheels"
Cflint = Callable[..., CliResult]


def _wheel_facts(wheel: Path) -> tuple[str, set[str]]:
    """The wheel's distribution name and the top-level modules it installs."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(name.split("/")[0] for name in names if name.split("/")[0].endswith(".dist-info"))
        metadata = archive.read(f"{info}/METADATA").decode("utf-8")
        distribution = next(line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Name:"))
        record = archive.read(f"{info}/RECORD").decode("utf-8")
        top_level = {
            line.split(",")[0].split("/")[0].removesuffix(".py")
            for line in record.splitlines()
            if line and not line.split("/")[0].endswith((".dist-info", ".data"))
        }
        if f"{info}/top_level.txt" in names:
            declared = set(archive.read(f"{info}/top_level.txt").decode("utf-8").split())
            assert declared <= top_level, wheel.name
    return distribution, top_level


def test_dataset_size_and_header() -> None:
    path = DATA_DIR / "import_names.tsv"
    header = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    text = "\n".join(header)
    assert "pipreqs" in text and "Apache License, Version 2.0" in text and "github.com/bndr/pipreqs" in text
    assert len(read_import_names(path)) >= 1000
    assert len(set(CATALOGUE.import_names) | set(CATALOGUE.provides)) >= 1000


@pytest.mark.parametrize("wheel", sorted(WHEELS.glob("*.whl")), ids=lambda path: path.name.split("-")[0])
def test_sample_agrees_with_wheel_metadata(wheel: Path) -> None:
    distribution, top_level = _wheel_facts(wheel)
    known = CATALOGUE.module_names(canonical_name(distribution))
    assert known, f"{distribution} is not in the dataset"
    assert {module.split(".")[0] for module in known} <= top_level


def test_wheels_cover_both_sources() -> None:
    names = {canonical_name(_wheel_facts(wheel)[0]) for wheel in WHEELS.glob("*.whl")}
    assert len(names) >= 5
    assert names & set(CATALOGUE.import_names) - set(CATALOGUE.provides)  # checked from pipreqs' data
    assert names & set(CATALOGUE.provides)  # and from cflint's own table


ISSUE_PAIRS = [
    ("google-cloud-pubsub", "from google.cloud import pubsub_v1"),
    ("google-cloud-pubsub", "import google.cloud.pubsub_v1"),
    ("google-cloud-storage", "from google.cloud import storage"),
    ("google-cloud-bigquery", "from google.cloud import bigquery_v2"),
    ("opentelemetry-api", "from opentelemetry import trace"),
    ("dnspython", "import dns.resolver"),
    ("GitPython", "import git"),
    ("websocket-client", "import websocket"),
    ("argon2-cffi", "from argon2 import PasswordHasher"),
    ("pdfminer.six", "from pdfminer.high_level import extract_text"),
    ("grpcio-status", "from grpc_status import rpc_status"),
    ("python-telegram-bot", "import telegram"),
    ("paho-mqtt", "import paho.mqtt.client as mqtt"),
    ("beautifulsoup4", "from bs4 import BeautifulSoup"),
    ("pycryptodome", "from Crypto.Cipher import AES"),
]


@pytest.mark.parametrize(("distribution", "statement"), ISSUE_PAIRS)
def test_cf303_knows_which_module_a_distribution_provides(
    distribution: str, statement: str, tmp_path: Path, cflint: Cflint
) -> None:
    write_files(tmp_path, {"user.py": statement + "\n", "requirements.txt": "requests\n"})
    result = cflint("--select", "CF303", ".", cwd=tmp_path)
    assert result.code == 1 and "CF303" in result.out  # failing: not listed
    write_files(tmp_path, {"requirements.txt": f"{distribution}\n"})
    result = cflint("--select", "CF303", ".", cwd=tmp_path)
    assert result.code == 0, result.out  # fixed: listed


def test_module_map_config_names_a_distributions_modules(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": "import zorblat\n", "requirements.txt": "acme-cloud-client\n"})
    assert cflint("--select", "CF303", ".", cwd=tmp_path).code == 1
    write_files(tmp_path, {"cflint.toml": 'module-map = {"Acme.Cloud_Client" = ["zorblat"]}\n'})
    result = cflint("--select", "CF303", ".", cwd=tmp_path)
    assert result.code == 0, result.out


def test_module_map_rejects_a_bad_module_name(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": "", "cflint.toml": 'module-map = {dnspython = ["dns resolver"]}\n'})
    result = cflint(".", cwd=tmp_path)
    assert result.code == 2
    assert "module-map.dnspython: 'dns resolver' is not a module name" in result.err


def test_installed_only_through_a_listed_distribution(tmp_path: Path, cflint: Cflint) -> None:
    files = {
        "user.py": "from cloudevents.http import from_http\nfrom google.api_core import retry\n",
        "requirements.txt": "functions-framework==3.*\ngoogle-cloud-storage\n",
    }
    write_files(tmp_path, files)
    result = cflint("--select", "CF303", ".", cwd=tmp_path)
    assert result.lines == [
        "user.py:1:6: CF303 cloudevents.http is imported, but it is installed only through functions-framework; "
        "list it in requirements.txt [unsafe fix: --unsafe-fixes]",
        "user.py:2:6: CF303 google.api_core is imported, but it is installed only through google-cloud-storage; "
        "list it in requirements.txt [unsafe fix: --unsafe-fixes]",
    ]
    write_files(tmp_path, {"requirements.txt": files["requirements.txt"] + "cloudevents\ngoogle-api-core\n"})
    assert cflint("--select", "CF303", ".", cwd=tmp_path).code == 0


def test_what_praw_line_bot_sdk_and_functions_framework_install(tmp_path: Path, cflint: Cflint) -> None:
    # Their wheels' dependencies: an import of one is no line's, yet it installs (through the chain).
    write_files(
        tmp_path,
        {
            "user.py": "import prawcore\nimport requests\nimport starlette\nimport aenum\n",
            "requirements.txt": "praw\nfunctions-framework\nline-bot-sdk\n",
        },
    )
    result = cflint("--select", "CF303", ".", cwd=tmp_path)
    assert [line.split(" [")[0] for line in result.lines] == [
        "user.py:1:8: CF303 prawcore is imported, but it is installed only through praw; list it in requirements.txt",
        # the shortest chain: line-bot-sdk requires it, praw through prawcore
        "user.py:2:8: CF303 requests is imported, but it is installed only through line-bot-sdk; "
        "list it in requirements.txt",
        "user.py:3:8: CF303 starlette is imported, but it is installed only through functions-framework; "
        "list it in requirements.txt",
        "user.py:4:8: CF303 aenum is imported, but it is installed only through line-bot-sdk; "
        "list it in requirements.txt",
    ]


def test_plausible_source_of_unknown_modules_is_not_an_error(tmp_path: Path, cflint: Cflint) -> None:
    # A listed distribution whose modules cflint does not know, named like the import, may
    # well provide it: without its wheel cflint cannot say, so it says nothing.
    write_files(tmp_path, {"user.py": "import kakaowork\n", "requirements.txt": "requests\n"})
    result = cflint("--select", "CF303", ".", cwd=tmp_path)
    assert result.lines == ["user.py:1:8: CF303 kakaowork is imported, but no requirements.txt line provides it"]
    write_files(tmp_path, {"requirements.txt": "requests\nkakaowork-python-sdk\n"})
    result = cflint("--select", "CF303", ".", cwd=tmp_path)
    assert result.code == 0, result.out


@pytest.mark.parametrize(
    ("distribution", "statement"),
    [("line-bot-sdk", "from linebot import LineBotApi"), ("fpdf2", "from fpdf import FPDF")],
)
def test_cf303_knows_linebot_and_fpdf(distribution: str, statement: str, tmp_path: Path, cflint: Cflint) -> None:
    """Formerly "it could plausibly be line-bot-sdk, whose modules cflint does not know": the
    modules are now known (from the wheels' top-level folders), so the answer is exact."""
    assert CATALOGUE.certain_distribution(statement.split()[1]) == canonical_name(distribution)
    write_files(tmp_path, {"user.py": statement + "\n", "requirements.txt": "requests\n"})
    result = cflint("--select", "CF303", ".", cwd=tmp_path)
    assert result.lines == [
        f"user.py:1:6: CF303 {statement.split()[1]} is imported, but no requirements.txt line provides it "
        "[unsafe fix: --unsafe-fixes]"
    ]
    write_files(tmp_path, {"requirements.txt": f"requests\n{distribution}\n"})
    result = cflint("--select", "CF303", ".", cwd=tmp_path)
    assert result.code == 0, result.out


def test_unrelated_unknown_distribution_is_not_named(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": "import boto3\n", "requirements.txt": "kakaowork-python-sdk\n"})
    result = cflint("--select", "CF303", ".", cwd=tmp_path)
    assert result.lines == [
        "user.py:1:8: CF303 boto3 is imported, but no requirements.txt line provides it [unsafe fix: --unsafe-fixes]"
    ]


def test_implicit_relative_import_is_named_as_such(tmp_path: Path, cflint: Cflint) -> None:
    files = {
        "user.py": "from pkg import mod\n",
        "pkg/__init__.py": "",
        "pkg/mod.py": "import sibling\n",
        "pkg/sibling.py": "",
        "requirements.txt": "requests\n",
    }
    write_files(tmp_path, files)
    result = cflint("--select", "CF303", ".", cwd=tmp_path)
    assert result.lines == [
        "pkg/mod.py:1:8: CF303 sibling is imported, but it resolves only to pkg/sibling.py beside this file, "
        "and Python 3 has no implicit relative imports; write 'from . import sibling'"
    ]
    write_files(tmp_path, {"pkg/mod.py": "from . import sibling\n"})
    assert cflint("--select", "CF303", ".", cwd=tmp_path).code == 0


@pytest.mark.parametrize(
    "handler", ["except ImportError:", "except Exception:", "except:", "except (OSError, ImportError):"]
)
def test_optional_imports_are_not_reported(handler: str, tmp_path: Path, cflint: Cflint) -> None:
    guarded = f"try:\n    import numpy as np\n    import ujson\n{handler}\n    np = ujson = None\n"
    write_files(tmp_path, {"user.py": guarded, "requirements.txt": "requests\n"})
    result = cflint("--select", "CF301,CF303", ".", cwd=tmp_path)
    assert result.code == 0, result.out
    write_files(tmp_path, {"user.py": "import numpy as np\nimport ujson\n"})
    result = cflint("--select", "CF301,CF303", ".", cwd=tmp_path)
    assert [line.split(": ")[1].split()[0] for line in result.lines] == ["CF301", "CF303"]


def test_an_unrelated_handler_does_not_guard(tmp_path: Path, cflint: Cflint) -> None:
    source = "try:\n    import ujson\nexcept OSError:\n    ujson = None\n"
    write_files(tmp_path, {"user.py": source, "requirements.txt": "requests\n"})
    assert cflint("--select", "CF303", ".", cwd=tmp_path).code == 1


def test_a_namespace_import_is_named_by_its_module(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": "from google.cloud import pubsub_v1\n", "requirements.txt": "requests\n"})
    result = cflint("--select", "CF303", ".", cwd=tmp_path)
    assert result.lines == [
        "user.py:1:6: CF303 google.cloud.pubsub_v1 is imported, but no requirements.txt line provides it [unsafe fix: --unsafe-fixes]"
    ]
