"""For editors: the findings of a file's text, saved or not, with their fixes as text edits.

Edits use the coordinates of findings: 1-based lines and 1-based columns counted in Unicode
code points, the end excluded; lines end at \\n, \\r\\n or \\r. `lsp_range` converts a range to
the Language Server Protocol's 0-based lines and UTF-16 code units. An edit whose `path` is
not None belongs to another file (requirements.txt, named by its display path); nothing is
ever written here.
"""

from __future__ import annotations

import io
import os
import tokenize
from collections.abc import Sequence
from pathlib import Path

from cflint.engine.registry import Registry, load_registry
from cflint.fix.model import without_unfixable
from cflint.fix.text import LineIndex
from cflint.model import Finding, Position, TextEdit
from cflint.project import FileContext, FileJob
from cflint.run.discovery import display_path, function_root_of
from cflint.settings.config import SettingsResolver
from cflint.settings.selection import PerFileIgnores, apply_ignores, enabled_codes


def _encoded(text: str) -> bytes:
    """`text` in the encoding its coding cookie names (UTF-8 without one)."""
    data = text.encode("utf-8", errors="surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return text.encode(encoding)
    except (SyntaxError, LookupError, UnicodeEncodeError):
        return data


def lint_text(
    path: Path,
    text: str,
    *,
    config: Path | None = None,
    cwd: Path | None = None,
    registry: Registry | None = None,
) -> list[Finding]:
    """The findings of `text` as the content of the Python file `path`, sorted, each with its
    `fix` (a `cflint.model.Fix`: safety, description, text edits) or None. Settings and the
    function root are those of `path`'s folder, as `cflint PATH` would find them; codes the
    config calls `unfixable` come without a fix."""
    from cflint.engine.linter import FileLinter

    cwd = cwd or Path(os.path.abspath(os.getcwd()))
    path = Path(os.path.abspath(path))
    registry = registry or load_registry()
    resolver = SettingsResolver({}, registry.codes, config)
    settings = resolver.for_folder(path.parent)
    root = function_root_of(path.parent, resolver, cwd)
    context = FileContext.of(path, display_path(path, cwd), settings, root)
    enabled = apply_ignores(
        enabled_codes(settings, registry.rules), PerFileIgnores(settings).ignored_for(path), registry.always_enabled
    )
    findings = FileLinter(registry).lint(FileJob(context, enabled, _encoded(text)))
    return without_unfixable(findings, settings.unfixable)


def lsp_range(text: str, edit: TextEdit) -> tuple[tuple[int, int], tuple[int, int]]:
    """An edit's range as LSP positions: (0-based line, UTF-16 code units from the line's start)."""
    index = LineIndex(text)
    return _lsp_position(text, index, edit.start), _lsp_position(text, index, edit.end)


def _lsp_position(text: str, index: LineIndex, position: Position) -> tuple[int, int]:
    offset = index.offset(position)
    line = index.position(offset).line
    start = index.starts[line - 1]
    return line - 1, len(text[start:offset].encode("utf-16-le")) // 2


__all__: Sequence[str] = ("lint_text", "lsp_range")
