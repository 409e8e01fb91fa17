"""`--show-settings` and `--show-files`: what a run would use, printed instead of linting."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from msgspec.structs import fields

from cflint.engine.registry import Registry
from cflint.model import EntryPoint, UsageError
from cflint.run.discovery import discover, display_path, function_root_of
from cflint.settings.config import Settings, SettingsResolver
from cflint.settings.selection import PerFileIgnores, apply_ignores, enabled_codes

_NOT_SHOWN = ("base_dir", "config_path")


def _toml_value(value: object) -> str:
    if isinstance(value, EntryPoint):
        return json.dumps(f"{value.module}.{value.function}")
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(part, int) for part in value):
        return json.dumps(".".join(str(part) for part in value))
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


def settings_lines(settings: Settings) -> list[str]:
    """Every setting as a `key = value` line in the config file's syntax."""
    lines = []
    for item in fields(settings):
        if item.name in _NOT_SHOWN:
            continue
        key = item.name.replace("_", "-")
        value = getattr(settings, item.name)
        if item.name == "per_file_ignores":
            table = ", ".join(f"{json.dumps(pattern)} = {_toml_value(codes)}" for pattern, codes in value)
            lines.append(f"{key} = {{{table}}}")
        elif value is None:
            lines.append(f"# {key}: not set")
        else:
            lines.append(f"{key} = {_toml_value(value)}")
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
    enabled = apply_ignores(
        enabled_codes(settings, registry.rules), PerFileIgnores(settings).ignored_for(absolute), registry.always_enabled
    )
    out = [
        f"Settings for {display_path(absolute, cwd)}",
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
