"""Which files to lint and which function roots they belong to: the walk of the paths named,
honouring `exclude` and `.gitignore` files (function roots are found by
`cflint.run.function_roots`)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

from cflint.fs.files import read_gitignore
from cflint.fs.links import outside_link, shared_scope
from cflint.fs.patterns import PathPatterns
from cflint.model import UsageError
from cflint.package.vendored import vendored_modules
from cflint.project import FunctionRoot
from cflint.record import Record, field
from cflint.run.function_roots import RootFinder, defines_an_entry_function
from cflint.settings.config import Settings, SettingsResolver, config_file_in, exclusion_patterns

PROJECT_FILES = ("requirements.txt", "pyproject.toml", "cflint.toml", ".cflint.toml")
PYTHON_SUFFIXES = (".py", ".pyi")  # a file named with one of these is linted as Python


class Discovery(Record):
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


class _Search:
    """One `discover` call: what it found so far, and the folders it walked or was named."""

    def __init__(self, resolver: SettingsResolver, cwd: Path, force_exclude: bool) -> None:
        self.resolver = resolver
        self.force_exclude = force_exclude
        self.found = Discovery()
        self.excludes = ExcludeMatcher(resolver)
        self.roots = RootFinder(resolver, cwd)
        self.seen: set[Path] = set()
        self.walked: set[Path] = set()
        self.named_folders: list[Path] = []
        self.named_file_folders: list[Path] = []

    def add_file(self, path: Path) -> None:
        key = Path(os.path.abspath(path))
        if key not in self.seen:
            self.seen.add(key)
            self.found.files.append(key)

    def add_root(self, folder: Path) -> None:
        root = self.roots.root_of(folder)
        if root is not None:
            self.found.roots.setdefault(root.path, root)

    def walk(self, folder: Path) -> None:
        if folder not in self.walked:
            self.walked.add(folder)
            _walk(folder, self.excludes, self.roots, self.found, self.add_file)

    def add_named(self, given: Path) -> None:
        """A path named on the command line: a folder is walked, a file taken as it is."""
        absolute = Path(os.path.abspath(given))
        if not os.path.lexists(absolute):
            raise UsageError(f"{given}: no such file or folder")
        try:
            mode = os.stat(absolute).st_mode
        except OSError as exc:
            raise UsageError(f"{given}: cannot open: {exc.strerror}") from None
        is_dir = stat.S_ISDIR(mode)
        if self.force_exclude and self.excludes.excluded_by_config(absolute, is_dir):
            return
        if is_dir:
            self.walk(absolute)
            self.add_root(absolute)
            self.named_folders.append(absolute)
        elif absolute.suffix == ".zip":
            self.found.archives.append(absolute)
        elif absolute.suffix in PYTHON_SUFFIXES or not stat.S_ISREG(mode):
            self.add_file(absolute)
            self.add_root(absolute.parent)
            self.named_file_folders.append(absolute.parent)
        elif absolute.name in PROJECT_FILES:
            # A changed requirements file or config (pre-commit passes them alone) can change
            # the findings of every file it applies to: lint its whole function root, or for
            # a config outside any function root, every function under its folder.
            root = self.roots.root_of(absolute.parent)
            if root is not None:
                self.found.roots.setdefault(root.path, root)
                self.walk(root.path)
            elif absolute.name != "requirements.txt" and config_file_in(absolute.parent) == absolute:
                self.walk(absolute.parent)

    def finish(self) -> Discovery:
        """The roots of the files found, and the named folders that are roots of their own."""
        found = self.found
        for path in found.files:
            self.add_root(path.parent)
        for folder in self.named_folders:
            _adopt_rootless_folder(folder, self.roots, found)
        for folder in self.named_file_folders:
            # A named file (pre-commit names scripts and tools too) makes its folder a function
            # root only on evidence: a module there defines an entry function.
            if defines_an_entry_function(folder, self.resolver.for_folder(folder)):
                _adopt_rootless_folder(folder, self.roots, found)
        found.files.sort()
        return found


def discover(paths: Sequence[Path], resolver: SettingsResolver, cwd: Path, force_exclude: bool = False) -> Discovery:
    """Walk the given paths; explicitly named files are always linted unless
    `force_exclude` and the config excludes them."""
    search = _Search(resolver, cwd, force_exclude)
    for given in paths:
        search.add_named(given)
    return search.finish()


def discover_stdin(path: Path, resolver: SettingsResolver, cwd: Path, force_exclude: bool = False) -> Discovery:
    """The file that source read from stdin stands for and its function root, found as if
    the file were saved: it need not exist, nor need its folder (a new function's `user.py`
    makes its new folder a function root)."""
    found = Discovery()
    absolute = Path(os.path.abspath(path))
    if force_exclude and ExcludeMatcher(resolver).excluded_by_config(absolute, False):
        return found
    found.files.append(absolute)
    root = RootFinder(resolver, cwd, unsaved=absolute).root_of(absolute.parent)
    if root is not None:
        found.roots[root.path] = root
    return found


def _adopt_rootless_folder(folder: Path, roots: RootFinder, found: Discovery) -> None:
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
    top: Path, excludes: ExcludeMatcher, roots: RootFinder, found: Discovery, add_file: Callable[[Path], None]
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
