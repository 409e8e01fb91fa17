"""Files that must not ship in a function package: the guide's list, editor and OS junk."""

from __future__ import annotations

from collections.abc import Iterable

from cflint.fs.patterns import name_matches
from cflint.record import Record

VIRTUALENV_MARKER = "pyvenv.cfg"


class JunkKind(Record, frozen=True):
    """A file or folder name pattern (fnmatch, case-sensitive) and why it must not ship."""

    pattern: str
    reason: str
    is_folder: bool = False
    root_only: bool = False

    def matches(self, name: str, depth: int) -> bool:
        return (depth == 0 or not self.root_only) and name_matches(name, self.pattern)

    @property
    def gitignore_line(self) -> str:
        line = self.pattern + ("/" if self.is_folder else "")
        return "/" + line if self.root_only else line


JUNK_KINDS = (
    JunkKind("__pycache__", "Python's bytecode cache", is_folder=True),
    JunkKind("*.py[co]", "compiled bytecode"),
    JunkKind(".git", "git data", is_folder=True),
    JunkKind(".git", "a git worktree or submodule pointer"),
    JunkKind(".hg", "Mercurial data", is_folder=True),
    JunkKind(".svn", "Subversion data", is_folder=True),
    JunkKind("*.log", "a log file"),
    JunkKind("test.py", "a local test script", root_only=True),
    JunkKind("*.zip", "a nested archive"),
    JunkKind(".DS_Store", "macOS folder metadata"),
    JunkKind("__MACOSX", "macOS metadata added by Finder's Compress", is_folder=True),
    JunkKind("._*", "a macOS metadata file"),
    JunkKind("Thumbs.db", "a Windows thumbnail cache"),
    JunkKind("desktop.ini", "Windows folder settings"),
    JunkKind("*.sw[op]", "an editor swap file"),
    JunkKind("*~", "an editor backup file"),
    JunkKind(".idea", "editor settings", is_folder=True),
    JunkKind(".vscode", "editor settings", is_folder=True),
    JunkKind(".pytest_cache", "a tool cache", is_folder=True),
    JunkKind(".mypy_cache", "a tool cache", is_folder=True),
    JunkKind(".ruff_cache", "a tool cache", is_folder=True),
    JunkKind(".cflint_cache", "a tool cache", is_folder=True),
    JunkKind(".tox", "a tool cache", is_folder=True),
    JunkKind(".nox", "a tool cache", is_folder=True),
    JunkKind(".coverage", "coverage.py data"),
    JunkKind(".coverage.*", "coverage.py data"),
    JunkKind("htmlcov", "a coverage report", is_folder=True),
    JunkKind("node_modules", "Node.js packages (the Python runtime does not use them)", is_folder=True),
)
VIRTUALENV_REASON = f"a virtual environment (it has a {VIRTUALENV_MARKER})"


class JunkItem(Record, frozen=True):
    """A junk file, or the outermost junk folder holding a file."""

    path: str
    reason: str
    is_folder: bool


def virtualenv_folders(paths: Iterable[str]) -> frozenset[str]:
    """The folders of a package (given its file paths) that hold a pyvenv.cfg."""
    marker = "/" + VIRTUALENV_MARKER
    return frozenset(path[: -len(marker)] for path in paths if path.endswith(marker))


def junk_item(path: str, virtualenvs: frozenset[str]) -> JunkItem | None:
    """The junk `path` (a posix path in a package) is or is inside; `virtualenvs` are
    the folders of the package that hold a pyvenv.cfg."""
    parts = path.split("/")
    for depth, name in enumerate(parts[:-1]):
        folder = "/".join(parts[: depth + 1])
        if folder in virtualenvs:
            return JunkItem(folder, VIRTUALENV_REASON, True)
        for kind in JUNK_KINDS:
            if kind.is_folder and kind.matches(name, depth):
                return JunkItem(folder, kind.reason, True)
    for kind in JUNK_KINDS:
        if not kind.is_folder and kind.matches(parts[-1], len(parts) - 1):
            return JunkItem(path, kind.reason, False)
    return None
