"""The resolution cache: one JSON file per (requirements content, target version, index
settings), in a `resolve` folder of the user's cache folder (`CFLINT_CACHE_DIR` when set),
never in a function folder.

cflint writes only into a folder it made and marked (`cflint-resolve-cache`, with a
`CACHEDIR.TAG` and a `.gitignore`), each file atomically (a temporary file, then a rename),
and deletes nothing. Entries are decoded against their type; anything else is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from pathlib import Path

import msgspec

import cflint
from cflint.resolve.model import Version, VersionResolution

FOLDER_NAME = "resolve"
MARKER_NAME = "cflint-resolve-cache"
_MARKER = "cflint resolution cache: pip's answers for requirements files, by their content\n"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by cflint.\n"
_FORMAT = 2
_DECODER = msgspec.json.Decoder(VersionResolution)
# What else decides pip's answer besides the requirements: where it looks for packages.
_PIP_VARIABLES = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX", "PIP_CONFIG_FILE")


def default_folder() -> Path:
    configured = os.environ.get("CFLINT_CACHE_DIR")
    if configured:
        return Path(configured) / FOLDER_NAME
    import platformdirs

    return Path(platformdirs.user_cache_dir("cflint", appauthor=False)) / FOLDER_NAME


def _pip_config_files() -> list[Path]:
    home = Path.home()
    configured = os.environ.get("PIP_CONFIG_FILE")
    return [
        Path("/etc/pip.conf"),
        Path("/etc/xdg/pip/pip.conf"),
        Path(os.environ.get("XDG_CONFIG_HOME", home / ".config")) / "pip" / "pip.conf",
        home / ".pip" / "pip.conf",
        Path(sys.prefix) / "pip.conf",
        *([Path(configured)] if configured else []),
    ]


def index_settings() -> str:
    """pip's index settings outside the requirements files: its environment variables and
    config files (their bytes)."""
    parts = [f"{name}={os.environ.get(name, '')}" for name in _PIP_VARIABLES]
    for path in _pip_config_files():
        with contextlib.suppress(OSError):
            parts.append(f"{path}:{hashlib.sha256(path.read_bytes()).hexdigest()}")
    return "\n".join(parts)


def resolution_key(requirements_digest: str, version: Version, platform: str, index: str) -> str:
    identity = json.dumps([_FORMAT, cflint.__version__, requirements_digest, list(version), platform, index])
    return hashlib.sha256(identity.encode("utf-8", errors="surrogateescape")).hexdigest()


class ResolutionStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _entry(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def _is_ours(self) -> bool:
        try:
            return (self.folder / MARKER_NAME).read_text(encoding="utf-8") == _MARKER
        except (OSError, UnicodeDecodeError):
            return False

    def get(self, key: str) -> VersionResolution | None:
        if not self._is_ours():
            return None
        try:
            return _DECODER.decode(self._entry(key).read_bytes())
        except (OSError, msgspec.MsgspecError):
            return None

    def put(self, key: str, resolution: VersionResolution) -> None:
        import tempfile  # a warm run writes nothing

        try:
            if not self.folder.exists():
                self._create()
            if not self._is_ours():
                return
            path = self._entry(key)
            path.parent.mkdir(exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as stream:
                stream.write(msgspec.json.encode(resolution))
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def _create(self) -> None:
        """Make the folder whole (marker, tag, .gitignore), as a temporary folder renamed into
        place, so no run sees it unmarked. Raises OSError."""
        import tempfile

        self.folder.parent.mkdir(parents=True, exist_ok=True)
        made = Path(tempfile.mkdtemp(dir=self.folder.parent, prefix=".tmp-resolve-"))
        for name, text in ((MARKER_NAME, _MARKER), ("CACHEDIR.TAG", _TAG), (".gitignore", "*\n")):
            (made / name).write_text(text, encoding="utf-8")
        try:
            os.rename(made, self.folder)
        except OSError:
            for child in made.iterdir():
                child.unlink()
            made.rmdir()
            if not self._is_ours():  # another run made it meanwhile: use theirs
                raise
