"""Values shared across cflint: findings and their fixes, positions, severities, entry points."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

from cflint.record import Record


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


class Position(Record, frozen=True, order=True):
    """A 1-based line and 1-based column."""

    line: int
    column: int


START_OF_FILE = Position(1, 1)


class Safety(str, enum.Enum):
    """Safe fixes keep the code's behaviour; unsafe ones change it (applied with --unsafe-fixes)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


class TextEdit(Record, frozen=True, order=True):
    """Replace the text from `start` up to (not including) `end` with `new_text`.

    Lines and columns are 1-based, as in findings; columns count Unicode code points, and
    lines end at \\n, \\r\\n or \\r. `start == end` is an insertion. `path` is None for the
    finding's own file, else the display path of another file (such as requirements.txt)."""

    start: Position
    end: Position
    new_text: str
    path: str | None = None

    def to_json(self) -> list[Any]:
        return [self.start.line, self.start.column, self.end.line, self.end.column, self.new_text, self.path]


class Fix(Record, frozen=True):
    """How to fix one finding: every edit applies, or none does."""

    safety: Safety
    description: str
    edits: tuple[TextEdit, ...]

    @property
    def is_safe(self) -> bool:
        return self.safety is Safety.SAFE

    @property
    def in_other_files(self) -> bool:
        return any(edit.path is not None for edit in self.edits)

    def to_json(self) -> list[Any]:
        return [self.safety.value, self.description, [edit.to_json() for edit in self.edits]]


class Finding(Record, frozen=True):
    """One problem reported at a place in a file (or a folder, for function roots).

    Equality, hashing and order read the path, start, code and message only: two reports of
    one problem at one place are one finding, whatever extent, severity or fix each carries.
    """

    path: str
    start: Position
    code: str
    message: str
    severity: Severity
    end: Position
    fix: Fix | None = None

    def _identity(self) -> tuple[str, Position, str, str]:
        return (self.path, self.start, self.code, self.message)

    def __eq__(self, other: object) -> bool:
        return self._identity() == other._identity() if isinstance(other, Finding) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._identity())

    def __lt__(self, other: Finding) -> bool:
        return self._identity() < other._identity()

    def __le__(self, other: Finding) -> bool:
        return self._identity() <= other._identity()

    def __gt__(self, other: Finding) -> bool:
        return self._identity() > other._identity()

    def __ge__(self, other: Finding) -> bool:
        return self._identity() >= other._identity()


class EntryPoint(Record, frozen=True):
    """`module.function`, as the runtime's entry point setting spells it."""

    module: str
    function: str

    @classmethod
    def parse(cls, text: str) -> EntryPoint:
        module, dot, function = text.strip().rpartition(".")
        if not dot or not function.isidentifier() or not all(part.isidentifier() for part in module.split(".")):
            raise ValueError(f"{text!r} is not of the form module.function")
        return cls(module, function)

    @property
    def module_path(self) -> Path:
        return Path(*self.module.split(".")).with_suffix(".py")

    def __str__(self) -> str:
        return f"{self.module}.{self.function}"


class LintCancelled(Exception):
    """A lint stopped because its result is no longer wanted (its text was edited again)."""


class UsageError(Exception):
    """A bad command line, path or configuration: reported in one line, exit code 2."""
