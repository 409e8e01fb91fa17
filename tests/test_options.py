"""The options table is the one place a setting is declared: the config reader, the flags,
--show-settings and docs/options.md are made from it and agree with each other."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cflint.cli.parser import lint_parser, overrides
from cflint.engine.registry import load_registry
from cflint.output import REPORTERS, get_reporter
from cflint.record import fields
from cflint.settings.config import Settings, convert, load_settings
from cflint.settings.options import OPTIONS, OUTPUT_FORMATS, Setting
from cflint.settings.values import toml_value
from scripts.options_page import OPTIONS_PAGE, options_page
from tests.helpers import CliResult

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

Cflint = Callable[..., CliResult]
CODES = load_registry().codes
_IDENTITY_FIELDS = ("base_dir", "config_path")
REPO = Path(__file__).resolve().parent.parent


def _comparable(settings: Settings) -> dict[str, Any]:
    return {item.name: getattr(settings, item.name) for item in fields(settings) if item.name not in _IDENTITY_FIELDS}


def _round_trip(table: dict[str, Any], tmp_path: Path, cflint: Cflint) -> tuple[Settings, Settings]:
    """The settings of a config holding `table`, and those of a config made of what
    --show-settings printed for it."""
    first = tmp_path / "first" / "cflint.toml"
    first.parent.mkdir()
    first.write_text("".join(f"{key} = {toml_value(value)}\n" for key, value in table.items()), encoding="utf-8")
    shown = cflint("--no-cache", "--show-settings", "first", cwd=tmp_path)
    assert shown.code == 0, shown.err
    second = tmp_path / "second" / "cflint.toml"
    second.parent.mkdir()
    second.write_text(shown.out, encoding="utf-8")
    tomllib.loads(shown.out)
    return load_settings(first, {}, CODES), load_settings(second, {}, CODES)


def test_every_setting_field_is_declared_in_the_table() -> None:
    declared = {setting.field for setting in OPTIONS}
    assert declared == {item.name for item in fields(Settings)} - set(_IDENTITY_FIELDS)
    assert all(setting.key == setting.field.replace("_", "-") for setting in OPTIONS)


@pytest.mark.parametrize("setting", OPTIONS, ids=lambda setting: setting.key)
def test_example_is_a_valid_value_other_than_the_default(setting: Setting) -> None:
    converted = convert({setting.key: setting.option.example}, "example", CODES)[setting.field]
    assert converted != setting.default
    assert setting.option.help.endswith(".")
    assert (setting.default is None) == bool(setting.option.unset)


def test_show_settings_of_the_defaults_is_toml_that_loads_back(tmp_path: Path, cflint: Cflint) -> None:
    original, loaded = _round_trip({}, tmp_path, cflint)
    assert _comparable(loaded) == _comparable(original) == _comparable(Settings())


@pytest.mark.parametrize("setting", OPTIONS, ids=lambda setting: setting.key)
def test_show_settings_is_toml_that_loads_back_to_the_same_setting(
    setting: Setting, tmp_path: Path, cflint: Cflint
) -> None:
    original, loaded = _round_trip({setting.key: setting.option.example}, tmp_path, cflint)
    assert getattr(original, setting.field) != setting.default
    assert _comparable(loaded) == _comparable(original)


def test_show_settings_of_every_example_at_once_loads_back(tmp_path: Path, cflint: Cflint) -> None:
    table = {setting.key: setting.option.example for setting in OPTIONS}
    original, loaded = _round_trip(table, tmp_path, cflint)
    assert _comparable(loaded) == _comparable(original)


def test_show_settings_writes_strings_toml_can_read_back(tmp_path: Path, cflint: Cflint) -> None:
    patterns = ['quote"d/', "back\\slash/", "tab\there/", "del\x7f/", "ünï/", "emoji\U0001f600/"]
    original, loaded = _round_trip({"extend-exclude": patterns}, tmp_path, cflint)
    assert loaded.extend_exclude == original.extend_exclude == tuple(patterns)


def test_each_flag_of_a_setting_reaches_its_key() -> None:
    parser = lint_parser("cflint")
    for setting in OPTIONS:
        flag = setting.option.flag
        if flag is None:
            continue
        value = setting.option.kind.choices[1] if setting.option.kind.choices else "CF1"
        argv = [flag.names[0]] if flag.action == "store_true" else [flag.names[0], value]
        assert setting.key in overrides(parser.parse_args(argv))


def test_output_formats_are_the_reporters() -> None:
    parser = lint_parser("cflint")
    (choices,) = [action.choices for action in parser._actions if "--output-format" in action.option_strings]
    assert tuple(choices or ()) == OUTPUT_FORMATS == tuple(REPORTERS)
    registry = load_registry()
    assert all(hasattr(get_reporter(name, registry), "write") for name in OUTPUT_FORMATS)


def test_options_page_is_generated_from_the_table() -> None:
    page = (REPO / OPTIONS_PAGE).read_text(encoding="utf-8")
    assert page == options_page(), "docs/options.md is stale; run: python scripts/generate_docs.py"
    assert [line[4:-1] for line in page.splitlines() if line.startswith("## `")] == [s.key for s in OPTIONS]
