"""Symbolic links to files outside a function folder: which the lint and the packer follow.

Both follow a file link to a target inside the function folder. A link to a regular file
outside it is followed only when the target lies within the folder's *shared scope*: the
repository holding the function folder, or, outside a repository, the folder holding the
function folder (so `fn/common.py -> ../shared/common.py` in a monorepo is linted and
packed as a copy). Any other link out of the folder (`user.py -> /etc/passwd`, a key in
the home folder) is not linted and is CF508's finding; the packer ships it only with
`--force`. A link to a device or a FIFO is CF002's, and links to folders are never followed.
"""

from __future__ import annotations

import os
from pathlib import Path

from cflint.fs.files import is_repository_root
from cflint.record import Record


class OutsideLink(Record, frozen=True):
    """A symbolic link under a function folder whose target lies outside it: its real
    target, the folder's shared scope, and whether that holds the target (then the link
    is followed)."""

    target: str
    scope: str
    shared: bool

    @property
    def scope_kind(self) -> str:
        return "repository" if is_repository_root(Path(self.scope)) else "folder"


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def shared_scope(real_folder: Path) -> Path:
    """The repository root at or above `real_folder` (a real path), else its parent."""
    for folder in (real_folder, *real_folder.parents):
        if is_repository_root(folder):
            return folder
    return real_folder.parent


def outside_link(path: Path, real_folder: Path, scope: Path) -> OutsideLink | None:
    """For a symbolic link `path` inside the function folder `real_folder` (a real path)
    whose target is a regular file outside that folder: where it leads and whether `scope`
    (see `shared_scope`) holds it. None for anything else: not a link, a link within the
    folder, a link to a device or a FIFO, a dangling link or a loop (those are CF002's)."""
    if not path.is_symlink():
        return None
    target = os.path.realpath(path)
    if not os.path.isfile(target) or _inside(target, str(real_folder)):
        return None
    return OutsideLink(target, str(scope), _inside(target, str(scope)))
