"""How a path is shown to the user."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: Path, cwd: Path) -> str:
    """`path` relative to the current folder when under it, else absolute; posix slashes."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(cwd)
    except ValueError:
        return absolute.as_posix()
    return relative.as_posix() or "."
