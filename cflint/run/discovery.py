"""Which files to lint and which function roots they belong to."""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

from msgspec import Struct, field

from cflint.fs.files import NearestAbove, is_repository_root, read_gitignore, read_regular_file
from cflint.fs.links import outside_link, shared_scope
from cflint.fs.patterns import PathPatterns
from cflint.model import UsageError
from cflint.package.vendored import top_level_names
from cflint.project import FunctionRoot
from cflint.settings.config import Settings, SettingsResolver, config_file_in, exclusion_patterns

ROOT_MARKER_FILES = ("requirements.txt",)
PROJECT_FILES = ("requirements.txt", "pyproject.toml", "cflint.toml", ".cflint.toml")
PYTHON_SUFFIXES = (".py", ".pyi")  # a file named with one of these is linted as Python


def display_path(path: Path, cwd: Path) -> str:
    """`path` relative to the current folder when under it, else absolute; posix slashes."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(cwd)
    except ValueError:
        return absolute.as_posix()
    return relative.as_posix() or "."


class Discovery(Struct):
    """What a run works on: files to lint, function roots, folders it could not read."""

    files: list[Path] = field(default_factory=list)
    roots: dict[Path, FunctionRoot] = field(default_factory=dict)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)
    archives: list[Path] = field(default_factory=list)


class ExcludeMatcher:
    """Config `exclude` + `extend-exclude` and `.gitignore` files, in gitignore syntax."""

    def __init__(self, resolver: SettingsResolver, config_specs: dict[Settings, PathPatterns] | None = None) -> None:
        self._resolver = resolver
        # Compiled patterns by settings; a caller that checks again and again may share its own.
        self._config_specs: dict[Settings, PathPatterns] = {} if config_specs is None else config_specs
        self._gitignores: dict[Path, PathPatterns | None] = {}
        self._gitignore_tops: dict[Path, Path] = {}

    def _config_spec(self, settings: Settings) -> PathPatterns:
        spec = self._config_specs.get(settings)
        if spec is None:
            spec = exclusion_patterns(settings)
            self._config_specs[settings] = spec
        return spec

    def _gitignore(self, folder: Path) -> PathPatterns | None:
        if folder not in self._gitignores:
            self._gitignores[folder] = read_gitignore(folder)
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

    def _gitignore_top(self, top: Path) -> Path:
        """The highest folder whose `.gitignore` applies under `top`: the repository root
        holding `top` (so `cflint sub` reads the same files as `cflint .`), else `top`. A
        folder named on the command line that its repository ignores (pyenv's `versions/`,
        a vendored tree) is linted as asked: then only the `.gitignore` files from `top` down apply."""
        known = self._gitignore_tops.get(top)
        if known is None:
            known = next((folder for folder in (top, *top.parents) if (folder / ".git").exists()), top)
            if known != top and self._ignored_below(top, True, known):
                known = top
            self._gitignore_tops[top] = known
        return known

    def excluded_by_gitignore(self, path: Path, is_dir: bool, top: Path) -> bool:
        return self._ignored_below(path, is_dir, self._gitignore_top(top))

    def _ignored_below(self, path: Path, is_dir: bool, stop: Path) -> bool:
        """Whether a `.gitignore` in a folder from `path`'s up to `stop` ignores `path`."""
        for folder in (path.parent, *path.parent.parents):
            spec = self._gitignore(folder)
            if spec is not None:
                relative = self._relative(path, folder, is_dir)
                if relative is not None and spec.match_file(relative):
                    return True
            if folder == stop or (folder / ".git").exists():
                break
        return False

    def excluded(self, path: Path, is_dir: bool, top: Path) -> bool:
        return self.excluded_by_config(path, is_dir) or self.excluded_by_gitignore(path, is_dir, top)


class _RootFinder:
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
        requirements.txt (or a cflint config beside Python files) and no folder below it
        holds an entry module (then it is a repository of functions, not one)."""
        known = self._is_root.get(folder)
        if known is None:
            settings = self._resolver.for_folder(folder)
            if settings.function_roots:
                known = _matches_function_roots(folder, settings)
            elif any(self._holds(folder / ep.module_path) for ep in settings.entry_points):
                known = True
            else:
                unsaved_python = self._unsaved is not None and self._unsaved.parent == folder
                marked = any((folder / name).is_file() for name in ROOT_MARKER_FILES) or (
                    config_file_in(folder) is not None and (unsaved_python or any(folder.glob("*.py")))
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
            local_modules = _local_modules(folder)
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
            )
        return root

    def _root_at(self, folder: Path) -> FunctionRoot | None:
        return self.make_root(folder) if self.is_root(folder) else None


_NOT_SEARCHED = frozenset({"node_modules", "site-packages", "venv", "__pycache__", "build", "dist"})
_SEARCH_DEPTH = 4


def _holds_entry_module_below(folder: Path, settings: Settings) -> bool:
    """Whether a folder below `folder` (a few levels down, outside hidden, virtualenv
    and installed-package folders) holds one of the entry modules."""
    names = {ep.module_path.as_posix() for ep in settings.entry_points}
    vendored = vendored_modules(folder)
    for current, dir_names, _ in os.walk(folder):
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
        if depth > 0 and any(os.path.isfile(os.path.join(current, name)) for name in names):
            return True
    return False


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


def vendored_modules(folder: Path) -> frozenset[str]:
    """Top-level names that `pip install --target` put in `folder`: what the RECORD (or
    top_level.txt) of each `*.dist-info` beside them lists. Third-party code, not the user's."""
    names: set[str] = set()
    try:
        infos = [entry.path for entry in os.scandir(folder) if entry.name.endswith(".dist-info") and entry.is_dir()]
    except OSError:
        return frozenset()
    for info in infos:
        names.update(top_level_names(_text_of(Path(info) / "RECORD"), _text_of(Path(info) / "top_level.txt")))
    return frozenset(names)


def _text_of(path: Path) -> str | None:
    try:
        data, _ = read_regular_file(path)
    except OSError:
        return None
    return data.decode("utf-8", "replace")


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """`entry.is_dir()`, False when it cannot be told (a symlink loop, a vanished entry)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _local_modules(folder: Path) -> frozenset[str]:
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
    names.update(name.split(".")[0].removesuffix(".py") for name in vendored_modules(folder))
    return frozenset(names)


def discover(paths: Sequence[Path], resolver: SettingsResolver, cwd: Path, force_exclude: bool = False) -> Discovery:
    """Walk the given paths; explicitly named files are always linted unless
    `force_exclude` and the config excludes them."""
    found = Discovery()
    excludes = ExcludeMatcher(resolver)
    roots = _RootFinder(resolver, cwd)
    seen: set[Path] = set()

    def add_file(path: Path) -> None:
        key = Path(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            found.files.append(key)

    def add_root(folder: Path) -> None:
        root = roots.root_of(folder)
        if root is not None:
            found.roots.setdefault(root.path, root)

    def walk(folder: Path) -> None:
        if folder not in walked:
            walked.add(folder)
            _walk(folder, excludes, roots, found, add_file)

    walked: set[Path] = set()
    named_folders: list[Path] = []
    named_file_folders: list[Path] = []
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
            walk(absolute)
            add_root(absolute)
            named_folders.append(absolute)
            continue
        if force_exclude and excludes.excluded_by_config(absolute, False):
            continue
        if absolute.suffix == ".zip":
            found.archives.append(absolute)
        elif absolute.suffix in PYTHON_SUFFIXES or not stat.S_ISREG(mode):
            add_file(absolute)
            add_root(absolute.parent)
            named_file_folders.append(absolute.parent)
        elif absolute.name in PROJECT_FILES:
            # A changed requirements file or config (pre-commit passes them alone) can change
            # the findings of every file it applies to: lint its whole function root, or for
            # a config outside any function root, every function under its folder.
            root = roots.root_of(absolute.parent)
            if root is not None:
                found.roots.setdefault(root.path, root)
                walk(root.path)
            elif absolute.name != "requirements.txt" and config_file_in(absolute.parent) == absolute:
                walk(absolute.parent)
    for path in found.files:
        add_root(path.parent)
    for folder in named_folders:
        _adopt_rootless_folder(folder, roots, found)
    for folder in named_file_folders:
        # A named file (pre-commit names scripts and tools too) makes its folder a function
        # root only on evidence: a module there defines an entry function.
        if defines_an_entry_function(folder, resolver.for_folder(folder)):
            _adopt_rootless_folder(folder, roots, found)
    found.files.sort()
    return found


def discover_stdin(path: Path, resolver: SettingsResolver, cwd: Path, force_exclude: bool = False) -> Discovery:
    """The file that source read from stdin stands for and its function root, found as if
    the file were saved: it need not exist, nor need its folder (a new function's `user.py`
    makes its new folder a function root)."""
    found = Discovery()
    absolute = Path(os.path.abspath(path))
    if force_exclude and ExcludeMatcher(resolver).excluded_by_config(absolute, False):
        return found
    found.files.append(absolute)
    root = _RootFinder(resolver, cwd, unsaved=absolute).root_of(absolute.parent)
    if root is not None:
        found.roots[root.path] = root
    return found


def function_root_of(folder: Path, resolver: SettingsResolver, cwd: Path) -> FunctionRoot | None:
    """The function root that `folder` is in (itself or a folder above), if any."""
    return _RootFinder(resolver, cwd).root_of(Path(os.path.abspath(folder)))


def defines_an_entry_function(folder: Path, settings: Settings) -> bool:
    from cflint.project import misnamed_entry_module_hint

    return any(misnamed_entry_module_hint((folder / ep.module_path).parent, ep) for ep in settings.entry_points)


def _adopt_rootless_folder(folder: Path, roots: _RootFinder, found: Discovery) -> None:
    """A folder named on the command line (or a named file's folder) that holds Python files
    but is in no function root and holds none is linted as one, so that a function whose
    entry module is misnamed (`main.py`) gets CF101 instead of a silent pass."""
    if roots.root_of(folder) is not None:
        return
    if any(root == folder or folder in root.parents for root in found.roots):
        return
    if not any(folder in path.parents for path in found.files):
        return
    found.roots.setdefault(folder, roots.make_root(folder))


class _LinkPolicy:
    """Which symbolic links to `.py` files a walk follows: in a function root, those that
    `cflint package` packs without a finding (see `cflint.fs.links`); in no function
    root, those whose target lies in the folder walked."""

    def __init__(self, real_top: Path) -> None:
        self._real_top = real_top
        self._real_folders: dict[Path, Path] = {}
        self._scopes: dict[Path, Path] = {}

    def followed(self, link: Path, root: FunctionRoot | None) -> bool:
        if root is None:
            return outside_link(link, self._real_top, self._real_top) is None
        real_folder = self._real(root.path)
        scope = self._scopes.get(real_folder)
        if scope is None:
            scope = self._scopes[real_folder] = shared_scope(real_folder)
        outside = outside_link(link, real_folder, scope)
        return outside is None or outside.shared

    def _real(self, folder: Path) -> Path:
        real = self._real_folders.get(folder)
        if real is None:
            real = self._real_folders[folder] = Path(os.path.realpath(folder))
        return real


def _walk(
    top: Path, excludes: ExcludeMatcher, roots: _RootFinder, found: Discovery, add_file: Callable[[Path], None]
) -> None:
    links = _LinkPolicy(Path(os.path.realpath(top)))

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
        vendored: frozenset[str] = frozenset()
        if roots.is_root(folder):
            found.roots.setdefault(folder, roots.make_root(folder))
            vendored = vendored_modules(folder)
            dir_names[:] = [name for name in dir_names if name not in vendored]
        for name in sorted(file_names):
            if not name.endswith(".py") or name in vendored:
                continue
            child = folder / name
            if excludes.excluded(child, False, top):
                continue
            if child.is_symlink() and not links.followed(child, roots.root_of(folder)):
                continue
            add_file(child)
