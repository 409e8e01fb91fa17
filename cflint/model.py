"""Values shared across cflint: findings, positions, severities, entry points."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cflint.fix.model import Fix


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Position:
    """A 1-based line and 1-based column."""

    line: int
    column: int


START_OF_FILE = Position(1, 1)


@dataclass(frozen=True, order=True)
class Finding:
    """One problem reported at a place in a file (or a folder, for function roots)."""

    path: str
    start: Position
    code: str
    message: str
    severity: Severity = field(compare=False)
    end: Position = field(compare=False)
    fix: Fix | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EntryPoint:
    """`module.function`, as the runtime's entry point setting spells it."""

    module: str
    function: str

    @classmethod
    def parse(cls, text: str) -> EntryPoint:
        module, dot, function = text.strip().rpartition(".")
        parts = module.split(".") if module else []
        if not dot or not function.isidentifier() or not all(p.isidentifier() for p in parts):
            raise ValueError(f"{text!r} is not of the form module.function")
        return cls(module, function)

    @property
    def module_path(self) -> Path:
        return Path(*self.module.split(".")).with_suffix(".py")

    def __str__(self) -> str:
        return f"{self.module}.{self.function}"


class UsageError(Exception):
    """A bad command line, path or configuration: reported in one line, exit code 2."""
