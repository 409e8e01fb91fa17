"""What a rule is: its metadata, the context it sees, and how it reports.

A rule derives from one base class, which sets its `kind` and what it checks:

- `Rule` (here): a check over one file's syntax tree, in the one walk all file rules share.
  - `ScopedRule` (`cflint.rule.scoped`): knows the function, lambda or class it is in, and
    resolves names and traces values there.
    - `ImportRule` (`cflint.rule.imports`): told of each module the file imports.
  - `ReturnRule` (`cflint.rule.returns`): reports one code of the entry functions' return
    values, judged once per file for CF201-CF207.
- `RootRule` (here): a check over a whole function root (its files, requirements, layout).
- `PackageRule` (here): a check over the files of a package, a ZIP or a folder.
- `EngineRule` (here): a finding the engine itself makes; it has no check.

A rule of one kind may have a part of another kind (`part_of`), which reports under its code.

This module is imported by the registry on every run, so it imports no LibCST at run time;
the sub-modules, which need it, are imported with the rules that derive from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, ClassVar, NoReturn, TypeVar, cast

from cflint.model import START_OF_FILE, Finding, Position, Severity
from cflint.project import FileContext, FunctionRoot
from cflint.record import Record, field

if TYPE_CHECKING:
    import libcst as cst

    from cflint.analysis.callgraph import CallGraph, ModuleSource
    from cflint.analysis.traversal import Walker
    from cflint.fix.proposal import Change, FixProposal
    from cflint.model import Safety
    from cflint.package.contents import Package


AnalysisT = TypeVar("AnalysisT")


class ParsedFile(Record):
    """One parsed file as the rules see it; `analysis` shares derived facts between rules."""

    context: FileContext
    source: str
    module: cst.Module
    walker: Walker
    modules: ModuleSource | None = None  # the root's other modules, for the call graph
    _analyses: dict[Callable[..., object], object] = field(default_factory=dict)

    def analysis(self, factory: Callable[[cst.Module, Walker], AnalysisT]) -> AnalysisT:
        """`factory(module, walker)`, computed once per file however many rules ask."""
        if factory not in self._analyses:
            self._analyses[factory] = factory(self.module, self.walker)
        # Each factory's own result is stored under it, which a dict's type cannot say.
        return cast("AnalysisT", self._analyses[factory])

    @property
    def call_graph(self) -> CallGraph:
        """The call graph of the file's function root (see `cflint.analysis.callgraph`),
        built on first use and shared by every rule of the file."""
        from cflint.analysis.callgraph import CallGraph, OwnModule
        from cflint.analysis.decorators import DecoratorCheck
        from cflint.analysis.scopes import Scopes

        graph = self._analyses.get(CallGraph)
        if graph is None:
            context = self.context
            home = OwnModule(context.module_name, context.path, self.source, self.module, self.analysis(Scopes))
            graph = self._analyses[CallGraph] = CallGraph(home, self.walker, context.root, self.modules, DecoratorCheck)
        return cast("CallGraph", graph)


class Report(Record, frozen=True):
    """A rule's finding before its position is known: a node, or an explicit place.
    The message is formatted once positions are known (see LineOf)."""

    code: str
    template: str
    fields: dict[str, object]
    severity: Severity
    node: cst.CSTNode | None = None
    start: Position | None = None
    end: Position | None = None
    fix: FixProposal | None = None


class LineOf(Record, frozen=True):
    """A message field standing for the line a node starts on. The engine fills it in
    from the same single position pass that places the file's findings."""

    node: cst.CSTNode


def make_finding(
    code: str,
    template: str,
    severity: Severity,
    path: str,
    start: Position,
    end: Position | None,
    fields: dict[str, object],
) -> Finding:
    """A finding of a rule, its message formatted from the rule's template."""
    return Finding(path, start, code, template.format(**fields), severity, end or start)


class _ReachedInto(Exception):
    pass


class _FieldValue:
    """What a template's fields format as while `message_fields` collects them: nothing, with
    no attribute or item to reach into."""

    def __format__(self, spec: str) -> str:
        return ""

    def __getattr__(self, name: str) -> NoReturn:
        raise _ReachedInto(name)

    def __getitem__(self, key: object) -> NoReturn:
        raise _ReachedInto(key)


class _FieldNames(dict[str, _FieldValue]):
    def __missing__(self, name: str) -> _FieldValue:
        value = self[name] = _FieldValue()
        return value


def message_fields(template: str) -> frozenset[str]:
    """The names of the fields a message template formats. Raises ValueError for a template
    `str.format` cannot use with keyword fields alone: a bad brace, or a field that is
    positional (`{}`, `{0}`) or reaches into a value (`{a.b}`, `{a[0]}`). The template is
    formatted with values that record their names (`string.Formatter` would say the same, but
    importing `string` compiles its Template pattern, 1.5 M instructions of a cold run)."""
    names = _FieldNames()
    try:
        template.format_map(names)
    except _ReachedInto:
        raise ValueError("a message field reaches into its value") from None
    for name in names:
        if not name.isidentifier():
            raise ValueError(f"message field {{{name}}} is not a keyword name")
    return frozenset(names)


def text_applies(requires_text: tuple[str, ...], entry_modules_only: bool, context: FileContext, source: str) -> bool:
    """Whether a file rule that declares these may fire on `source`: `Rule.applies_to`, and
    the registry's check of a rule it has not imported."""
    if entry_modules_only and not context.is_entry_module:
        return False
    return not requires_text or any(text in source for text in requires_text)


class RuleInfo:
    """Metadata every rule declares, the one place it is written: the rule table, the rule
    pages' headings and the registry are made from it. `message` is a str.format template;
    `kind` is set by the base class a rule derives from."""

    kind: ClassVar[str]  # "engine", "file", "root" or "package"
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    message: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    default_enabled: ClassVar[bool] = True
    # Cannot be turned off, and fails a run even with --exit-zero (CF001, CF002).
    always_enabled: ClassVar[bool] = False

    # A rule that checks inputs of two kinds (a file's tree and a root's requirement files) is
    # one rule class and a class of the other kind naming its code here: that part has the
    # rule's code and metadata, and is run with the rules of its kind.
    part_of: ClassVar[str | None] = None

    # A rule that can fix what it finds says how safe its fix is and what it does.
    fix_safety: ClassVar[Safety | None] = None
    fix_description: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "message" in cls.__dict__:
            try:
                message_fields(cls.message)
            except ValueError as exc:
                raise TypeError(f"{cls.__qualname__}.message {cls.message!r}: {exc}") from None

    @classmethod
    def finding(
        cls,
        path: str,
        start: Position = START_OF_FILE,
        end: Position | None = None,
        /,
        **fields: object,
    ) -> Finding:
        return make_finding(cls.code, cls.message, cls.severity, path, start, end, fields)


class EngineRule(RuleInfo):
    """A finding the engine itself makes (unreadable file, parse error, noqa checks)."""

    kind = "engine"


class Rule(RuleInfo):
    """A check over one file's syntax tree.

    Subclasses define `visit_<Node>` / `leave_<Node>` methods; all enabled rules share
    one walk of each file. `self.file.analysis(Scopes)` and the like share derived
    facts between rules. `requires_text` lists strings at least one of which must
    occur in the file for the rule to be able to fire; files without them are skipped.
    """

    kind = "file"
    requires_text: ClassVar[tuple[str, ...]] = ()
    entry_modules_only: ClassVar[bool] = False

    def __init__(self, file: ParsedFile) -> None:
        self.file = file
        self.context = file.context
        self.walker = file.walker
        self.reports: list[Report] = []

    @classmethod
    def applies_to(cls, context: FileContext, source: str) -> bool:
        return text_applies(cls.requires_text, cls.entry_modules_only, context, source)

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
        fix: Change | Sequence[Change] | None = None,
        fix_description: str | None = None,
        **fields: object,
    ) -> None:
        """Report a finding at `node` (or `start`..`end`); `fix` is a node replacement or a
        text edit, or several that apply together, made with the class's `fix_safety`, and
        described by `fix_description` (default: the class's, the same for every finding)."""
        if node is None and start is None:
            raise ValueError("a report needs a node or a start position")
        proposal = None
        if fix is not None:
            proposal = self.propose(fix, fix_description)
        self.reports.append(Report(self.code, self.message, fields, self.severity, node, start, end, proposal))

    @classmethod
    def propose(cls, fix: Change | Sequence[Change], description: str | None = None) -> FixProposal:
        from cflint.fix.proposal import FixProposal

        if cls.fix_safety is None:
            raise TypeError(f"{cls.code} proposes a fix but declares no fix_safety")
        changes = tuple(fix) if isinstance(fix, Sequence) else (fix,)
        return FixProposal(cls.fix_safety, description or cls.fix_description, changes)


class CallbackNames(dict[type[Rule], tuple[str, ...]]):
    """Each file rule's `callback_names`, worked out when the rule is first run."""

    def __missing__(self, rule: type[Rule]) -> tuple[str, ...]:
        names = self[rule] = rule.callback_names()
        return names


class PackageRule(RuleInfo):
    """A check over the files of a package; the same code runs on ZIPs and folders."""

    kind = "package"

    def check(self, package: Package) -> Iterator[Finding]:
        raise NotImplementedError


class RootRule(RuleInfo):
    """A check over a whole function root (its files, requirements, layout)."""

    kind = "root"

    def check(self, root: FunctionRoot) -> Iterator[Finding]:
        raise NotImplementedError
