"""CF303 reads the environment cflint runs in: a listed distribution installed there says
exactly which modules it provides (its RECORD), so a user who installed the requirements
gets exact answers without the network. Only listed distributions count."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.knowledge.environment import installed_modules
from tests.helpers import REPO, CliResult, write_files

Cflint = Callable[..., CliResult]
RECORD = """\
zorblat/__init__.py,,
zorblat/core.py,,
zorblat/_speedups.cpython-312-x86_64-linux-gnu.so,,
zorblat_cli.py,,
acme_cloud_client-1.0.dist-info/METADATA,,
acme_cloud_client-1.0.dist-info/RECORD,,
../../bin/acme,,
"""


def _install(site: Path) -> None:
    """A distribution `acme-cloud-client` whose modules are not named after it, installed in `site`."""
    write_files(
        site,
        {
            "acme_cloud_client-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: acme-cloud-client\nVersion: 1.0\n",
            "acme_cloud_client-1.0.dist-info/RECORD": RECORD,
            "zorblat/__init__.py": "",
            "zorblat/core.py": "",
            "zorblat_cli.py": "",
        },
    )


def test_installed_modules_are_read_from_the_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install(tmp_path / "site")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert installed_modules("Acme_Cloud.Client") == {"zorblat", "zorblat.core", "zorblat._speedups", "zorblat_cli"}
    assert installed_modules("not-installed-anywhere") == frozenset()


def test_a_listed_distribution_installed_here_gives_its_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cflint: Cflint
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr("site.getsitepackages", lambda: [str(site)])  # it stands for the venv's site-packages
    function = tmp_path / "function"
    write_files(
        function,
        {
            "user.py": "import zorblat.core\nimport zorblat_cli\nimport wibble\n",
            "requirements.txt": "acme-cloud-client\n",
        },
    )
    before = cflint("--select", "CF303", ".", cwd=function)
    assert [line.split(": ")[0] for line in before.lines] == ["user.py:1:8", "user.py:2:8", "user.py:3:8"]
    _install(site)  # a later run, after `pip install -r requirements.txt` here, is not served from the cache
    after = cflint("--select", "CF303", ".", cwd=function)
    assert after.lines == ["user.py:3:8: CF303 wibble is imported, but no requirements.txt line provides it"]


def test_a_distribution_installed_here_but_not_listed_does_not_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cflint: Cflint
) -> None:
    _install(tmp_path / "site")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    write_files(tmp_path / "function", {"user.py": "import zorblat\n", "requirements.txt": "requests\n"})
    assert cflint("--select", "CF303", ".", cwd=tmp_path / "function").code == 1


def test_a_namespace_package_alone_does_not_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cflint: Cflint
) -> None:
    site = tmp_path / "site"
    write_files(
        site,
        {
            "acme_gcp_extras-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: acme-gcp-extras\nVersion: 1.0\n",
            "acme_gcp_extras-1.0.dist-info/RECORD": "google/__init__.py,,\ngoogle/cloud/__init__.py,,\n"
            "google/cloud/thing/__init__.py,,\n",
        },
    )
    monkeypatch.syspath_prepend(str(site))
    files = {
        "user.py": "from google.cloud import bigquery\nfrom google.cloud import thing\n",
        "requirements.txt": "acme-gcp-extras\n",
    }
    write_files(tmp_path / "function", files)
    result = cflint("--select", "CF303", ".", cwd=tmp_path / "function")
    assert result.lines == [
        "user.py:1:6: CF303 google.cloud.bigquery is imported, but no requirements.txt line provides it"
    ]


def test_a_cold_run_does_not_import_importlib_metadata() -> None:
    """The environment is read only when the shipped data leaves an import unprovided."""
    probe = (
        "import sys; from cflint.cli.main import main\n"
        "try:\n    main(['--no-cache', '--select', 'ALL', 'examples'])\nexcept SystemExit:\n    pass\n"
        "print('importlib.metadata' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=False)
    assert done.stdout.strip().splitlines()[-1] == "False", done.stdout + done.stderr


def test_a_distribution_without_a_record_provides_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(
        tmp_path / "site",
        {"bare-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: bare\nVersion: 1.0\n", "bare/__init__.py": ""},
    )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert installed_modules("bare") == frozenset()
