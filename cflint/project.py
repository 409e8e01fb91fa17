"""What the engine knows of a file and its function root: the folder the runtime loads,
the file's module name and entry functions, and one file's job in a run."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING

from cflint.fs.files import read_regular_bytes, read_regular_file, requirement_files_digest
from cflint.model import EntryPoint
from cflint.record import Record
from cflint.settings.config import Settings

if TYPE_CHECKING:
    from cflint.knowledge.requirements import Requirements
    from cflint.resolve.model import RootResolution


# The bounds of a root's own modules, which the call graph reads (cflint.analysis.callgraph).
MAX_OWN_MODULES = 64
MAX_OWN_MODULE_DEPTH = 3


class FunctionRoot(Record, frozen=True, dict=True):
    """A folder the runtime loads as one function: it holds the entry module,
    a requirements.txt, or a cflint config with Python files beside it."""

    path: Path
    display_path: str
    settings: Settings
    local_modules: frozenset[str] = frozenset()
    unsaved: Path | None = None
    """A file of the root that exists only as the source read from stdin (an editor's buffer)."""
    vendored: frozenset[str] = frozenset()
    """Top-level names that `pip install --target` put in the root: third-party code, not the user's."""
    resolve_with_pip: bool = True
    """False: with `resolve`, the resolution comes from the resolution cache only (an editor waits on no pip)."""

    def has_file(self, relative: Path) -> bool:
        """Whether the root holds the file `relative` to it, saved or as the unsaved source."""
        path = self.path / relative
        return path == self.unsaved or path.is_file()

    def read_source_bytes(self, path: Path) -> bytes:
        """The bytes of a module of the root (raises OSError); the lint API reads unsaved text first."""
        return read_regular_bytes(path)

    @cached_property
    def own_modules(self) -> dict[str, Path]:
        """The root's own Python modules by the name the runtime imports them by (`helpers`,
        `lib.db`): its .py files and those of its package folders (MAX_OWN_MODULE_DEPTH deep),
        not hidden ones nor what `pip install --target` put there. Empty when there are more
        than MAX_OWN_MODULES: the call graph then follows no call into another module."""
        found: dict[str, Path] = {}
        folders: list[tuple[Path, tuple[str, ...]]] = [(self.path, ())]
        while folders:
            folder, package = folders.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
            except OSError:
                continue
            for entry in entries:
                stem = entry.name.removesuffix(".py")
                if not stem.isidentifier() or (not package and stem in self.vendored):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    continue
                if is_dir and entry.name == stem and len(package) < MAX_OWN_MODULE_DEPTH:
                    folders.append((Path(entry.path), (*package, stem)))
                elif not is_dir and entry.name.endswith(".py"):
                    name = ".".join(package if stem == "__init__" else (*package, stem))
                    if name:
                        found[name] = Path(entry.path)
                if len(found) > MAX_OWN_MODULES:
                    return {}
        return found

    @cached_property
    def own_modules_digest(self) -> str:
        """A digest of the bytes of the root's own modules (for cache keys: a finding the call
        graph makes from another module changes when that module does)."""
        import hashlib  # only a run with a cache asks for it

        digest = hashlib.sha256()
        for name, path in sorted(self.own_modules.items()):
            try:
                data = self.read_source_bytes(path)
            except OSError:
                data = b"\0unreadable"
            digest.update(f"{name}\0{len(data)}\0".encode() + data)
        return digest.hexdigest()

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

    @cached_property
    def resolution(self) -> RootResolution | None:
        """With `resolve` set: what pip installs from the requirements for each target version
        (from the resolution cache, else from pip unless `resolve_with_pip` is False: the
        versions not in the cache are then left out), made once per root; else None. Raises
        UsageError when pip is needed and cannot be found."""
        if not self.settings.resolve:
            return None
        from cflint.resolve.resolution import resolve_requirements

        return resolve_requirements(
            lambda: self.requirements,
            self.requirements_digest,
            self.path,
            self.settings.target_versions,
            run_pip=self.resolve_with_pip,
        )


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


class FileContext(Record, frozen=True):
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


class FileJob(Record, frozen=True):
    """One file to lint, with what its rules need to know and which codes are on."""

    context: FileContext
    enabled: frozenset[str]
    source: bytes | None = None  # content already read, or of a file not on disk


# A file larger than this is not read for the hint (the hint is a courtesy, not a check).
_HINT_READ_LIMIT = 1024 * 1024


def misnamed_entry_module_hint(folder: Path, entry_point: EntryPoint) -> str:
    """`; main.py defines main(): ...` when another module beside the missing entry module
    defines the entry function at its top level (the usual misnamed-file mistake), else ''."""
    try:
        candidates = sorted(path for path in folder.glob("*.py") if path.stem.isidentifier())
    except OSError:
        return ""

    def read(path: Path) -> bytes | None:
        try:
            data, size = read_regular_file(path, _HINT_READ_LIMIT)
        except OSError:
            return None
        return data if size <= _HINT_READ_LIMIT else None

    return entry_function_hint(entry_point, [(path.name, partial(read, path)) for path in candidates])


def entry_function_hint(entry_point: EntryPoint, modules: Sequence[tuple[str, Callable[[], bytes | None]]]) -> str:
    """The hint for the first of `modules` (file name, a reader of its bytes) whose text
    defines the entry function at its top level, else ''."""
    defines = re.compile(rf"^(?:async[ \t]+)?def[ \t]+{re.escape(entry_point.function)}[ \t]*\(", re.MULTILINE)
    for name, read in modules:
        stem = name.removesuffix(".py")
        if name == entry_point.module_path.name or not stem.isidentifier():
            continue
        data = read()
        if data is not None and defines.search(data.decode("utf-8", errors="replace")):
            module = ".".join((*entry_point.module.split(".")[:-1], stem))
            return (
                f"; {name} defines {entry_point.function}(): rename it to "
                f'{entry_point.module_path.name}, or set entry-points = ["{module}.{entry_point.function}"]'
            )
    return ""
