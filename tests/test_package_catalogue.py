"""The shipped package catalogue, names normalised as PEP 503 does, and the docs' list of it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.knowledge.distributions import CATALOGUE, ModuleProvider, PackagePolicy, canonical_name
from cflint.settings.config import Settings
from tests.helpers import REPO, CliResult, write_files

# The scientific and machine-learning stacks: compiled code the runtime cannot install.
NATIVE_STACKS = [
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "scikit-image",
    "matplotlib",
    "statsmodels",
    "numba",
    "pyarrow",
    "polars",
    "h5py",
    "tensorflow",
    "tensorflow-cpu",
    "tensorflow-gpu",
    "tf-nightly",
    "keras",
    "torch",
    "torchvision",
    "torchaudio",
    "jax",
    "jaxlib",
    "onnxruntime",
    "xgboost",
    "lightgbm",
    "catboost",
    "opencv-python",
    "opencv-python-headless",
    "spacy",
    "faiss-cpu",
]


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("NumPy", "numpy"),
        ("scikit_learn", "scikit-learn"),
        ("Scikit.Learn", "scikit-learn"),
        ("a-_.b", "a-b"),
    ],
)
def test_canonical_name(written: str, canonical: str) -> None:
    assert canonical_name(written) == canonical


def test_catalogue_calls_the_native_stacks_unsupported() -> None:
    assert set(NATIVE_STACKS) <= set(CATALOGUE.unsupported)
    assert {"psycopg2", "mysqlclient", "cryptography", "lxml", "grpcio", "orjson"} <= set(CATALOGUE.native)
    assert not set(CATALOGUE.unsupported) & {"pyyaml", "pillow", "requests", "python-dateutil", "markupsafe"}


def test_whole_components_only() -> None:
    policy = PackagePolicy.for_settings(Settings())
    assert policy.unsupported_module("numpy.linalg") is not None
    assert policy.unsupported_module("numpyro") is None
    assert policy.unsupported_module("torchmetrics") is None
    assert policy.unsupported_module("cv2").name == "opencv-python"  # type: ignore[union-attr]


def test_provider_by_catalogue_convention_and_dependencies() -> None:
    provider = ModuleProvider.of(["pyyaml", "requests", "google-cloud-secret-manager", "python-jose"])
    assert all(provider.provides(m) for m in ["yaml", "google.cloud.secretmanager", "jose.jwt"])
    assert not any(provider.provides(m) for m in ["boto3", "google.cloud.storage", "yamlx", "urllib3"])
    assert provider.installed_through("urllib3.util") == "requests"
    assert provider.installed_through("google.api_core") == "google-cloud-secret-manager"
    assert provider.installed_through("boto3") is None


def test_docs_list_the_catalogue() -> None:
    rules_page = (REPO / "docs" / "rules" / "index.md").read_text(encoding="utf-8")
    section = rules_page.split("## Imports and dependencies", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([a-z0-9-]+)`", section))
    assert set(CATALOGUE.unsupported) | set(CATALOGUE.native) <= listed


def test_config_rejects_a_bad_distribution_name(tmp_path: Path, cflint: Callable[..., CliResult]) -> None:
    write_files(tmp_path, {"user.py": "", "cflint.toml": 'extend-unsupported-packages = ["two words"]\n'})
    result = cflint(".", cwd=tmp_path)
    assert result.code == 2
    assert "extend-unsupported-packages: 'two words' is not a distribution name" in result.err
