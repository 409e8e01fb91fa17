"""docs/options.md, the options reference, written from the options table
(cflint/settings/options.py): each key with its type, default, flag, help and an example."""

from __future__ import annotations

from cflint.settings.options import OPTIONS, Setting
from cflint.settings.values import toml_value

OPTIONS_PAGE = "docs/options.md"
_INTRODUCTION = """\
# Options

<!-- Generated from cflint/settings/options.py by scripts/generate_docs.py: edit those, not this page. -->

cflint reads `[tool.cflint]` in `pyproject.toml`, or the same keys at the top level of
`cflint.toml` or `.cflint.toml`. For each folder it uses the nearest such file, walking up
(in one folder `.cflint.toml` wins over `cflint.toml`, which wins over `pyproject.toml`; a
`pyproject.toml` without the table is passed over). Patterns are relative to the config
file's folder. Command-line flags win over the file. An unknown key, a value of the wrong
type or an unknown rule code stops the run with one line naming the file and the key, and
exit code 2.

`cflint --show-settings PATH` prints the settings that apply to `PATH` in this syntax,
ready to paste into `cflint.toml`.
"""


def _flags(setting: Setting) -> str:
    flag = setting.option.flag
    if flag is None:
        return "none (config only)"
    value = f" {flag.metavar}" if flag.metavar else ""
    if setting.option.kind.choices is not None:
        value = f" {{{','.join(setting.option.kind.choices)}}}"
    shown = [", ".join(f"`{name}{value}`" for name in flag.names)]
    if flag.extend is not None:
        shown.append(f"`{flag.extend[0]}{value}` adds to the config's value")
    if flag.negate is not None:
        shown.append(f"`{flag.negate[0]}` sets it to false")
    return "; ".join(shown)


def _default(setting: Setting) -> str:
    if setting.default is None:
        return f"not set: {setting.option.unset}"
    return f"`{toml_value(setting.option.kind.to_toml(setting.default))}`"


def _section(setting: Setting) -> str:
    option = setting.option
    return (
        f"\n## `{setting.key}`\n\n{option.help}\n\n"
        "| | |\n| --- | --- |\n"
        f"| Type | {option.kind.name} |\n"
        f"| Default | {_default(setting)} |\n"
        f"| Flag | {_flags(setting)} |\n\n"
        f"```toml\n{setting.key} = {toml_value(option.example)}\n```\n"
    )


def options_page() -> str:
    return _INTRODUCTION + "".join(_section(setting) for setting in OPTIONS)
