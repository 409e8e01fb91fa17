"""Find, read and validate cflint configuration; merge command-line overrides."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from msgspec import Struct, field
from msgspec.structs import fields

from cflint.fs.files import NearestAbove, read_regular_bytes
from cflint.fs.patterns import PathPatterns, PatternError
from cflint.model import EntryPoint, UsageError

CONFIG_FILE_NAMES = (".cflint.toml", "cflint.toml", "pyproject.toml")
OUTPUT_FORMATS = ("default", "github", "json", "sarif", "gitlab")
DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    "node_modules",
    "build",
    "dist",
    ".eggs",
    "*.egg-info",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".cflint_cache",
    "site-packages",
)
MIB = 1024 * 1024
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": MIB, "gb": 1000**3, "gib": 1024**3}
_VERSION_RE = re.compile(r"^3\.(\d{1,2})$")
# The Python versions the platform's runtime offers: a target outside them is a mistake.
PLATFORM_VERSIONS = ((3, 11), (3, 12), (3, 13))
_UTF8_BOM = b"\xef\xbb\xbf"
_SELECTOR_RE = re.compile(r"^(ALL|CF\d{0,3})$")
_DISTRIBUTION_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)


class Settings(Struct, frozen=True):
    """The effective configuration for one folder: the file's values, then the flags."""

    base_dir: Path = field(default_factory=Path.cwd)
    config_path: Path | None = None
    entry_points: tuple[EntryPoint, ...] = (EntryPoint("user", "main"),)
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    target_versions: tuple[tuple[int, int], ...] = ((3, 11), (3, 12), (3, 13))
    output_format: str = "default"
    unsupported_packages: tuple[str, ...] | None = None
    extend_unsupported_packages: tuple[str, ...] = ()
    allow_packages: tuple[str, ...] = ()
    max_package_size: int = 100 * MIB
    package_exclude: tuple[str, ...] = ()
    max_file_size: int = 10 * MIB
    module_map: tuple[tuple[str, tuple[str, ...]], ...] = ()
    function_roots: tuple[str, ...] = ()
    read_whole_limit: int = MIB
    fix: bool = False
    unsafe_fixes: bool = False
    unfixable: tuple[str, ...] = ()
    fix_timeout: int | float = 10


class ConfigError(UsageError):
    """A configuration value that cannot be used."""


def _fail(where: str, key: str, problem: str) -> ConfigError:
    return ConfigError(f"{where}: {key}: {problem}")


def _string_list(value: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\s]+", value) if part]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, key, "expected a list of strings")
    return tuple(v.strip() for v in value)


def _distribution_names(value: Any, where: str, key: str) -> tuple[str, ...]:
    names = _string_list(value, where, key)
    for name in names:
        if not _DISTRIBUTION_RE.match(name):
            raise _fail(where, key, f"{name!r} is not a distribution name")
    return names


def _boolean(value: Any, where: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(where, key, "expected true or false")
    return value


def _seconds(value: Any, where: str, key: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e6:
        raise _fail(where, key, "expected a number of seconds greater than 0, such as 10 or 2.5")
    return value


def parse_size(value: Any, where: str, key: str) -> int:
    if isinstance(value, bool):
        raise _fail(where, key, 'expected a size such as 104857600 or "100 MiB"')
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str):
        match = _SIZE_RE.match(value)
        if match:
            size = int(float(match.group(1)) * _SIZE_UNITS[(match.group(2) or "b").lower()])
            if size > 0:
                return size
    raise _fail(where, key, 'expected a size such as 104857600 or "100 MiB"')


_MODULE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _module_map(value: Any, where: str, key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`{distribution = ["module", ...]}`: the modules a distribution provides."""
    if not isinstance(value, dict):
        raise _fail(where, key, 'expected a table of distribution = ["module", ...]')
    pairs = []
    for name, modules in value.items():
        _distribution_names([name], where, key)
        listed = _string_list(modules, where, f"{key}.{name}")
        for module in listed:
            if not _MODULE_RE.match(module):
                raise _fail(where, f"{key}.{name}", f"{module!r} is not a module name")
        pairs.append((name, listed))
    return tuple(pairs)


class _Validators:
    """Converters from raw TOML/flag values to Settings field values, by key."""

    def __init__(self, known_codes: frozenset[str]) -> None:
        self.known_codes = known_codes

    def selectors(self, value: Any, where: str, key: str) -> tuple[str, ...]:
        codes = tuple(code.upper() for code in _string_list(value, where, key))
        if key == "select" and not codes:
            raise _fail(where, key, "needs at least one rule code or prefix (to turn rules off, use ignore)")
        for code in codes:
            if not _SELECTOR_RE.match(code) or (
                code != "ALL" and not any(known.startswith(code) for known in self.known_codes)
            ):
                raise _fail(where, key, f"unknown rule code or prefix {code!r}")
        return codes

    def entry_points(self, value: Any, where: str, key: str) -> tuple[EntryPoint, ...]:
        names = _string_list(value, where, key)
        if not names:
            raise _fail(where, key, "needs at least one entry point")
        try:
            return tuple(EntryPoint.parse(name) for name in names)
        except ValueError as exc:
            raise _fail(where, key, str(exc)) from None

    def per_file_ignores(self, value: Any, where: str, key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            pairs: list[tuple[str, Any]] = []
            for item in value:
                pattern, colon, codes = item.rpartition(":")
                if not colon or not pattern:
                    raise _fail(where, key, f"expected PATTERN:CODES, got {item!r}")
                pairs.append((pattern, codes))
        elif isinstance(value, dict):
            pairs = list(value.items())
        else:
            raise _fail(where, key, "expected a table of pattern = [codes]")
        return tuple((pattern, self.selectors(codes, where, f"{key}.{pattern}")) for pattern, codes in pairs)

    def target_versions(self, value: Any, where: str, key: str) -> tuple[tuple[int, int], ...]:
        versions = []
        for text in _string_list(value, where, key):
            match = _VERSION_RE.match(text)
            if not match:
                raise _fail(where, key, f'expected versions like "3.11", got {text!r}')
            version = (3, int(match.group(1)))
            if version not in PLATFORM_VERSIONS:
                supported = ", ".join(f"{major}.{minor}" for major, minor in PLATFORM_VERSIONS)
                raise _fail(where, key, f"{text} is not a Python version the platform runs (it runs {supported})")
            versions.append(version)
        if not versions:
            raise _fail(where, key, "needs at least one version")
        return tuple(sorted(set(versions)))

    def output_format(self, value: Any, where: str, key: str) -> str:
        if value not in OUTPUT_FORMATS:
            raise _fail(where, key, f"expected one of {', '.join(OUTPUT_FORMATS)}")
        return str(value)

    def converters(self) -> Mapping[str, Callable[[Any, str, str], Any]]:
        return {
            "entry-points": self.entry_points,
            "select": self.selectors,
            "ignore": self.selectors,
            "extend-select": self.selectors,
            "per-file-ignores": self.per_file_ignores,
            "exclude": _string_list,
            "extend-exclude": _string_list,
            "target-versions": self.target_versions,
            "output-format": self.output_format,
            "unsupported-packages": _distribution_names,
            "extend-unsupported-packages": _distribution_names,
            "allow-packages": _distribution_names,
            "max-package-size": parse_size,
            "package-exclude": _string_list,
            "max-file-size": parse_size,
            "module-map": _module_map,
            "function-roots": _string_list,
            "read-whole-limit": parse_size,
            "fix": _boolean,
            "unsafe-fixes": _boolean,
            "unfixable": self.selectors,
            "fix-timeout": _seconds,
        }


CONFIG_KEYS = tuple(_Validators(frozenset()).converters())
# Command-line flags that add to a config key's list instead of replacing it.
EXTENDING_FLAGS = {"extend-ignore": "ignore", "extend-per-file-ignores": "per-file-ignores"}
assert {key.replace("-", "_") for key in CONFIG_KEYS} <= {f.name for f in fields(Settings)}


def convert(raw: Mapping[str, Any], where: str, known_codes: frozenset[str]) -> dict[str, Any]:
    """Validate raw key/value pairs and return Settings keyword arguments."""
    converters = _Validators(known_codes).converters()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        converter = converters.get(key)
        if converter is None:
            hint = (
                " (outside pyproject.toml the keys stand at the top level, without [tool.cflint])"
                if key == "tool"
                else ""
            )
            raise _fail(where, key, "unknown key" + hint)
        values[key.replace("-", "_")] = converter(value, where, key)
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
        raise _fail(str(path), "tool.cflint", "expected a table")
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
    return Settings(base_dir=base_dir, config_path=config_path, **values)


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
