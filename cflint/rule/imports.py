"""The modules a file imports, met during the one walk, with what guards each import.

`ImportRule` subclasses implement `check_import`, called for every absolute import:
`import a.b as c` (at the alias), `from a.b import c` (at `a.b`), and
`importlib.import_module("a")` / `__import__("a")` with a literal name (at the literal).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import libcst as cst

from cflint.analysis.names import dotted_name
from cflint.knowledge.distributions import PackagePolicy
from cflint.record import Record
from cflint.rule import ParsedFile
from cflint.rule.scoped import ScopedRule

if TYPE_CHECKING:
    from cflint.analysis.traversal import Walker

_DYNAMIC_IMPORTERS = frozenset({"importlib.import_module", "importlib.__import__", "builtins.__import__"})
# Exceptions whose handler catches a failed import (a missing module raises ModuleNotFoundError).
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
_IMPORT_NODES = (cst.Import, cst.ImportFrom, cst.Call)
_VERSION_COMPARISONS: dict[type[cst.BaseCompOp], Callable[[tuple[int, ...], tuple[int, ...]], bool]] = {
    cst.LessThan: operator.lt,
    cst.LessThanEqual: operator.le,
    cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge,
}
Version = tuple[int, int]


class ImportedModule(Record, frozen=True):
    """One imported module and where to report it."""

    module: str
    node: cst.CSTNode
    versions: frozenset[Version]  # the target versions on which the import may run
    submodules: tuple[str, ...] = ()  # `a.b` and `a.c` for `from a import b, c`: each may be a module
    type_checking_only: bool = False  # under `if TYPE_CHECKING:`, never imported at run time
    guarded: bool = False  # in a `try` whose handler catches ImportError (or a base of it)

    @property
    def runs(self) -> bool:
        """Whether the import can run at all on a target version."""
        return bool(self.versions) and not self.type_checking_only

    @property
    def names(self) -> tuple[str, ...]:
        return (self.module, *self.submodules)

    @property
    def top_level(self) -> str:
        return self.module.split(".")[0]


def is_type_checking(test: cst.BaseExpression) -> bool:
    """Whether an `if` test is `TYPE_CHECKING` (by any module's name: `typing`, an alias of it,
    `typing_extensions`), whose block never runs."""
    return (isinstance(test, cst.Name) and test.value == "TYPE_CHECKING") or (
        isinstance(test, cst.Attribute) and test.attr.value == "TYPE_CHECKING"
    )


def _version_tuple(node: cst.BaseExpression) -> tuple[int, ...] | None:
    if not isinstance(node, cst.Tuple) or not 1 <= len(node.elements) <= 2:
        return None
    numbers = [element.value for element in node.elements]
    integers = [number for number in numbers if isinstance(number, cst.Integer)]
    if len(integers) != len(numbers):
        return None
    return tuple(number.evaluated_value for number in integers)


def catches_import_error(handler: cst.ExceptHandler) -> bool:
    caught = handler.type
    if caught is None:
        return True  # a bare except catches it too
    names = [element.value for element in caught.elements] if isinstance(caught, cst.Tuple) else [caught]
    return any((dotted_name(name) or "").rpartition(".")[2] in _IMPORT_ERRORS for name in names)


def relative_siblings(node: cst.ImportFrom) -> set[str]:
    """The sibling modules a one-dot relative import names, by their top-level names
    (`from .a.b import c`: a; `from . import c, d`: c and d)."""
    if node.module is not None:
        return {(dotted_name(node.module) or "").split(".")[0]}
    if isinstance(node.names, cst.ImportStar):
        return set()
    return {(dotted_name(alias.name) or "").split(".")[0] for alias in node.names}


def _absolute_tops(nodes: Iterable[cst.CSTNode]) -> set[str]:
    tops: set[str] = set()
    for node in nodes:
        if isinstance(node, cst.Import):
            tops.update((dotted_name(alias.name) or "").split(".")[0] for alias in node.names)
        elif isinstance(node, cst.ImportFrom) and not node.relative and node.module is not None:
            tops.add((dotted_name(node.module) or "").split(".")[0])
    return tops


def relative_import_alternatives(node: cst.Try, walker: Walker) -> Iterator[cst.ImportFrom]:
    """The relative imports that are one half of the optional-import idiom in `node`:
    `try: from helpers import x` / `except ImportError: from .helpers import x`, or the
    reverse order. Whichever half fails is caught (or never runs), so the module loads
    as long as the absolute import of the same module works."""
    handlers = [handler for handler in node.handlers if catches_import_error(handler)]
    if not handlers:
        return
    body = list(walker.descendants(node.body))
    caught = [descendant for handler in handlers for descendant in walker.descendants(handler.body)]
    for block, other in ((body, caught), (caught, body)):
        absolute = _absolute_tops(other)
        for descendant in block:
            if (
                isinstance(descendant, cst.ImportFrom)
                and len(descendant.relative) == 1
                and relative_siblings(descendant) & absolute
            ):
                yield descendant


class ImportRule(ScopedRule):
    """A rule about the modules a file imports; subclasses implement `check_import`."""

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        self._type_checking: set[int] = set()
        self._guarded: set[int] = set()
        self._targets = frozenset(file.context.settings.target_versions)
        self._versions: dict[int, frozenset[Version]] = {}
        self._dynamic = "import_module" in file.source or "__import__" in file.source
        self._policy: PackagePolicy | None = None

    def check_import(self, imported: ImportedModule) -> None:
        raise NotImplementedError

    @property
    def package_policy(self) -> PackagePolicy:
        """The package catalogue as this file's settings change it."""
        if self._policy is None:
            self._policy = PackagePolicy.for_settings(self.context.settings)
        return self._policy

    def _mark_imports(self, block: cst.CSTNode, marks: set[int]) -> None:
        marks.update(id(node) for node in self.walker.descendants(block) if isinstance(node, _IMPORT_NODES))

    def _restrict(self, block: cst.CSTNode, versions: frozenset[Version]) -> None:
        for node in self.walker.descendants(block):
            if isinstance(node, _IMPORT_NODES):
                key = id(node)
                self._versions[key] = self._versions.get(key, self._targets) & versions

    def _versions_where_true(self, test: cst.BaseExpression) -> frozenset[Version] | None:
        """For `sys.version_info < (3, 12)` and the like, the target versions where it holds."""
        if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
            return None
        comparison = test.comparisons[0]
        compare = _VERSION_COMPARISONS.get(type(comparison.operator))
        bound = _version_tuple(comparison.comparator)
        if compare is None or bound is None:
            return None
        if self.qualify(test.left) != "sys.version_info":
            return None
        return frozenset(version for version in self._targets if compare((*version, 0), bound))

    def visit_If(self, node: cst.If) -> None:
        if is_type_checking(node.test):
            self._mark_imports(node.body, self._type_checking)
            return
        holds_on = self._versions_where_true(node.test)
        if holds_on is not None:
            self._restrict(node.body, holds_on)
            if node.orelse is not None:
                self._restrict(node.orelse, self._targets - holds_on)

    def visit_Try(self, node: cst.Try) -> None:
        if any(catches_import_error(handler) for handler in node.handlers):
            self._mark_imports(node.body, self._guarded)

    def _imported(
        self, statement: cst.CSTNode, module: str, node: cst.CSTNode, submodules: tuple[str, ...] = ()
    ) -> ImportedModule:
        key = id(statement)
        versions = self._versions.get(key, self._targets)
        return ImportedModule(module, node, versions, submodules, key in self._type_checking, key in self._guarded)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self.check_import(self._imported(node, dotted_name(alias.name) or "", alias))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            return
        module = dotted_name(node.module) or ""
        submodules = (
            ()
            if isinstance(node.names, cst.ImportStar)
            else tuple(f"{module}.{dotted_name(alias.name) or ''}" for alias in node.names)
        )
        self.check_import(self._imported(node, module, node.module, submodules))

    def visit_Call(self, node: cst.Call) -> None:
        if not self._dynamic or not node.args or node.args[0].keyword is not None:
            return
        argument = node.args[0].value
        if not isinstance(argument, cst.SimpleString) or "b" in argument.prefix.lower():
            return
        if self.qualify(node.func) not in _DYNAMIC_IMPORTERS:
            return
        module = argument.evaluated_value
        if (
            isinstance(module, str)
            and module
            and not module.startswith(".")
            and all(part.isidentifier() for part in module.split("."))
        ):
            self.check_import(self._imported(node, module, argument))
