"""Each rule's fix keeps its promise: a safe fix keeps behaviour, an unsafe one changes only what
its message says, and the result still parses, imports and answers under Flask (run in a fresh
Python by `tests.helpers.serve`); a requirements.txt the fix edits still parses with pip's own
parser, and the finding the fix answers goes away."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.knowledge.distributions import CATALOGUE
from tests.helpers import CliResult, write_files

pip_req_file = pytest.importorskip("pip._internal.req.req_file")
pip_session = pytest.importorskip("pip._internal.network.session")

Cflint = Callable[..., CliResult]
HEX = "a" * 64


def _pip_requirement_names(path: Path) -> list[str]:
    """The requirements pip reads from `path`, as written (pip raises on a line it refuses)."""
    session = pip_session.PipSession()
    return [parsed.requirement.strip() for parsed in pip_req_file.parse_requirements(str(path), session=session)]


# CF303


def test_cf303_namespace_import_gets_its_own_distribution_and_the_finding_goes(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": "from google.cloud import storage\n\n\ndef main():\n    return 'ok'\n",
            "requirements.txt": "flask\n",
        },
    )
    first = cflint("--fix", "--unsafe-fixes", "--select", "CF303", ".")
    assert (tmp_path / "requirements.txt").read_text() == "flask\ngoogle-cloud-storage\n", first.out
    again = cflint("--fix", "--unsafe-fixes", "--select", "CF303", ".")
    assert (again.code, again.codes) == (0, [])
    assert (tmp_path / "requirements.txt").read_text() == "flask\ngoogle-cloud-storage\n"


@pytest.mark.parametrize("module", ["google", "google.cloud", "google.cloud.unknown_product", "azure", "azure.mgmt"])
def test_a_shared_namespace_package_alone_names_no_distribution(module: str) -> None:
    assert CATALOGUE.certain_distribution(module) is None


@pytest.mark.parametrize(
    ("module", "distribution"),
    [
        ("google.cloud.storage", "google-cloud-storage"),
        ("google.protobuf.json_format", "protobuf"),
        ("google.cloud.pubsub_v1", "google-cloud-pubsub"),
        ("yaml", "pyyaml"),
    ],
)
def test_certain_distribution_provides_the_module(module: str, distribution: str) -> None:
    from cflint.knowledge.distributions import ModuleProvider

    assert CATALOGUE.certain_distribution(module) == distribution
    assert ModuleProvider.of([distribution]).provides(module)


def test_cf303_offers_no_fix_in_hash_checking_mode(tmp_path: Path, cflint: Cflint) -> None:
    requirements = f"flask==3.0.0 \\\n    --hash=sha256:{HEX}\n"
    write_files(
        tmp_path, {"user.py": "import yaml\n\n\ndef main():\n    return 'ok'\n", "requirements.txt": requirements}
    )
    result = cflint("--fix", "--unsafe-fixes", "--select", "CF303", ".")
    assert result.codes == ["CF303"]
    assert "[unsafe fix" not in cflint("--select", "CF303", ".").out
    assert (tmp_path / "requirements.txt").read_text() == requirements
    assert _pip_requirement_names(tmp_path / "requirements.txt") == ["flask==3.0.0"]


def test_cf303_offers_no_fix_when_an_included_file_has_hashes(tmp_path: Path, cflint: Cflint) -> None:
    write_files(
        tmp_path,
        {
            "user.py": "import yaml\n\n\ndef main():\n    return 'ok'\n",
            "requirements.txt": "-r locked.txt\n",
            "locked.txt": f"flask==3.0.0 --hash=sha256:{HEX}\n",
        },
    )
    cflint("--fix", "--unsafe-fixes", "--select", "CF303", ".")
    assert (tmp_path / "requirements.txt").read_text() == "-r locked.txt\n"


@pytest.mark.parametrize(
    "requirements",
    [
        "pyyaml \\\n",
        "pyyaml \\",
        "flask\r\npyyaml \\\r\n",
        "flask\npyyaml \\\n    >=6 \\\n",
        "flask  # pinned later \\\n",
        "# a comment \\\n",
    ],
)
def test_cf303_fix_after_a_continued_last_line_keeps_the_file_valid_for_pip(
    requirements: str, tmp_path: Path, cflint: Cflint
) -> None:
    write_files(tmp_path, {"user.py": "import requests\n\n\ndef main():\n    return 'ok'\n"})
    (tmp_path / "requirements.txt").write_bytes(requirements.encode())
    before = _pip_requirement_names(tmp_path / "requirements.txt")
    result = cflint("--fix", "--unsafe-fixes", "--select", "CF303", ".")
    assert result.codes == [], result.out + result.err
    assert _pip_requirement_names(tmp_path / "requirements.txt") == [*before, "requests"]
    again = cflint("--fix", "--unsafe-fixes", "--select", "CF303", ".")
    assert (again.code, again.codes) == (0, [])
