"""The editor's settings for cflint: `select`, `ignore` and `config`, from the client's
`initializationOptions` or `workspace/didChangeConfiguration`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cflint.model import UsageError
from cflint.record import Record
from cflint.settings.config import convert

SECTION = "cflint"
_KEYS = ("select", "ignore", "config")


class EditorSettings(Record, frozen=True):
    """Rule selection that replaces the config's (as the flags of the same name do), and
    the config file to use instead of searching for one."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    config: Path | None = None

    @property
    def overrides(self) -> dict[str, Any]:
        return {key: list(value) for key, value in (("select", self.select), ("ignore", self.ignore)) if value}

    @classmethod
    def from_client(cls, value: object, workspace: Path, known_codes: frozenset[str]) -> EditorSettings:
        """Settings from what the client sent: the keys at the top level or under a
        `cflint` section; a relative `config` is taken from the workspace folder.
        Raises UsageError, naming the setting, for a value that cannot be used."""
        if value is None:
            return cls()
        if not isinstance(value, Mapping):
            raise UsageError(f"editor settings: expected an object with {', '.join(_KEYS)}")
        section = value.get(SECTION)
        table: Mapping[str, Any] = section if isinstance(section, Mapping) else value
        raw = {key: table[key] for key in ("select", "ignore") if table.get(key) not in (None, "", [])}
        codes = convert(raw, "editor settings", known_codes)
        config = table.get("config")
        config_path = None
        if config not in (None, ""):
            if not isinstance(config, str):
                raise UsageError("editor settings: config: expected a file path")
            config_path = Path(os.path.abspath(workspace / os.path.expanduser(config)))
            if not config_path.is_file():
                raise UsageError(f"editor settings: config: {config_path}: config file not found")
        return cls(codes.get("select"), codes.get("ignore"), config_path)
