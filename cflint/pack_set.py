"""Which files of a function folder go into its package: all of them but junk (the
guide's exclusions and the like), `.env`, `.gitignore`d paths and `package-exclude`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pathspec

from cflint.config import Settings
from cflint.junk import JUNK_KINDS, VIRTUALENV_MARKER

# The guide's exclusion list names `.env` too; other secrets are left to CF505.
ALWAYS_EXCLUDED = (*(kind.gitignore_line for kind in JUNK_KINDS), ".env")


@dataclass(frozen=True)
class PackFile:
    """A file to pack: its posix path in the package, where it is, and its size."""

    path: str
    source: Path
    size: int


class PackFilter:
    """Decides which paths under `folder` are left out of its package. `package-exclude`
    patterns are relative to `folder` and come after the built-in ones, so `!name`
    can put back a file the built-in list leaves out. `.gitignore` files apply from the
    enclosing repository's root (or from `folder` outside a repository) downwards."""

    def __init__(self, folder: Path, settings: Settings) -> None:
        self.folder = folder
        self._spec = pathspec.GitIgnoreSpec.from_lines([*ALWAYS_EXCLUDED, *settings.package_exclude])
        self._gitignores: dict[Path, pathspec.PathSpec | None] = {}
        self._outer = self._outer_folders(folder)

    @staticmethod
    def _outer_folders(folder: Path) -> tuple[Path, ...]:
        """The folders above `folder` up to its repository root, when it is in one."""
        walked: list[Path] = []
        if (folder / ".git").exists():
            return ()
        for parent in folder.parents:
            walked.append(parent)
            if (parent / ".git").exists():
                return tuple(walked)
        return ()

    def _gitignore(self, directory: Path) -> pathspec.PathSpec | None:
        if directory not in self._gitignores:
            try:
                text = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
            except OSError:
                self._gitignores[directory] = None
            else:
                self._gitignores[directory] = pathspec.GitIgnoreSpec.from_lines(text.splitlines())
        return self._gitignores[directory]

    def _excluded_itself(self, path: Path, is_dir: bool) -> bool:
        slash = "/" if is_dir else ""
        if self._spec.match_file(path.relative_to(self.folder).as_posix() + slash):
            return True
        if is_dir and (path / VIRTUALENV_MARKER).is_file():
            return True
        inner = path.relative_to(self.folder).parents
        for directory in (*(self.folder / part for part in inner), *self._outer):
            spec = self._gitignore(directory)
            if spec is not None and spec.match_file(path.relative_to(directory).as_posix() + slash):
                return True
        return False

    def excluded(self, path: Path) -> bool:
        """Whether the file or folder `path` (inside `folder`) would be left out."""
        relative = path.relative_to(self.folder)
        folders = [self.folder / parent for parent in reversed(relative.parents) if parent != Path(".")]
        return any(self._excluded_itself(folder, True) for folder in folders) or self._excluded_itself(
            path, path.is_dir() and not path.is_symlink()
        )

    def files(self) -> list[PackFile]:
        """The files to pack, sorted by path; symlinked folders are not followed."""
        found: list[PackFile] = []
        pending = [self.folder]
        while pending:
            directory = pending.pop()
            with os.scandir(directory) as scan:
                children = sorted(scan, key=lambda child: child.name)
            for child in children:
                path = Path(child.path)
                if child.is_dir(follow_symlinks=False):
                    if not self._excluded_itself(path, True):
                        pending.append(path)
                elif child.is_file() and not self._excluded_itself(path, False):
                    relative = path.relative_to(self.folder).as_posix()
                    found.append(PackFile(relative, path, child.stat().st_size))
        found.sort(key=lambda pack_file: pack_file.path)
        return found
