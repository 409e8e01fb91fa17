"""What a rule is: its metadata, the context it sees, and how it reports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeVar

from cflint.settings.config import Settings
from cflint.run.files import requirement_files_digest
from cflint.model import START_OF_FILE, Finding, Position, Severity

if TYPE_CHECKING:
    import libcst as cst

    from cflint.knowledge.requirements import Requirements

    from cflint.engine.traversal import Walker


@dataclass(frozen=True)
class FunctionRoot:
    """A folder the runtime loads as one function: it holds the entry module,
    a requirements.txt, or a cflint config with Python files beside it."""

    path: Path
    display_path: str
    settings: Settings
    local_modules: frozenset[str] = frozenset()

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


@dataclass(frozen=True)
class FileContext:
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


@dataclass(frozen=True)
class FileJob:
    """One file to lint, with what its rules need to know and which codes are on."""

    context: FileContext
    enabled: frozenset[str]
    source: bytes | None = None  # content already read, or of a file not on disk


AnalysisT = TypeVar("AnalysisT")


@dataclass
class ParsedFile:
    """One parsed file as the rules see it; `analysis` shares derived facts between rules."""

    context: FileContext
    source: str
    module: cst.Module
    walker: Walker
    _analyses: dict[Callable[..., object], object] = field(default_factory=dict)

    def analysis(self, factory: Callable[[cst.Module, Walker], AnalysisT]) -> AnalysisT:
        """`factory(module, walker)`, computed once per file however many rules ask."""
        if factory not in self._analyses:
            self._analyses[factory] = factory(self.module, self.walker)
        return self._analyses[factory]  # type: ignore[return-value]


@dataclass(frozen=True)
class Report:
    """A rule's finding before its position is known: a node, or an explicit place.
    The message is formatted once positions are known (see LineOf)."""

    code: str
    template: str
    fields: dict[str, object]
    severity: Severity
    node: cst.CSTNode | None = None
    start: Position | None = None
    end: Position | None = None


@dataclass(frozen=True)
class LineOf:
    """A message field standing for the line a node starts on. The engine fills it in
    from the same single position pass that places the file's findings."""

    node: cst.CSTNode


class RuleInfo:
    """Metadata every rule declares; `message` is a str.format template."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    message: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    default_enabled: ClassVar[bool] = True

    @classmethod
    def format_message(cls, **fields: object) -> str:
        return cls.message.format(**fields)

    @classmethod
    def finding(
        cls,
        path: str,
        start: Position = START_OF_FILE,
        end: Position | None = None,
        **fields: object,
    ) -> Finding:
        return Finding(
            path=path,
            start=start,
            code=cls.code,
            message=cls.format_message(**fields),
            severity=cls.severity,
            end=end or start,
        )


class EngineRule(RuleInfo):
    """A finding the engine itself makes (unreadable file, parse error, noqa checks)."""


class Rule(RuleInfo):
    """A check over one file's syntax tree.

    Subclasses define `visit_<Node>` / `leave_<Node>` methods; all enabled rules share
    one walk of each file. `self.file.analysis(NameResolver)` and the like share derived
    facts between rules. `requires_text` lists strings at least one of which must
    occur in the file for the rule to be able to fire; files without them are skipped.
    """

    requires_text: ClassVar[tuple[str, ...]] = ()
    entry_modules_only: ClassVar[bool] = False

    def __init__(self, file: ParsedFile) -> None:
        self.file = file
        self.context = file.context
        self.walker = file.walker
        self.reports: list[Report] = []

    @classmethod
    def applies_to(cls, context: FileContext, source: str) -> bool:
        if cls.entry_modules_only and not context.is_entry_module:
            return False
        return not cls.requires_text or any(text in source for text in cls.requires_text)

    @classmethod
    def callback_names(cls) -> tuple[str, ...]:
        return tuple(
            name for name in dir(cls) if name.startswith(("visit_", "leave_")) and callable(getattr(cls, name))
        )

    def report(
        self,
        node: cst.CSTNode | None = None,
        *,
        start: Position | None = None,
        end: Position | None = None,
        **fields: object,
    ) -> None:
        if node is None and start is None:
            raise ValueError("a report needs a node or a start position")
        self.reports.append(Report(self.code, self.message, fields, self.severity, node, start, end))


class RootRule(RuleInfo):
    """A check over a whole function root (its files, requirements, layout)."""

    def check(self, root: FunctionRoot) -> Iterator[Finding]:
        raise NotImplementedError
