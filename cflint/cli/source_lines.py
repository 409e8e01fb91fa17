"""The source lines that --show-source prints under findings."""

from __future__ import annotations

from pathlib import Path

from cflint.fs.files import read_regular_file
from cflint.model import Finding


class SourceLines:
    """Source lines for --show-source, each file read once; lines end as the parser
    counts them (\\n, \\r\\n or \\r). Only regular files are read, so a FIFO never blocks;
    a finding inside an archive (`fn.zip/user.py`) reads that member, as linting did."""

    def __init__(self, unsaved: dict[str, bytes]) -> None:
        self._lines: dict[str, list[str] | None] = {path: _split_lines(data) for path, data in unsaved.items()}

    def __call__(self, finding: Finding) -> str | None:
        if finding.path not in self._lines:
            self._lines[finding.path] = self._read(Path(finding.path))
        lines = self._lines[finding.path]
        if lines is None or not 1 <= finding.start.line <= len(lines):
            return None
        return lines[finding.start.line - 1]

    @staticmethod
    def _read(path: Path) -> list[str] | None:
        if path.suffix == ".zip":
            return None  # a finding on an archive itself has no source line
        try:
            data = _read_archive_member(path)
            if data is None:
                data, _ = read_regular_file(path)
        except OSError:
            return None
        return _split_lines(data)


def _split_lines(data: bytes) -> list[str]:
    from cflint.fix.text import split_lines  # not needed by a run that shows no source

    return split_lines(data.decode("utf-8", errors="replace"))


def _read_archive_member(path: Path) -> bytes | None:
    """The bytes of `path` when it names a member of a ZIP archive on disk (`fn.zip/lib/x.py`),
    read with the limits a lint run uses; None when no parent of `path` is an archive.
    Raises OSError when the member cannot be read."""
    from cflint.package.archive import UNPACKED_SIZE_FACTOR, Archive, ArchiveError
    from cflint.settings.config import Settings

    for archive_path in path.parents:
        if archive_path.suffix == ".zip" and archive_path.is_file():
            break
    else:
        return None
    limits = Settings()
    member = path.relative_to(archive_path).as_posix()
    try:
        with Archive.open(archive_path, UNPACKED_SIZE_FACTOR * limits.max_package_size) as archive:
            return archive.read_head(member, limits.max_file_size)
    except ArchiveError as exc:
        raise OSError(str(exc)) from None
