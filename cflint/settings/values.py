"""The kinds of value a setting takes: how a config or flag value is checked and converted,
and how a setting's value is written back as TOML (for --show-settings and the docs)."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from cflint.model import EntryPoint, UsageError
from cflint.record import Record

MIB = 1024 * 1024
# Patterns are kept as text and compiled on first use (by `re`'s cache): most runs have no
# setting to check, and compiling them all would slow every start.
_SIZE_RE = r"(?i)^\s*(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?\s*$"
_SIZE_UNITS = {"b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": MIB, "gb": 1000**3, "gib": 1024**3}
_VERSION_RE = r"^3\.(\d{1,2})$"
# The Python versions the platform's runtime offers: a target outside them is a mistake.
PLATFORM_VERSIONS = ((3, 11), (3, 12), (3, 13))
_SELECTOR_RE = r"^(ALL|CF\d{0,3})$"
_DISTRIBUTION_RE = r"(?i)^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$"
_MODULE_RE = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"
_BARE_KEY_RE = r"^[A-Za-z0-9_-]+$"


class ConfigError(UsageError):
    """A configuration value that cannot be used."""


class At(Record, frozen=True):
    """Where a value being converted comes from: the file (or "command line") and the key,
    and the rule codes that a selector may name."""

    where: str
    key: str
    known_codes: frozenset[str] = frozenset()

    def fail(self, problem: str) -> ConfigError:
        return ConfigError(f"{self.where}: {self.key}: {problem}")

    def under(self, name: str) -> At:
        return At(self.where, f"{self.key}.{name}", self.known_codes)


class Kind(Record, frozen=True):
    """A kind of setting value: its name in the docs, its converter from a raw TOML or flag
    value, the TOML form of a converted value, and the values a flag may take (if listed)."""

    name: str
    convert: Callable[[Any, At], Any]
    to_toml: Callable[[Any], object] = lambda value: value
    choices: tuple[str, ...] | None = None


def string_list(value: Any, at: At) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\s]+", value) if part]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise at.fail("expected a list of strings")
    return tuple(v.strip() for v in value)


def _distribution_names(value: Any, at: At) -> tuple[str, ...]:
    names = string_list(value, at)
    for name in names:
        if not re.match(_DISTRIBUTION_RE, name):
            raise at.fail(f"{name!r} is not a distribution name")
    return names


def _boolean(value: Any, at: At) -> bool:
    if not isinstance(value, bool):
        raise at.fail("expected true or false")
    return value


def _seconds(value: Any, at: At) -> int | float:
    if isinstance(value, str):  # a command-line flag
        with contextlib.suppress(ValueError):
            value = float(value) if any(c in value for c in ".eE") else int(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e6:
        raise at.fail("expected a number of seconds greater than 0, such as 10 or 2.5")
    return value


def parse_size(value: Any, at: At) -> int:
    if isinstance(value, bool):
        raise at.fail('expected a size such as 104857600 or "100 MiB"')
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str):
        match = re.match(_SIZE_RE, value)
        if match:
            size = int(float(match.group(1)) * _SIZE_UNITS[(match.group(2) or "b").lower()])
            if size > 0:
                return size
    raise at.fail('expected a size such as 104857600 or "100 MiB"')


def _module_map(value: Any, at: At) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`{distribution = ["module", ...]}`: the modules a distribution provides."""
    if not isinstance(value, dict):
        raise at.fail('expected a table of distribution = ["module", ...]')
    pairs = []
    for name, modules in value.items():
        _distribution_names([name], at)
        listed = string_list(modules, at.under(name))
        for module in listed:
            if not re.match(_MODULE_RE, module):
                raise at.under(name).fail(f"{module!r} is not a module name")
        pairs.append((name, listed))
    return tuple(pairs)


def selector_names(selectors: Iterable[str], code: str) -> bool:
    """Whether one of `selectors` (rule codes, prefixes or ALL, as `ignore` and `unfixable`
    take them) names the rule `code`."""
    return any(selector == "ALL" or code.startswith(selector) for selector in selectors)


def _selectors(value: Any, at: At) -> tuple[str, ...]:
    codes = tuple(code.upper() for code in string_list(value, at))
    if at.key == "select" and not codes:
        raise at.fail("needs at least one rule code or prefix (to turn rules off, use ignore)")
    for code in codes:
        if not re.match(_SELECTOR_RE, code) or (
            code != "ALL" and not any(known.startswith(code) for known in at.known_codes)
        ):
            raise at.fail(f"unknown rule code or prefix {code!r}")
    return codes


def _entry_points(value: Any, at: At) -> tuple[EntryPoint, ...]:
    names = string_list(value, at)
    if not names:
        raise at.fail("needs at least one entry point")
    try:
        return tuple(EntryPoint.parse(name) for name in names)
    except ValueError as exc:
        raise at.fail(str(exc)) from None


def _per_file_ignores(value: Any, at: At) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        pairs: list[tuple[str, Any]] = []
        for item in value:
            pattern, colon, codes = item.rpartition(":")
            if not colon or not pattern:
                raise at.fail(f"expected PATTERN:CODES, got {item!r}")
            pairs.append((pattern, codes))
    elif isinstance(value, dict):
        pairs = list(value.items())
    else:
        raise at.fail("expected a table of pattern = [codes]")
    return tuple((pattern, _selectors(codes, at.under(pattern))) for pattern, codes in pairs)


def _target_versions(value: Any, at: At) -> tuple[tuple[int, int], ...]:
    versions = []
    for text in string_list(value, at):
        match = re.match(_VERSION_RE, text)
        if not match:
            raise at.fail(f'expected versions like "3.11", got {text!r}')
        version = (3, int(match.group(1)))
        if version not in PLATFORM_VERSIONS:
            supported = ", ".join(f"{major}.{minor}" for major, minor in PLATFORM_VERSIONS)
            raise at.fail(f"{text} is not a Python version the platform runs (it runs {supported})")
        versions.append(version)
    if not versions:
        raise at.fail("needs at least one version")
    return tuple(sorted(set(versions)))


def _table_of_lists(pairs: Sequence[tuple[str, Sequence[str]]]) -> dict[str, list[str]]:
    """`((key, items), ...)` as a TOML table; items of a key given twice are joined, as TOML
    allows a key once."""
    table: dict[str, list[str]] = {}
    for key, items in pairs:
        table.setdefault(key, []).extend(items)
    return table


def one_of(choices: tuple[str, ...]) -> Kind:
    def convert(value: Any, at: At) -> str:
        if value not in choices:
            raise at.fail(f"expected one of {', '.join(choices)}")
        return str(value)

    return Kind(f"one of {', '.join(map(json.dumps, choices))}", convert, choices=choices)


STRINGS = Kind("list of strings", string_list, list)
PATTERNS = Kind("list of gitignore-style patterns", string_list, list)
SELECTORS = Kind("list of rule codes or prefixes", _selectors, list)
DISTRIBUTIONS = Kind("list of distribution names", _distribution_names, list)
ENTRY_POINTS = Kind("list of module.function names", _entry_points, lambda value: [str(point) for point in value])
PER_FILE_IGNORES = Kind("table of pattern = [codes]", _per_file_ignores, _table_of_lists)
TARGET_VERSIONS = Kind(
    "list of Python versions", _target_versions, lambda value: [f"{major}.{minor}" for major, minor in value]
)
SIZE = Kind('size: bytes, or a string with a unit ("10 MiB", "500 KB")', parse_size)
MODULE_MAP = Kind('table of distribution = ["module", ...]', _module_map, _table_of_lists)
BOOLEAN = Kind("boolean", _boolean)
SECONDS = Kind("number of seconds", _seconds)


def toml_value(value: object) -> str:
    """`value` (a str, bool, number, list or dict of them) in TOML syntax, on one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        # JSON's escapes are TOML's, but for DEL, which TOML wants escaped and JSON does not.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{toml_key(key)} = {toml_value(item)}" for key, item in value.items())
        return "{" + items + "}" if items else "{}"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def toml_key(key: str) -> str:
    return key if re.match(_BARE_KEY_RE, key) else toml_value(key)
