"""What the engine knows of a file and its function root: the folder the runtime loads,
the file's module name and entry functions, and one file's job in a run."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from cflint.run.files import requirement_files_digest
from cflint.settings.config import Settings

if TYPE_CHECKING:
    from cflint.knowledge.requirements import Requirements


@dataclass(frozen=True)
class FunctionRoot:
    """A folder the runtime loads as one function: it holds the entry module,
    a requirements.txt, or a cflint config with Python files beside it."""

    path: Path
    display_path: str
    settings: Settings
    local_modules: frozenset[str] = frozenset()

    @property
    def requirements_path(self) -> Path:
        return self.path / "requirements.txt"

    @cached_property
    def requirements_digest(self) -> str:
        """A digest of the requirement files' bytes (for cache keys; parses nothing)."""
        return requirement_files_digest(self.requirements_path)

    @cached_property
    def requirements(self) -> Requirements:
        """The root's requirements.txt and the files it includes, read on first use."""
        from cflint.knowledge.requirements import read_requirements  # parsing needs `packaging`: only when asked

        return read_requirements(self.requirements_path, self.path)


def module_name(path: Path, root: FunctionRoot) -> str | None:
    """The name the runtime would import `path` by, from the function root."""
    try:
        relative = path.relative_to(root.path)
    except ValueError:
        return None
    parts = list(relative.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) if parts and all(p.isidentifier() for p in parts) else None


@dataclass(frozen=True)
class FileContext:
    """What a file rule knows about the file it is checking."""

    path: Path
    display_path: str
    settings: Settings
    root: FunctionRoot | None = None
    module_name: str | None = None
    entry_functions: frozenset[str] = frozenset()

    @classmethod
    def of(cls, path: Path, display_path: str, settings: Settings, root: FunctionRoot | None) -> FileContext:
        """The context of a file: its module name in its function root, and the entry
        functions the root's entry points name in that module."""
        name = module_name(path, root) if root is not None else None
        entry_points = (root.settings if root is not None else settings).entry_points
        entry_functions = frozenset(ep.function for ep in entry_points if ep.module == name)
        return cls(path, display_path, settings, root, name, entry_functions)

    @property
    def is_entry_module(self) -> bool:
        return bool(self.entry_functions)


@dataclass(frozen=True)
class FileJob:
    """One file to lint, with what its rules need to know and which codes are on."""

    context: FileContext
    enabled: frozenset[str]
    source: bytes | None = None  # content already read, or of a file not on disk
