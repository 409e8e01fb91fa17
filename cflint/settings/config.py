"""Find, read and validate cflint configuration; merge command-line overrides."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from cflint.fs.files import NearestAbove, read_regular_bytes
from cflint.fs.patterns import PathPatterns, PatternError
from cflint.model import UsageError
from cflint.settings.options import EXTENDING_FLAGS, OPTION_BY_KEY, Settings
from cflint.settings.values import At, ConfigError

__all__ = ["CONFIG_FILE_NAMES", "ConfigError", "Settings", "SettingsResolver", "convert", "load_settings"]

CONFIG_FILE_NAMES = (".cflint.toml", "cflint.toml", "pyproject.toml")
_UTF8_BOM = b"\xef\xbb\xbf"


def convert(raw: Mapping[str, Any], where: str, known_codes: frozenset[str]) -> dict[str, Any]:
    """Validate raw key/value pairs and return Settings keyword arguments."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        setting = OPTION_BY_KEY.get(key)
        if setting is None:
            hint = (
                " (outside pyproject.toml the keys stand at the top level, without [tool.cflint])"
                if key == "tool"
                else ""
            )
            raise ConfigError(f"{where}: {key}: unknown key{hint}")
        values[setting.field] = setting.option.kind.convert(value, At(where, key, known_codes))
    return values


def read_config_table(path: Path) -> dict[str, Any] | None:
    """The cflint table of a config file, or None for a pyproject.toml without one."""
    try:
        data = read_regular_bytes(path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse_config_table(path, data)


def parse_config_table(path: Path, data: bytes) -> dict[str, Any] | None:
    """The cflint table of config file `path` holding `data` (see read_config_table)."""
    if data.startswith(_UTF8_BOM):
        raise ConfigError(
            f"{path}: invalid TOML: the file starts with a UTF-8 byte order mark (BOM), which TOML does not "
            "allow; save it as UTF-8 without BOM"
        )
    if sys.version_info >= (3, 11):  # imported here: most runs find no config file
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if path.name != "pyproject.toml":
        return document
    tool = document.get("tool", {})
    table = tool.get("cflint") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: tool.cflint: expected a table")
    return table


def config_file_in(directory: Path) -> Path | None:
    """The config file in `directory` itself, if it has one with a cflint table."""
    for name in CONFIG_FILE_NAMES:
        candidate = directory / name
        if candidate.is_file() and (name != "pyproject.toml" or read_config_table(candidate) is not None):
            return candidate
    return None


def load_settings(
    config_path: Path | None,
    overrides: Mapping[str, Any],
    known_codes: frozenset[str],
) -> Settings:
    """Settings from a config file (or defaults) with command-line overrides on top."""
    if config_path is None:
        return settings_of_table({}, None, Path.cwd(), overrides, known_codes)
    table = read_config_table(config_path)
    if table is None:
        raise ConfigError(f"{config_path}: no [tool.cflint] table")
    return settings_of_table(table, config_path, Path(os.path.abspath(config_path.parent)), overrides, known_codes)


def settings_of_table(
    table: Mapping[str, Any],
    config_path: Path | None,
    base_dir: Path,
    overrides: Mapping[str, Any],
    known_codes: frozenset[str],
) -> Settings:
    """Settings from the cflint table of `config_path` (relative patterns are relative to
    `base_dir`) with command-line overrides on top."""
    values: dict[str, Any] = {}
    if config_path is not None:
        values.update(convert(table, str(config_path), known_codes))
    flags = dict(overrides)
    extensions = {key: flags.pop(flag) for flag, key in EXTENDING_FLAGS.items() if flag in flags}
    values.update(convert(flags, "command line", known_codes))
    for key, extra in extensions.items():
        field_name = key.replace("-", "_")
        added = convert({key: extra}, "command line", known_codes)[field_name]
        values[field_name] = (*values.get(field_name, ()), *added)
    settings = Settings(base_dir=base_dir, config_path=config_path, **values)
    if settings.fix_timeout >= settings.time_limit:
        where = "command line" if {"fix-timeout", "time-limit"} & flags.keys() else str(config_path)
        raise ConfigError(
            f"{where}: fix-timeout: {settings.fix_timeout} s is not below time-limit ({settings.time_limit} s); "
            "a fix's timeout must let the call end before the function is stopped"
        )
    return settings


class SettingsResolver:
    """Resolves the settings of each folder once per run, walking up for config files."""

    def __init__(
        self,
        overrides: Mapping[str, Any],
        known_codes: frozenset[str],
        forced_config: Path | None = None,
    ) -> None:
        self._overrides = overrides
        self._known_codes = known_codes
        self._forced = forced_config
        self._nearest_config = NearestAbove(config_file_in)
        self._settings_of_config: dict[Path | None, Settings] = {}

    def config_path_for(self, folder: Path) -> Path | None:
        if self._forced is not None:
            return self._forced
        return self._nearest_config(Path(os.path.abspath(folder)))

    def for_archive(self, archive: Path, read_root_file: Callable[[str], bytes | None]) -> Settings:
        """The settings of a ZIP archive: those of a config file at its root, as they are
        for the folder it was made from, else those of the folder it lies in. A config
        named on the command line wins, as it does for a folder. `read_root_file(name)`
        gives a root member's bytes, or None."""
        if self._forced is None:
            for name in CONFIG_FILE_NAMES:
                data = read_root_file(name)
                if data is None:
                    continue
                path = archive / name
                table = parse_config_table(path, data)
                if table is not None:
                    base_dir = Path(os.path.realpath(archive))
                    return settings_of_table(table, path, base_dir, self._overrides, self._known_codes)
        return self.for_folder(archive.parent)

    def for_folder(self, folder: Path) -> Settings:
        config_path = self.config_path_for(folder)
        settings = self._settings_of_config.get(config_path)
        if settings is None:
            settings = load_settings(config_path, self._overrides, self._known_codes)
            self._settings_of_config[config_path] = settings
        return settings


def setting_patterns(lines: Sequence[str], key: str) -> PathPatterns:
    """Path patterns from the config or the command line, for the setting `key`: one that
    cannot be read is a usage error naming the key."""
    try:
        return PathPatterns.of_lines(lines)
    except PatternError as exc:
        raise UsageError(f"{key}: {exc}") from None


def exclusion_patterns(settings: Settings) -> PathPatterns:
    """`exclude` and `extend-exclude`: the paths not to lint."""
    return setting_patterns([*settings.exclude, *settings.extend_exclude], "exclude")
