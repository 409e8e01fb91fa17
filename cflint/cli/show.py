"""`--show-settings` and `--show-files`: what a run would use, printed instead of linting."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from cflint.engine.registry import Registry
from cflint.fs.paths import display_path
from cflint.model import UsageError
from cflint.run.discovery import discover
from cflint.run.function_roots import function_root_of
from cflint.settings.config import Settings, SettingsResolver
from cflint.settings.options import OPTIONS
from cflint.settings.selection import Selection
from cflint.settings.values import toml_value


def settings_lines(settings: Settings) -> list[str]:
    """Every setting as a `key = value` line of TOML, to paste into a config file; a setting
    that is not set is a comment."""
    lines = []
    for setting in OPTIONS:
        value = getattr(settings, setting.field)
        if value is None:
            lines.append(f"# {setting.key}: not set ({setting.option.unset})")
        else:
            lines.append(f"{setting.key} = {toml_value(setting.option.kind.to_toml(value))}")
    return lines


def show_settings(
    path: Path, resolver: SettingsResolver, registry: Registry, cwd: Path, cache_dir: Path | None, stream: TextIO
) -> int:
    absolute = Path(os.path.abspath(path))
    if not os.path.lexists(absolute):
        raise UsageError(f"{path}: no such file or folder")
    folder = absolute if absolute.is_dir() else absolute.parent
    settings = resolver.for_folder(folder)
    root = function_root_of(folder, resolver, cwd)
    enabled = Selection(registry).for_path(settings, absolute)
    out = [
        f"# settings for {display_path(absolute, cwd)}",
        f"# config file: {settings.config_path or 'none (built-in defaults and command-line flags)'}",
        f"# function root: {root.display_path if root is not None else 'none'}",
        f"# result cache: {cache_dir if cache_dir is not None else 'off (--no-cache)'}",
        f"# enabled rules: {', '.join(sorted(enabled))}",
        *settings_lines(settings),
    ]
    stream.write("\n".join(out) + "\n")
    return 0


def show_files(
    paths: Sequence[Path], resolver: SettingsResolver, cwd: Path, force_exclude: bool, stream: TextIO
) -> int:
    found = discover(paths, resolver, cwd, force_exclude)
    lines = []
    for path in found.files:
        root = function_root_of(path.parent, resolver, cwd)
        where = f"function root {root.display_path}" if root is not None else "no function root"
        lines.append(f"{display_path(path, cwd)}  ({where})")
    lines.extend(f"{display_path(archive, cwd)}  (archive)" for archive in dict.fromkeys(found.archives))
    if lines:
        stream.write("\n".join(lines) + "\n")
    return 0
