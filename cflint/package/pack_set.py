"""Which files of a function folder go into its package: all of them but junk (the
guide's exclusions and the like), `.env`, `.gitignore`d paths and `package-exclude`."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from cflint.fs.files import NotRegularFileError, is_repository_root, open_regular_file, read_gitignore
from cflint.fs.links import OutsideLink, outside_link, shared_scope
from cflint.fs.patterns import PathPatterns
from cflint.package.junk import JUNK_KINDS, VIRTUALENV_MARKER
from cflint.record import Record
from cflint.settings.config import Settings, setting_patterns

# The guide's exclusion list names `.env` too; other secrets are left to CF505.
ALWAYS_EXCLUDED = (*(kind.gitignore_line for kind in JUNK_KINDS), ".env")


def package_exclusions(settings: Settings) -> PathPatterns:
    """The built-in exclusions, then `package-exclude` (so `!name` can put a file back);
    patterns are relative to the function folder."""
    return setting_patterns([*ALWAYS_EXCLUDED, *settings.package_exclude], "package-exclude")


class PackFile(Record, frozen=True):
    """A file to pack: its posix path in the package, where it is, its size, and for a
    symbolic link to a file outside the folder, where that lies (it is packed as a copy)."""

    path: str
    source: Path
    size: int
    link: OutsideLink | None = None


class LeftOut(Record, frozen=True):
    """An entry under the folder that cannot be packed: its posix path and why."""

    path: str
    reason: str


class PackSet(Record, frozen=True):
    """What `cflint package` packs from a folder, and what it has to leave out."""

    files: tuple[PackFile, ...]
    left_out: tuple[LeftOut, ...]
    linked_folders: tuple[str, ...] = ()


class _Gitignore(Record, frozen=True):
    """A `.gitignore`'s patterns and how to turn a path relative to the function folder
    into one relative to the `.gitignore`'s folder: drop `strip`, then prepend `prepend`."""

    spec: PathPatterns
    strip: str
    prepend: str

    def matches(self, relative: str) -> bool:
        return self.spec.match_file(self.prepend + relative[len(self.strip) :])


class PackFilter:
    """Decides which paths under `folder` are left out of its package: `exclusions`
    (see `package_exclusions`), folders holding a pyvenv.cfg, and `.gitignore` files from
    the enclosing repository's root (or from `folder` outside a repository) downwards."""

    def __init__(self, folder: Path, exclusions: PathPatterns) -> None:
        self.folder = folder
        self._exclusions = exclusions
        self._outer = self._outer_gitignores(folder)

    @cached_property
    def _real_folder(self) -> Path:
        return Path(os.path.realpath(self.folder))

    @cached_property
    def _scope(self) -> Path:
        return shared_scope(self._real_folder)

    @staticmethod
    def _outer_gitignores(folder: Path) -> tuple[_Gitignore, ...]:
        """The `.gitignore`s above `folder` up to its repository's root, if it is in one."""
        if is_repository_root(folder):
            return ()
        found: list[_Gitignore] = []
        for parent in folder.parents:
            spec = read_gitignore(parent)
            if spec is not None:
                found.append(_Gitignore(spec, "", folder.relative_to(parent).as_posix() + "/"))
            if is_repository_root(parent):
                return tuple(found)
        return ()

    def _inner_gitignore(self, relative_dir: str) -> _Gitignore | None:
        spec = read_gitignore(self.folder / relative_dir)
        return None if spec is None else _Gitignore(spec, relative_dir, "")

    def _excluded(self, relative: str, is_dir: bool, gitignores: tuple[_Gitignore, ...]) -> bool:
        """`relative` is the posix path under `folder`, with a trailing slash for a folder."""
        if self._exclusions.match_file(relative):
            return True
        if is_dir and (self.folder / relative / VIRTUALENV_MARKER).is_file():
            return True
        return any(gitignore.matches(relative) for gitignore in gitignores)

    def _gitignores_within(self, relative_dir: str, inherited: tuple[_Gitignore, ...]) -> tuple[_Gitignore, ...]:
        own = self._inner_gitignore(relative_dir)
        return inherited if own is None else (*inherited, own)

    def excluded(self, path: Path) -> bool:
        """Whether `path` (a file or folder inside `folder`) would be left out."""
        parts = path.relative_to(self.folder).parts
        gitignores = self._gitignores_within("", self._outer)
        for depth in range(1, len(parts)):
            relative_dir = "/".join(parts[:depth]) + "/"
            if self._excluded(relative_dir, True, gitignores):
                return True
            gitignores = self._gitignores_within(relative_dir, gitignores)
        is_dir = path.is_dir() and not path.is_symlink()
        return self._excluded("/".join(parts) + ("/" if is_dir else ""), is_dir, gitignores)

    def files(self) -> list[PackFile]:
        """The files to pack, sorted by path (see `contents`). Raises OSError when the
        folder itself cannot be listed."""
        return list(self.contents().files)

    def files_and_linked_folders(self) -> tuple[list[PackFile], list[str]]:
        """The files to pack, and the symbolic links to folders left out (see `contents`)."""
        contents = self.contents()
        return list(contents.files), list(contents.linked_folders)

    def contents(self) -> PackSet:
        """The files to pack, sorted by path, the entries that cannot be packed, and the
        symbolic links to folders, which are not followed (posix paths with a trailing
        slash). Raises OSError when the folder itself cannot be listed; a sub-folder that
        cannot be listed is one of the entries left out."""
        found: list[PackFile] = []
        left_out: list[LeftOut] = []
        linked: list[str] = []
        pending = [("", self._gitignores_within("", self._outer))]
        while pending:
            relative_dir, gitignores = pending.pop()
            try:
                with os.scandir(self.folder / relative_dir) as scan:
                    children = list(scan)
            except OSError as exc:
                if not relative_dir:
                    raise
                left_out.append(LeftOut(relative_dir.rstrip("/"), f"cannot read folder: {exc.strerror or exc}"))
                continue
            for child in children:
                relative = relative_dir + child.name
                if child.is_dir(follow_symlinks=False):
                    if not self._excluded(relative + "/", True, gitignores):
                        pending.append((relative + "/", self._gitignores_within(relative + "/", gitignores)))
                    continue
                if _is_linked_folder(child):
                    if not self._excluded(relative + "/", True, gitignores):
                        linked.append(relative + "/")
                    continue
                if self._excluded(relative, False, gitignores):
                    continue
                kind = _entry_kind(child)
                if isinstance(kind, PackFile):
                    link = outside_link(kind.source, self._real_folder, self._scope) if child.is_symlink() else None
                    found.append(PackFile(relative, kind.source, kind.size, link))
                elif kind is not None:
                    left_out.append(LeftOut(relative, kind))
        found.sort(key=lambda pack_file: pack_file.path)
        left_out.sort(key=lambda entry: entry.path)
        return PackSet(tuple(found), tuple(left_out), tuple(sorted(linked)))


def _is_linked_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink() and entry.is_dir()
    except OSError:  # a symlink loop: `_entry_kind` says why it is left out
        return False


def _entry_kind(entry: os.DirEntry[str]) -> PackFile | str | None:
    """A regular file (with a placeholder path) to pack, None for a symlinked folder
    (not followed), or why the entry cannot be packed (a symlink loop, a dangling
    symlink, a FIFO, a device, an entry whose status cannot be read)."""
    try:
        if entry.is_file():
            with open_regular_file(Path(entry.path)) as stream:
                stream.read(1)  # a file that cannot be read (permissions, I/O error) is found now
            return PackFile(entry.name, Path(entry.path), entry.stat().st_size)
        if entry.is_dir():
            return None
        mode = os.stat(entry.path).st_mode
    except NotRegularFileError as exc:
        return f"{exc}: not packed"
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    return f"{NotRegularFileError(mode)}: not packed"
