"""CF801: files read from a path another platform mounts; and CF401's exemption for such paths."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]


def _lint(tmp_path: Path, cflint: Cflint, source: str, select: str = "CF801") -> CliResult:
    write_files(tmp_path, {"requirements.txt": "", "user.py": source})
    result = cflint("--select", select, "--color", "never", ".")
    assert result.code in (0, 1) and result.err == "", result.err
    return result


def _where(result: CliResult) -> list[tuple[str, int, int]]:
    places = [line.split(":") for line in result.lines]
    return [(code, int(place[1]), int(place[2])) for code, place in zip(result.codes, places, strict=True)]


@pytest.mark.parametrize(
    ("read", "platform", "column"),
    [
        ('open(f"/configs/default/shared-data/{k}").read()', "Fission's config map", 17),
        ('open(f"/secrets/default/secrets/{k}").read()', "Fission's secret", 17),
        ('open("/configs/default/app/settings.json").read()', "Fission's config map", 17),
        ('open("/var/run/secrets/kubernetes.io/serviceaccount/token").read()', "Kubernetes", 17),
        ('open("/opt/python/data/model.bin", "rb").read(10)', "AWS Lambda's layer", 17),
        ('Path("/home/site/wwwroot/data.csv").read_text()', "Azure", 17),
        ('open("/var/openfaas/secrets/{}".format(k)).read()', "OpenFaaS", 17),
        ('open("/var/openfaas/secrets/" + k).read()', "OpenFaaS", 17),
        ('open(os.path.join("/var/openfaas/secrets", k)).read()', "OpenFaaS", 30),
        ('open(os.path.join("/configs", "default", "app", k)).read()', "Fission's config map", 30),
        ('(Path("/opt") / "python" / k).read_bytes()', "AWS Lambda's layer", 18),
        ('Path("/secrets/default/db").joinpath(k).open().read()', "", 0),
        ('io.open(f"/var/openfaas/secrets/{k}", mode="r").read()', "OpenFaaS", 20),
    ],
)
def test_reported_at_the_literal(tmp_path: Path, cflint: Cflint, read: str, platform: str, column: int) -> None:
    source = f"import io\nimport os\nfrom pathlib import Path\n\ndef main(k='x'):\n    return {read}\n"
    result = _lint(tmp_path, cflint, source)
    if not platform:  # joinpath() is not evaluated: nothing is known of the path
        assert result.lines == []
        return
    assert _where(result) == [("CF801", 6, column)]
    assert platform in result.lines[0] and "(the read runs at import" not in result.lines[0]


def test_message_at_import_and_through_a_constant(tmp_path: Path, cflint: Cflint) -> None:
    source = (
        "import os\n"
        'CONFIG_DIR = "/configs/default/shared-data"\n'
        'TOKEN = open(os.path.join(CONFIG_DIR, "token")).read()\n'
        "def main():\n"
        "    return TOKEN\n"
    )
    result = _lint(tmp_path, cflint, source)
    assert result.lines == [
        "user.py:2:14: CF801 open() reads '/configs/default/shared-data/token' from Fission's config map mount, "
        "which this runtime does not provide (the read runs at import, so the function fails to load); "
        "set the value as an environment variable in the console and read it with os.environ"
    ]


@pytest.mark.parametrize(
    "read",
    [
        'open("/configs/out.txt", "w")',  # a write, not a read
        'open("/configs")',  # the folder itself names no mounted file
        'open("/configs/app.json")',  # too shallow for Fission's /configs/<ns>/<name>/<key>
        'open(f"{base}/configs/default/x/{k}")',  # starts with an unknown folder
        'os.path.exists("/var/run/secrets/kubernetes.io/serviceaccount/token")',  # a probe, not a read
        'open("/optional/data.txt")',
        'open("/tmp/secrets/default/x/y")',
        'Path(__file__).parent.joinpath("configs/default/x/y").read_text()',
        '"/var/openfaas/secrets/" + k',  # built, never read
    ],
)
def test_not_reported(tmp_path: Path, cflint: Cflint, read: str) -> None:
    source = f"import os\nfrom pathlib import Path\nbase = os.getcwd()\n\ndef main(k='x'):\n    return {read}\n"
    assert _lint(tmp_path, cflint, source).lines == []


@pytest.mark.parametrize(
    "opening",
    [
        'open("/var/openfaas/secrets/{}".format(key))',
        'open("/var/openfaas/secrets/" + key)',
        'open("/secrets/default/{}/{}".format(key, key))',
        'open("/configs/" + key + "/value")',
    ],
)
def test_cf401_treats_format_and_concatenated_mount_paths_as_configuration(
    tmp_path: Path, cflint: Cflint, opening: str
) -> None:
    source = f"def main(key='x'):\n    with {opening} as f:\n        return f.read()\n"
    assert _lint(tmp_path, cflint, source, select="CF401").lines == []


def test_cf401_still_reports_a_temporary_file_built_with_format(tmp_path: Path, cflint: Cflint) -> None:
    source = 'def main(key="x"):\n    with open("/tmp/{}".format(key)) as f:\n        return f.read()\n'
    assert _lint(tmp_path, cflint, source, select="CF401").codes == ["CF401"]


@pytest.mark.parametrize(
    "read",
    [
        'open(os.path.join(os.environ["LAMBDA_TASK_ROOT"], "config.json")).read()',
        'open(os.path.join(os.getenv("LAMBDA_TASK_ROOT"), "config.json")).read()',
        "open(f\"{os.environ['LAMBDA_TASK_ROOT']}/config.json\").read()",
        '(Path(os.environ.get("LAMBDA_TASK_ROOT")) / "config.json").read_text()',
        'open(os.environ["LAMBDA_TASK_ROOT"] + "/config.json").read()',
    ],
)
def test_lambda_task_root_paths_are_reported_at_the_variable_name(tmp_path: Path, cflint: Cflint, read: str) -> None:
    source = f"import os\nfrom pathlib import Path\n\ndef main():\n    return {read}\n"
    result = _lint(tmp_path, cflint, source)
    assert result.codes == ["CF801"]
    line = result.lines[0]
    column = int(line.split(":")[2])
    assert source.splitlines()[4][column:].startswith("LAMBDA_TASK_ROOT")
    assert "'$LAMBDA_TASK_ROOT/...' from AWS Lambda's task root" in line and "Path(__file__).parent" in line


def test_lambda_task_root_through_a_constant_at_import(tmp_path: Path, cflint: Cflint) -> None:
    source = (
        "import json\nimport os\n"
        'ROOT = os.environ["LAMBDA_TASK_ROOT"]\n'
        'SETTINGS = json.load(open(os.path.join(ROOT, "settings.json")))\n'
        "def main():\n    return SETTINGS\n"
    )
    result = _lint(tmp_path, cflint, source)
    assert [line.split(" CF801 ")[0] for line in result.lines] == ["user.py:3:19:"]
    assert "(the read runs at import, so the function fails to load)" in result.lines[0]


@pytest.mark.parametrize(
    "code",
    [
        "import pymysql\nDB = pymysql.connect(user='u', unix_socket='/cloudsql/proj:asia:db')\n",
        "import psycopg2\nimport os\nDB = psycopg2.connect(host='/cloudsql/' + os.environ['INSTANCE'])\n",
        "import os\nconfig = {}\nconfig['unix_socket'] = f\"/cloudsql/{os.environ['INSTANCE']}\"\n",
        "import os\nCONFIG = {'host': '/cloudsql/{}'.format(os.environ['INSTANCE'])}\n",
        "import os\nURL = f\"postgresql+pg8000://u@/db?unix_sock=/cloudsql/{os.environ['I']}/.s.PGSQL.5432\"\n",
    ],
)
def test_cloud_sql_socket_paths_are_reported(tmp_path: Path, cflint: Cflint, code: str) -> None:
    result = _lint(tmp_path, cflint, code + "\ndef main():\n    return 'ok'\n")
    assert result.codes == ["CF801"]
    assert "the database connection uses" in result.lines[0] and "Google Cloud SQL's socket folder" in result.lines[0]
    assert "connect to the database's host and port over TCP" in result.lines[0]


@pytest.mark.parametrize(
    "code",
    [
        'import os\nROOT = os.environ.get("LAMBDA_TASK_ROOT", os.path.dirname(__file__))\n'
        'DATA = open(os.path.join(ROOT, "data.txt")).read()\n',
        'import os\nLIB = os.path.join(os.environ["LAMBDA_TASK_ROOT"], "lib")\n',
        'import os\nON_GCP = os.path.exists("/cloudsql/proj:asia:db")\n',
        'import os\nSOCKET = os.environ.get("DB_SOCKET", "")\nIS_GCP = SOCKET.startswith("/cloudsql/")\n',
        '"""Connect through /cloudsql/<instance> on Cloud Run."""\n',
        'import logging\nlogging.info("no socket under /cloudsql/ here")\n',
    ],
)
def test_not_a_read_of_another_platforms_folder(tmp_path: Path, cflint: Cflint, code: str) -> None:
    assert _lint(tmp_path, cflint, code + "\ndef main():\n    return 'ok'\n").lines == []


def _lint_files(tmp_path: Path, cflint: Cflint, files: dict[str, str]) -> CliResult:
    write_files(tmp_path, {"requirements.txt": "", **files})
    result = cflint("--select", "CF801", "--color", "never", ".")
    assert result.code in (0, 1) and result.err == "", result.err
    return result


def test_a_path_passed_to_a_local_helper_is_reported_at_the_argument(tmp_path: Path, cflint: Cflint) -> None:
    source = (
        "import os\n\n\n"
        "def read_secret(path):\n    with open(path) as f:\n        return f.read().strip()\n\n\n"
        "def load(folder):\n    return open(os.path.join(folder, 'token')).read()\n\n\n"
        "TOKEN = load('/configs/default/shared-data')\n\n\n"
        "def main():\n    return read_secret('/var/openfaas/secrets/api-key') + TOKEN\n"
    )
    result = _lint_files(tmp_path, cflint, {"user.py": source})
    assert [line.split(" CF801 ")[0] for line in result.lines] == ["user.py:13:14:", "user.py:17:24:"]
    assert "'/configs/default/shared-data/...' from Fission's config map mount" in result.lines[0]
    assert "(the read runs at import, so the function fails to load)" in result.lines[0]
    assert "'/var/openfaas/secrets/api-key' from OpenFaaS's secret mount" in result.lines[1]
    assert "at import" not in result.lines[1]


def test_a_path_passed_from_another_module_is_reported_at_the_parameter(tmp_path: Path, cflint: Cflint) -> None:
    helpers = "def read(path):\n    return open(path).read()\n"
    user = "from helpers import read\n\n\ndef main():\n    return read('/secrets/default/db/password')\n"
    result = _lint_files(tmp_path, cflint, {"user.py": user, "helpers.py": helpers})
    assert [line.split(" CF801 ")[0] for line in result.lines] == ["helpers.py:2:17:"]
    assert "'/secrets/default/db/password' from Fission's secret mount" in result.lines[0]


@pytest.mark.parametrize(
    "user",
    [
        # the callers are not all known: the helper is passed along
        "import os\nfrom helpers import read\n\n\ndef main():\n    return list(map(read, ['/secrets/default/a/b']))\n",
        # an argument that names no mount
        "from helpers import read\n\n\ndef main():\n    return read('/srv/data/settings.json')\n",
    ],
)
def test_a_helper_whose_arguments_are_unknown_or_ordinary_is_silent(tmp_path: Path, cflint: Cflint, user: str) -> None:
    helpers = "def read(path):\n    return open(path).read()\n"
    assert _lint_files(tmp_path, cflint, {"user.py": user, "helpers.py": helpers}).lines == []


def test_a_helpers_default_path_is_reported_not_at_import(tmp_path: Path, cflint: Cflint) -> None:
    source = "def read(path='/var/openfaas/secrets/token'):\n    return open(path).read()\n\n\ndef main():\n    return read()\n"
    result = _lint_files(tmp_path, cflint, {"user.py": source})
    assert [line.split(" CF801 ")[0] for line in result.lines] == ["user.py:1:15:"]
    assert "at import" not in result.lines[0]
