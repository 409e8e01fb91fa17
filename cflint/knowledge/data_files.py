"""The TOML data files shipped in `knowledge/data/`: where they are, and how one is read."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_data_file(path: Path) -> dict[str, Any]:
    """The tables of one TOML data file."""
    with path.open("rb") as stream:
        return tomllib.load(stream)
