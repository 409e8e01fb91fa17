from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliResult, write_files
from tests.source_lint import marked_lines, reported_lines

Cflint = Callable[..., CliResult]

# Random values made for these tests (no real account's): each has the form of its kind.
AWS_KEY_ID = "AKIAH5DNSIPZZ5FK2Z9R"
CLIENT_SECRET = "oStUu8jzPde0IgxLd6GncfBAepfJBd0K"
HEX_KEY = "5bb1371c17149d439536b3216fdaeeb9"
MASTODON_TOKEN = "Tvx3FxFkM_R5Kjp1vRt-1fjORS_6ilI8ihN5KXSc7Tv"
URL_PASSWORD = "4i0B3JrTAwR4y9ojfljoQoaF"
KEY_MATERIAL = (
    "XYaQAkrWvaNAG+nIy8zJNfbNH2EiauFTOK4aNABNM7oNJGrATIGxuvI+O/nu9fefK0k0r4f1UgtpuUsNmC6Fu1W2cqhyY3rNdGb8tg4Oj"
)
SECRETS = (AWS_KEY_ID, CLIENT_SECRET, HEX_KEY, MASTODON_TOKEN, URL_PASSWORD, KEY_MATERIAL)

SECRETS_MODULE = f'''\
import requests

AWS_ACCESS_KEY_ID = "{AWS_KEY_ID}"  # !
API_KEY = '{HEX_KEY}'  # !
MASTODON_ACCESS_TOKEN = "{MASTODON_TOKEN}"  # !
settings = {{"client_secret": "{CLIENT_SECRET}"}}  # !
PRIVATE_KEY_PEM = ("-----BEGIN RSA PRIVATE KEY-----\\n"  # !
    "{KEY_MATERIAL}\\n"
    "-----END RSA PRIVATE KEY-----\\n")


class Client:
    def __init__(self, token="{MASTODON_TOKEN}"):  # !
        self.signing_key: str = "{HEX_KEY}"  # !


def main():
    requests.get("https://deploy:{URL_PASSWORD}@db.internal.example/api", timeout=5)  # !
    requests.post("https://api.example.com/oauth", data=login(client_secret="{CLIENT_SECRET}"), timeout=5)  # !
    return "ok"
'''


def test_secrets_in_code_are_reported_at_their_literal(tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF507", SECRETS_MODULE) == marked_lines(SECRETS_MODULE)


NOT_SECRETS = f'''\
import os

PASSWORD = "changeme"
TOKEN = "<token>"
TEMPLATE_TOKEN = "${{MASTODON_ACCESS_TOKEN}}"
SECRET_KEY = "xxxxxxxxxxxxxxxxxxxxxxxx"
API_KEY = "your-api-key"
EMPTY_PASSWORD = ""
EXAMPLE_KEY = "AKIAIOSFODNN7EXAMPLE"
SEQUENTIAL_KEY = "abcdefghijklmnopqrstuvwxyz012345"
ENV_TOKEN = os.getenv("TOKEN", "{MASTODON_TOKEN}")
ENV_KEY = os.environ.get("API_KEY", "{HEX_KEY}")
CACHE_KEY = "{HEX_KEY}"
PAGE_TOKEN = "{MASTODON_TOKEN}"
PASSWORD_FIELD = "password"
HEADER = "-----BEGIN RSA PRIVATE KEY-----"
DSN = "postgresql://app:${{DB_PASSWORD}}@db.example/app"
HELP = "https://user:<password>@host/simple"
SHORT_PASSWORD = "hunter2"


def main():
    """Call it as `API_KEY = '{HEX_KEY}'`, `token = "{MASTODON_TOKEN}"`."""
    # client_secret = "{CLIENT_SECRET}"
    return f"token={{os.environ['TOKEN']}}"
'''


def test_placeholders_environment_defaults_and_docs_are_not_reported(tmp_path: Path, cflint: Cflint) -> None:
    assert reported_lines(cflint, tmp_path, "CF507", NOT_SECRETS) == []


@pytest.mark.parametrize("name", ["tests/test_client.py", "client_test.py", "conftest.py", "fixtures/keys.py"])
def test_test_modules_are_not_reported(name: str, tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": "def main():\n    return 'ok'\n"})
    assert reported_lines(cflint, tmp_path, "CF507", SECRETS_MODULE, name=name) == []


@pytest.mark.parametrize("output_format", ["json", "sarif", "github", "gitlab"])
def test_no_output_format_repeats_the_secret(output_format: str, tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": SECRETS_MODULE})
    result = cflint("--select", "CF507", "--output-format", output_format, ".", cwd=tmp_path)
    assert result.code == 1
    assert "CF507" in result.out
    assert [secret for secret in SECRETS if secret in result.out + result.err] == []


def test_messages_name_the_variable_or_the_host_and_the_cache_keeps_no_secret(
    tmp_path: Path, cflint: Cflint, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_files(tmp_path / "fn", {"user.py": SECRETS_MODULE})
    cache = tmp_path / "cache"
    monkeypatch.setenv("CFLINT_CACHE_DIR", str(cache))
    result = cflint("--select", "CF507", "--output-format", "json", ".", cwd=folder)
    messages = [finding["message"] for finding in json.loads(result.out)]
    assert any(message.startswith("`API_KEY` holds a literal key") for message in messages)
    assert any(message.startswith("`AWS_ACCESS_KEY_ID` holds an AWS access key ID") for message in messages)
    assert any(message.startswith("the URL for db.internal.example holds a password") for message in messages)
    stored = b"".join(path.read_bytes() for path in cache.rglob("*") if path.is_file())
    assert stored
    assert [secret for secret in SECRETS if secret.encode() in stored] == []


INDEX_TOKEN = "Zq8vLr3NpX2wKd7TsY4b"


def test_credentials_in_requirement_urls_are_reported_at_their_line(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": "def main():\n    return 'ok'\n",
            "requirements.txt": (
                f"--extra-index-url https://deploy:{INDEX_TOKEN}@nexus.example.com/repository/pypi/simple\n"
                "requests==2.32.3\n-r more.txt\n"
            ),
            "more.txt": (
                f"-i https://ci:{URL_PASSWORD}@nexus.example.com/simple\n"
                "--extra-index-url https://${INDEX_USER}:${INDEX_TOKEN}@nexus.example.com/simple\n"
                "--extra-index-url https://nexus.example.com/simple\n"
                f"mylib @ https://ci:{INDEX_TOKEN}@files.example.com/mylib-1.0-py3-none-any.whl\n"
            ),
        },
    )
    result = cflint("--select", "CF507", "--output-format", "json", ".", cwd=tmp_path)
    found = [(f["path"], f["start"]["line"], f["message"].split(" holds ")[0]) for f in json.loads(result.out)]
    assert found == [
        ("more.txt", 1, "the --index-url URL for nexus.example.com"),
        ("more.txt", 4, "the URL for files.example.com"),
        ("requirements.txt", 1, "the --extra-index-url URL for nexus.example.com"),
    ]
    assert INDEX_TOKEN not in result.out
    assert URL_PASSWORD not in result.out


def test_a_noqa_in_requirements_suppresses_it(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": "def main():\n    return 'ok'\n",
            "requirements.txt": f"--extra-index-url https://deploy:{INDEX_TOKEN}@nexus.example.com/simple  # noqa: CF507\n",
        },
    )
    assert cflint("--select", "CF507", ".", cwd=tmp_path).code == 0


def test_a_run_from_the_cached_rule_catalogue_still_checks_requirements(tmp_path: Path, cflint: Cflint) -> None:
    write_files(tmp_path, {"user.py": "def main():\n    return 'ok'\n", "requirements.txt": "requests==2.32.3\n"})
    assert cflint("--select", "CF507", ".", cwd=tmp_path).code == 0
    write_files(tmp_path, {"requirements.txt": f"-i https://ci:{INDEX_TOKEN}@nexus.example.com/simple\nrequests\n"})
    result = cflint("--select", "CF507", ".", cwd=tmp_path)
    assert result.codes == ["CF507"]


CONFIG_JSON = f"""{{
  "api_key": "{HEX_KEY}",
  "token_url": "https://auth.example.com/token",
  "password": "changeme",
  "db": "postgresql://app:{INDEX_TOKEN}@db.example.com/app"
}}
"""


def test_secrets_in_shipped_config_files_are_reported_at_their_line(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": "def main():\n    return 'ok'\n",
            "config/settings.json": CONFIG_JSON,
            "config.yaml": f"slack:\n  bot_token: {MASTODON_TOKEN}\n  channel: general\n",
            "app.ini": f"[auth]\nclient_secret = {CLIENT_SECRET}\nclient_id = my-app\naws_access_key_id = {AWS_KEY_ID}\n",
            "tests/settings.json": CONFIG_JSON,
            ".env.example": f"API_KEY={HEX_KEY}\n",
        },
    )
    result = cflint("--select", "CF507", "--output-format", "json", ".", cwd=tmp_path)
    found = [(f["path"], f["start"]["line"], f["message"].split(" holds ")[0]) for f in json.loads(result.out)]
    assert found == [
        ("app.ini", 2, "`client_secret`"),
        ("app.ini", 4, "`aws_access_key_id`"),
        ("config.yaml", 2, "`bot_token`"),
        ("config/settings.json", 2, "`api_key`"),
        ("config/settings.json", 5, "the URL for db.example.com"),
    ]
    assert [secret for secret in (*SECRETS, INDEX_TOKEN) if secret in result.out] == []


def test_config_files_of_a_vendored_distribution_are_not_reported(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": "def main():\n    return 'ok'\n",
            "somelib/data.json": CONFIG_JSON,
            "somelib-1.0.dist-info/RECORD": "somelib/data.json,,\nsomelib-1.0.dist-info/RECORD,,\n",
        },
    )
    assert cflint("--select", "CF507", ".", cwd=tmp_path).code == 0


def test_a_key_file_is_cf505s_alone(tmp_path: Path, cflint: Cflint) -> None:
    key = f'{{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n{KEY_MATERIAL}\\n-----END PRIVATE KEY-----\\n"}}\n'
    write_files(tmp_path, {"user.py": "def main():\n    return 'ok'\n", "gcp-key.json": key})
    result = cflint("--select", "CF505,CF507", ".", cwd=tmp_path)
    assert result.codes == ["CF505"]


PASSWORD = "BAP2v54VY9"  # made for this test: ten characters of three kinds


@pytest.mark.parametrize(
    "call",
    [
        f'pika.PlainCredentials("user", "{PASSWORD}")',
        f'PlainCredentials("user", password="{PASSWORD}")',
        f'requests.auth.HTTPBasicAuth("admin", "{PASSWORD}")',
        f'aiohttp.BasicAuth("admin", "{PASSWORD}")',
    ],
)
def test_a_password_passed_by_position_is_reported(tmp_path: Path, cflint: Cflint, call: str) -> None:
    source = (
        "import aiohttp\nimport pika\nimport requests.auth\nfrom pika.credentials import PlainCredentials\n\n"
        f"CREDENTIALS = {call}\n\n\ndef main():\n    return 'ok'\n"
    )
    write_files(tmp_path, {"user.py": source, "requirements.txt": "pika\nrequests\naiohttp\n"})
    result = cflint("--select", "CF507", "--output-format", "json", ".")
    findings = json.loads(result.out)
    assert [(f["code"], f["start"]["line"]) for f in findings] == [("CF507", 6)]
    message = findings[0]["message"]
    assert "the password of" in message and "holds a password" in message and PASSWORD not in result.out


@pytest.mark.parametrize(
    "call",
    [
        'pika.PlainCredentials("guest", "guest")',
        'pika.PlainCredentials("elastic", "elastic")',
        'pika.PlainCredentials("user", "password1")',
        'pika.PlainCredentials("user", "<your-password>")',
        'pika.PlainCredentials("BAP2v54VY9-user", os.environ["RABBIT_PASSWORD"])',
        'requests.auth.HTTPBasicAuth("BAP2v54VY9", "")',
        'Credentials("user", "BAP2v54VY9")',
    ],
)
def test_a_default_or_unknown_signature_is_not_reported(tmp_path: Path, cflint: Cflint, call: str) -> None:
    source = (
        "import os\nimport pika\nimport requests.auth\nfrom somewhere import Credentials\n\n"
        f"CREDENTIALS = {call}\n\n\ndef main():\n    return 'ok'\n"
    )
    write_files(tmp_path, {"user.py": source, "requirements.txt": "pika\nrequests\n"})
    assert cflint("--select", "CF507", ".").codes == []


def test_a_module_with_no_other_secret_word_is_checked(tmp_path: Path, cflint: Cflint) -> None:
    source = f'from requests.auth import HTTPBasicAuth\n\nAUTH = HTTPBasicAuth("admin", "{PASSWORD}")\n'
    write_files(tmp_path, {"user.py": source + "\n\ndef main():\n    return 'ok'\n", "requirements.txt": "requests\n"})
    assert cflint("--select", "CF507", ".").codes == ["CF507"]
