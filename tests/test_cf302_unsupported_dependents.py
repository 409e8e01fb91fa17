"""CF302 without the network: a line whose distribution installs an unsupported one, from
the reviewed list scripts/record_unsupported_dependents.py recorded from wheel metadata; and
`pytorch`, the guide's word for torch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.knowledge.data_files import DATA_DIR
from cflint.knowledge.dependents import Dependent, unsupported_dependents
from cflint.knowledge.distributions import CATALOGUE
from tests.helpers import CliResult, write_files

Cflint = Callable[..., CliResult]
USER = "def main():\n    return 'ok'\n"


def _cf302(cflint: Cflint, folder: Path, requirements: str, config: str = "") -> list[str]:
    write_files(
        folder, {"user.py": USER, "requirements.txt": requirements, **({"cflint.toml": config} if config else {})}
    )
    result = cflint("--select", "CF302", ".", cwd=folder)
    assert result.code in (0, 1), result.err
    return result.lines


def test_the_list_covers_the_named_distributions_and_only_unsupported_ones() -> None:
    dependents = unsupported_dependents()
    named = {"yake", "fastai", "seaborn", "xarray", "shapely", "transformers", "sentence-transformers"}
    assert named <= set(dependents)
    assert len(dependents) >= 20
    for dependent in dependents.values():
        assert dependent.name not in CATALOGUE.unsupported
        assert set(dependent.brings) <= set(CATALOGUE.unsupported), dependent.name
    header = (DATA_DIR / "unsupported_dependents.toml").read_text(encoding="utf-8")
    assert "Source: each release's wheel metadata" in header
    assert "plotly" in header.split("bringing none:")[1].splitlines()[0]  # checked: plotly needs no numpy


def test_yake_names_the_chain(tmp_path: Path, cflint: Cflint) -> None:
    assert _cf302(cflint, tmp_path, "requests\nyake==0.4.8\n") == [
        "requirements.txt:2:1: CF302 yake installs numpy (yake -> numpy), which the runtime cannot install"
    ]


def test_fastai_names_torch_among_what_it_brings(tmp_path: Path, cflint: Cflint) -> None:
    (line,) = _cf302(cflint, tmp_path, "fastai==1.0.57\n")
    assert line.startswith("requirements.txt:1:1: CF302 fastai installs ") and "torch" in line
    assert "(fastai -> " in line and line.endswith("which the runtime cannot install")


@pytest.mark.parametrize(
    "line", ["seaborn", "xarray", "shapely>=2.1", "transformers==4.40.0", "sentence-transformers", "geopandas"]
)
def test_numerical_dependents_are_reported(line: str, tmp_path: Path, cflint: Cflint) -> None:
    lines = _cf302(cflint, tmp_path, f"{line}\n")
    assert len(lines) == 1 and " installs " in lines[0] and "which the runtime cannot install" in lines[0]


@pytest.mark.parametrize(
    "line",
    [
        "yake==0.3.7",  # before yake declared numpy
        "shapely==1.8.5",  # Shapely 1.x: numpy only as an extra
        "shapely<2",
        "plotly",
        "pyproj",
        "networkx",
        "requests",
        "yake ; sys_platform == 'win32'",
    ],
)
def test_what_installs_nothing_unsupported_is_not_reported(line: str, tmp_path: Path, cflint: Cflint) -> None:
    assert _cf302(cflint, tmp_path, f"{line}\n") == []


def test_allow_packages_silences_the_dependent_or_its_dependency(tmp_path: Path, cflint: Cflint) -> None:
    assert _cf302(cflint, tmp_path, "yake\n", 'allow-packages = ["numpy"]\n') == []
    assert _cf302(cflint, tmp_path, "yake\n", 'allow-packages = ["yake"]\n') == []
    (line,) = _cf302(cflint, tmp_path, "seaborn\n", 'allow-packages = ["numpy", "matplotlib"]\n')
    assert line.endswith("CF302 seaborn installs pandas (seaborn -> pandas), which the runtime cannot install")


def test_unsupported_lines_keep_their_message(tmp_path: Path, cflint: Cflint) -> None:
    assert _cf302(cflint, tmp_path, "numpy==1.26.4\nyake\n") == [
        "requirements.txt:1:1: CF302 numpy cannot be installed on the runtime (C extension modules)",
        "requirements.txt:2:1: CF302 yake installs numpy (yake -> numpy), which the runtime cannot install",
    ]


def test_pytorch_is_the_guides_name_for_torch(tmp_path: Path, cflint: Cflint) -> None:
    (line,) = _cf302(cflint, tmp_path, "pytorch\n")
    assert line.startswith("requirements.txt:1:1: CF302 pytorch cannot be installed on the runtime (a placeholder")


@pytest.mark.parametrize(
    ("specifier", "brings"),
    [
        ("", ("numpy",)),
        ("==0.4.8", ("numpy",)),
        ("==0.4.2", ()),
        ("==0.4.3", ("numpy",)),  # the first release that declares it
        ("~=0.4.5", ("numpy",)),
        (">=0.4", ("numpy",)),  # admits the newest checked
        ("<0.4", ()),
        ("<=0.9", ("numpy",)),  # admits the newest checked
        ("<=0.4.9", ()),  # a ceiling says nothing about which release pip finds below it
        ("==0.4.*", ()),  # a wildcard names no release
        ("==0.4.*,>=0.4.3", ("numpy",)),  # the floor after the wildcard still counts
        ("==not a version", ()),
    ],
)
def test_which_pins_install_the_dependency(specifier: str, brings: tuple[str, ...]) -> None:
    yake = Dependent("yake", "0.7.3", {"numpy": "0.4.3"})
    assert yake.installs(specifier) == brings


def test_a_pre_release_checked_last_counts_as_what_pip_installs() -> None:
    # pip installs a pre-release when no final release is allowed; `>=0.4` alone would not admit it.
    assert Dependent("yake", "1.0b1", {"numpy": "0.4.3"}).installs(">=0.4") == ("numpy",)


@pytest.mark.parametrize(
    ("marker", "counts"),
    [
        (None, True),
        ("sys_platform == 'linux'", True),
        ("python_version >= '3.9'", True),
        ("python_version < '3.12'", False),  # not on every target version
        ("extra == 'plot'", False),
        ("sys_platform == 'win32'", False),
        ("platform_machine == 'x86_64'", True),
    ],
)
def test_the_recorder_counts_only_unconditional_dependencies(marker: str | None, counts: bool) -> None:
    from packaging.markers import Marker

    from scripts.record_unsupported_dependents import _always

    assert _always(Marker(marker) if marker else None) is counts
