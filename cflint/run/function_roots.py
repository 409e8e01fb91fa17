"""Which folders are function roots: the folder the platform would load as a function, found
from a file or folder by walking up, and the modules importable from it."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from pathlib import Path

from cflint.fs.files import NearestAbove, is_repository_root
from cflint.fs.paths import display_path
from cflint.package.vendored import vendored_modules
from cflint.project import FunctionRoot
from cflint.settings.config import Settings, SettingsResolver, config_file_in

ROOT_MARKER_FILES = ("requirements.txt",)


class RootFinder:
    """Finds the function root of a folder by walking up; memoised per folder. `unsaved`:
    a file that counts as there, as it will be once saved (the source read from stdin),
    even in a folder that does not exist yet."""

    def __init__(self, resolver: SettingsResolver, cwd: Path, unsaved: Path | None = None) -> None:
        self._resolver = resolver
        self._cwd = cwd
        self._unsaved = unsaved
        self._is_root: dict[Path, bool] = {}
        self._made: dict[Path, FunctionRoot] = {}
        self.root_of = NearestAbove(self._root_at, stop=is_repository_root)
        """The function root of a folder: the nearest root at or above it within its repository."""

    def is_root(self, folder: Path) -> bool:
        """Whether the platform would load `folder` as a function: it matches the config's
        `function-roots` globs when there are some; else it holds the entry module, or a
        requirements.txt or a cflint config, and Python files (a requirements.txt alone is
        a layer of packages, not a function), and no folder below it holds an entry module
        (then it is a repository of functions, not one)."""
        known = self._is_root.get(folder)
        if known is None:
            settings = self._resolver.for_folder(folder)
            if settings.function_roots:
                known = _matches_function_roots(folder, settings)
            elif any(self._holds(folder / ep.module_path) for ep in settings.entry_points):
                known = True
            else:
                unsaved = self._unsaved
                marked = (
                    any((folder / name).is_file() for name in ROOT_MARKER_FILES)
                    and ((unsaved is not None and folder in unsaved.parents) or _holds_python_file(folder))
                ) or (
                    config_file_in(folder) is not None
                    and ((unsaved is not None and unsaved.parent == folder) or any(folder.glob("*.py")))
                )
                known = marked and not _holds_entry_module_below(folder, settings)
            self._is_root[folder] = known
        return known

    def _holds(self, path: Path) -> bool:
        return path == self._unsaved or path.is_file()

    def make_root(self, folder: Path) -> FunctionRoot:
        """The one FunctionRoot of `folder` in this run (its derived facts are computed once)."""
        root = self._made.get(folder)
        if root is None:
            vendored = vendored_modules(folder)
            local_modules = _local_modules(folder, vendored)
            unsaved = self._unsaved if self._unsaved is not None and folder in self._unsaved.parents else None
            if unsaved is not None:  # the module (or package folder) the unsaved file makes importable
                top = unsaved.relative_to(folder).parts[0]
                local_modules |= {unsaved.stem} if top == unsaved.name else {top}
            root = self._made[folder] = FunctionRoot(
                path=folder,
                display_path=display_path(folder, self._cwd),
                settings=self._resolver.for_folder(folder),
                local_modules=local_modules,
                unsaved=unsaved,
                vendored=vendored,
            )
        return root

    def _root_at(self, folder: Path) -> FunctionRoot | None:
        return self.make_root(folder) if self.is_root(folder) else None


_NOT_SEARCHED = frozenset({"node_modules", "site-packages", "venv", "__pycache__", "build", "dist"})
_SEARCH_DEPTH = 4


def _searched_folders(folder: Path) -> Iterator[tuple[str, list[str], int]]:
    """`folder` and the folders below it, a few levels down, outside hidden, virtualenv and
    installed-package folders: each with its file names and its depth below `folder`."""
    vendored = vendored_modules(folder)
    for current, dir_names, file_names in os.walk(folder):
        depth = len(Path(current).relative_to(folder).parts)
        dir_names[:] = [
            name
            for name in dir_names
            if not name.startswith(".")
            and name not in _NOT_SEARCHED
            and not name.endswith((".dist-info", ".egg-info"))
            and not (depth == 0 and name in vendored)
        ]
        if depth >= _SEARCH_DEPTH:
            dir_names[:] = []
        yield current, file_names, depth


def _holds_entry_module_below(folder: Path, settings: Settings) -> bool:
    """Whether a folder below `folder` holds one of the entry modules."""
    names = {ep.module_path.as_posix() for ep in settings.entry_points}
    return any(
        depth > 0 and any(os.path.isfile(os.path.join(current, name)) for name in names)
        for current, _, depth in _searched_folders(folder)
    )


def _holds_python_file(folder: Path) -> bool:
    """Whether `folder` or a folder below it holds a `.py` file of its own (installed packages aside)."""
    return any(any(name.endswith(".py") for name in file_names) for _, file_names, _ in _searched_folders(folder))


def _matches_function_roots(folder: Path, settings: Settings) -> bool:
    try:
        relative = folder.relative_to(settings.base_dir).parts
    except ValueError:
        return False
    return any(
        _glob_match(relative, tuple(part for part in pattern.split("/") if part not in ("", ".")))
        for pattern in settings.function_roots
    )


def _glob_match(parts: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    """Whole path segments against glob segments; `**` stands for any number of segments."""
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_glob_match(parts[start:], pattern[1:]) for start in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], pattern[0]) and _glob_match(parts[1:], pattern[1:])


def _local_modules(folder: Path, vendored: frozenset[str]) -> frozenset[str]:
    """The modules importable from the function root: its .py files, its folders, its
    extension modules, and what packages installed into it provide."""
    names = set()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return frozenset()
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:  # a symlink loop: CF002 reports the file
            is_dir = False
        if entry.name.endswith(".py") and not is_dir:
            names.add(entry.name[:-3])
        elif entry.name.endswith((".so", ".pyd")) and not is_dir:
            names.add(entry.name.split(".")[0])
        elif is_dir and entry.name.isidentifier():
            names.add(entry.name)
    names.update(name.split(".")[0].removesuffix(".py") for name in vendored)
    return frozenset(names)


def function_root_of(folder: Path, resolver: SettingsResolver, cwd: Path) -> FunctionRoot | None:
    """The function root that `folder` is in (itself or a folder above), if any."""
    return RootFinder(resolver, cwd).root_of(Path(os.path.abspath(folder)))


def defines_an_entry_function(folder: Path, settings: Settings) -> bool:
    from cflint.project import misnamed_entry_module_hint

    return any(misnamed_entry_module_hint((folder / ep.module_path).parent, ep) for ep in settings.entry_points)
