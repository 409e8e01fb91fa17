"""Problem matchers for cflint's default output, shipped as data files beside this module."""

from __future__ import annotations

from pathlib import Path

MATCHER_FILES = {"github": "github.json", "vscode": "vscode-tasks.json"}


def matcher_text(kind: str) -> str:
    """The GitHub Actions matcher (for `::add-matcher::`) or the VS Code tasks.json snippet."""
    return (Path(__file__).resolve().parent / MATCHER_FILES[kind]).read_text(encoding="utf-8")
