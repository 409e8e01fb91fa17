"""Which files to lint and which function roots they belong to."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from cflint.model import UsageError
from cflint.project import FunctionRoot
from cflint.run.files import read_regular_file
from cflint.settings.config import Settings, SettingsResolver, config_file_in

ROOT_MARKER_FILES = ("requirements.txt",)
PROJECT_FILES = ("requirements.txt", "pyproject.toml", "cflint.toml", ".cflint.toml")


def display_path(path: Path, cwd: Path) -> str:
    """`path` relative to the current folder when under it, else absolute; posix slashes."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(cwd)
    except ValueError:
        return absolute.as_posix()
    return relative.as_posix() or "."


@dataclass(frozen=True)
class SourceFile:
    path: Path
    explicit: bool


@dataclass
class Discovery:
    """What a run works on: files to lint, function roots, folders it could not read."""

    files: list[SourceFile] = field(default_factory=list)
    roots: dict[Path, FunctionRoot] = field(default_factory=dict)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)
    archives: list[Path] = field(default_factory=list)


class _ExcludeMatcher:
    """Config `exclude` + `extend-exclude` and `.gitignore` files, in gitignore syntax."""

    def __init__(
        self, resolver: SettingsResolver, config_specs: dict[Settings, pathspec.PathSpec] | None = None
    ) -> None:
        self._resolver = resolver
        # Compiled patterns by settings; a caller that checks again and again may share its own.
        self._config_specs: dict[Settings, pathspec.PathSpec] = {} if config_specs is None else config_specs
        self._gitignores: dict[Path, pathspec.PathSpec | None] = {}

    def _config_spec(self, settings: Settings) -> pathspec.PathSpec:
        spec = self._config_specs.get(settings)
        if spec is None:
            spec = pathspec.GitIgnoreSpec.from_lines([*settings.exclude, *settings.extend_exclude])
            self._config_specs[settings] = spec
        return spec

    def _gitignore(self, folder: Path) -> pathspec.PathSpec | None:
        if folder not in self._gitignores:
            spec = None
            try:
                data, _ = read_regular_file(folder / ".gitignore")
                lines = data.decode("utf-8", errors="replace").splitlines()
                spec = pathspec.GitIgnoreSpec.from_lines(lines)
            except OSError:
                pass
            self._gitignores[folder] = spec
        return self._gitignores[folder]

    @staticmethod
    def _relative(path: Path, base: Path, is_dir: bool) -> str | None:
        try:
            relative = path.relative_to(base).as_posix()
        except ValueError:
            return None
        return relative + "/" if is_dir else relative

    def excluded_by_config(self, path: Path, is_dir: bool) -> bool:
        settings = self._resolver.for_folder(path.parent)
        spec = self._config_spec(settings)
        relative = self._relative(path, settings.base_dir, is_dir)
        if relative is None:
            # Outside the config's folder: match the name alone, as a bare pattern would.
            relative = path.name + ("/" if is_dir else "")
        return spec.match_file(relative)

    def excluded_by_gitignore(self, path: Path, is_dir: bool, top: Path) -> bool:
        for folder in (path.parent, *path.parent.parents):
            spec = self._gitignore(folder)
            if spec is not None:
                relative = self._relative(path, folder, is_dir)
                if relative is not None and spec.match_file(relative):
                    return True
            if folder == top or (folder / ".git").exists():
                break
        return False

    def excluded(self, path: Path, is_dir: bool, top: Path) -> bool:
        return self.excluded_by_config(path, is_dir) or self.excluded_by_gitignore(path, is_dir, top)


class _RootFinder:
    """Finds the function root of a folder by walking up; memoised per folder."""

    def __init__(self, resolver: SettingsResolver, cwd: Path) -> None:
        self._resolver = resolver
        self._cwd = cwd
        self._root_of: dict[Path, FunctionRoot | None] = {}
        self._is_root: dict[Path, bool] = {}
        self._made: dict[Path, FunctionRoot] = {}

    def is_root(self, folder: Path) -> bool:
        known = self._is_root.get(folder)
        if known is None:
            settings = self._resolver.for_folder(folder)
            known = (
                any((folder / ep.module_path).is_file() for ep in settings.entry_points)
                or any((folder / name).is_file() for name in ROOT_MARKER_FILES)
                or (config_file_in(folder) is not None and any(folder.glob("*.py")))
            )
            self._is_root[folder] = known
        return known

    def make_root(self, folder: Path) -> FunctionRoot:
        """The one FunctionRoot of `folder` in this run (its derived facts are computed once)."""
        root = self._made.get(folder)
        if root is None:
            root = self._made[folder] = FunctionRoot(
                path=folder,
                display_path=display_path(folder, self._cwd),
                settings=self._resolver.for_folder(folder),
                local_modules=_local_modules(folder),
            )
        return root

    def root_of(self, folder: Path) -> FunctionRoot | None:
        walked: list[Path] = []
        found: FunctionRoot | None = None
        for directory in (folder, *folder.parents):
            if directory in self._root_of:
                found = self._root_of[directory]
                break
            walked.append(directory)
            if self.is_root(directory):
                found = self.make_root(directory)
                break
            if (directory / ".git").exists():
                break
        for directory in walked:
            self._root_of[directory] = found
        return found


def _local_modules(folder: Path) -> frozenset[str]:
    names = set()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return frozenset()
    for entry in entries:
        if entry.name.endswith(".py") and not entry.is_dir():
            names.add(entry.name[:-3])
        elif entry.is_dir() and entry.name.isidentifier():
            names.add(entry.name)
    return frozenset(names)


def discover(paths: Sequence[Path], resolver: SettingsResolver, cwd: Path, force_exclude: bool = False) -> Discovery:
    """Walk the given paths; explicitly named files are always linted unless
    `force_exclude` and the config excludes them."""
    found = Discovery()
    excludes = _ExcludeMatcher(resolver)
    roots = _RootFinder(resolver, cwd)
    seen: set[Path] = set()

    def add_file(path: Path, explicit: bool) -> None:
        key = Path(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            found.files.append(SourceFile(key, explicit))

    def add_root(folder: Path) -> None:
        root = roots.root_of(folder)
        if root is not None:
            found.roots.setdefault(root.path, root)

    for given in paths:
        absolute = Path(os.path.abspath(given))
        if not os.path.lexists(absolute):
            raise UsageError(f"{given}: no such file or folder")
        try:
            mode = os.stat(absolute).st_mode
        except OSError as exc:
            raise UsageError(f"{given}: cannot open: {exc.strerror}") from None
        if stat.S_ISDIR(mode):
            if force_exclude and excludes.excluded_by_config(absolute, True):
                continue
            _walk(absolute, excludes, roots, found, add_file)
            add_root(absolute)
            continue
        if force_exclude and excludes.excluded_by_config(absolute, False):
            continue
        if absolute.suffix == ".zip":
            found.archives.append(absolute)
        elif absolute.suffix in (".py", ".pyi") or not stat.S_ISREG(mode):
            add_file(absolute, True)
            add_root(absolute.parent)
        elif absolute.name in PROJECT_FILES:
            add_root(absolute.parent)
    for source in found.files:
        add_root(source.path.parent)
    found.files.sort(key=lambda f: f.path)
    return found


def _walk(top: Path, excludes: _ExcludeMatcher, roots: _RootFinder, found: Discovery, add_file) -> None:  # type: ignore[no-untyped-def]
    real_top = os.path.realpath(top)

    def on_error(error: OSError) -> None:
        found.unreadable.append((Path(error.filename or top), error.strerror or str(error)))

    for folder_name, dir_names, file_names in os.walk(top, onerror=on_error):
        folder = Path(folder_name)
        kept_dirs = []
        for name in sorted(dir_names):
            child = folder / name
            if child.is_symlink() or excludes.excluded(child, True, top):
                continue
            kept_dirs.append(name)
        dir_names[:] = kept_dirs
        if roots.is_root(folder):
            found.roots.setdefault(folder, roots.make_root(folder))
        for name in sorted(file_names):
            if not name.endswith(".py"):
                continue
            child = folder / name
            if excludes.excluded(child, False, top):
                continue
            if child.is_symlink():
                target = os.path.realpath(child)
                if os.path.exists(target) and os.path.commonpath([real_top, target]) != real_top:
                    continue
            add_file(child, False)
