"""A fix as findings carry it: its safety, what it does, and its text edits."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from cflint.model import Finding, Position
from cflint.settings.values import selector_names


class Safety(str, enum.Enum):
    """Safe fixes keep the code's behaviour; unsafe ones change it (applied with --unsafe-fixes)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


class TextEdit(Struct, frozen=True, order=True):
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


class Fix(Struct, frozen=True):
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


def is_unfixable(code: str, unfixable: Sequence[str]) -> bool:
    """Whether the `unfixable` setting (codes, prefixes or ALL) names `code`."""
    return selector_names(unfixable, code)


def without_unfixable(findings: list[Finding], unfixable: Sequence[str]) -> list[Finding]:
    """The findings, those of codes the config calls unfixable without their fix."""
    if not unfixable:
        return findings
    return [replace(f, fix=None) if f.fix is not None and is_unfixable(f.code, unfixable) else f for f in findings]
