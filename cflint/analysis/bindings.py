"""What each name is bound to, scope by scope, computed only for the scopes asked about.

`Bindings(module, walker).in_scope(scope)` lists, for every name bound in a function,
lambda or class body (or the module, for None), each binding: the expression assigned
(`x = value`, `x: T = value`, `x := value`, `with value as x`), an item of an iterable
(`for x in value`, comprehension targets, which count in the enclosing scope), or unknown
(a parameter, `def`, `class`, an import, `+=`, unpacking, `del`, `except ... as x`, a
match capture). Names declared `global` or `nonlocal` in a scope are not bound there;
`rebound_names` finds them in the source text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst

from cflint.engine.traversal import Walker

_SCOPE_NODES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
# Node types that bind a name; the collection skips every other node by its exact type.
_BINDING_NODES = frozenset(
    {
        cst.FunctionDef,
        cst.Lambda,
        cst.ClassDef,
        cst.Assign,
        cst.AnnAssign,
        cst.NamedExpr,
        cst.For,
        cst.CompFor,
        cst.WithItem,
        cst.AugAssign,
        cst.Del,
        cst.ExceptHandler,
        cst.ExceptStarHandler,
        cst.Import,
        cst.ImportFrom,
        cst.MatchAs,
        cst.MatchStar,
        cst.MatchMapping,
        cst.Global,
        cst.Nonlocal,
    }
)


@dataclass(frozen=True)
class Bound:
    """One binding of a name: to `value`, to an item of `value` (`item`), or unknown (None).
    `scope` is where `value` is evaluated (None for module level)."""

    value: cst.BaseExpression | None
    scope: cst.CSTNode | None
    item: bool = False
    definition: cst.FunctionDef | None = None  # for `def name`, whose value is unknown


_UNKNOWN = Bound(None, None)


def names_in(target: cst.BaseExpression) -> list[str]:
    """The names an assignment target binds."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in names_in(element.value)]
    if isinstance(target, cst.StarredElement):
        return names_in(target.value)
    return []


class _ScopeCollector:
    """The bindings made directly in one scope (nested functions and classes not entered)."""

    def __init__(self, owner: cst.CSTNode | None) -> None:
        self.owner = owner
        self.found: dict[str, list[Bound]] = {}
        self.declared: set[str] = set()  # global or nonlocal here

    def add(self, name: str, bound: Bound) -> None:
        if name not in self.declared:
            self.found.setdefault(name, []).append(bound)

    def add_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None, item: bool = False) -> None:
        if value is not None and isinstance(target, cst.Name):
            self.add(target.value, Bound(value, self.owner, item))
        else:
            for name in names_in(target):
                self.add(name, _UNKNOWN)

    def parameters(self, params: cst.Parameters) -> None:
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            self.add(param.name.value, _UNKNOWN)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self.add(star.name.value, _UNKNOWN)

    def bind(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.FunctionDef):
            self.add(node.name.value, Bound(None, self.owner, definition=node))
        elif isinstance(node, cst.ClassDef):
            self.add(node.name.value, _UNKNOWN)
        elif isinstance(node, cst.Assign):
            for target in node.targets:
                self.add_target(target.target, node.value)
        elif isinstance(node, (cst.AnnAssign, cst.NamedExpr)):
            if node.value is not None:
                self.add_target(node.target, node.value)
        elif isinstance(node, (cst.For, cst.CompFor)):
            self.add_target(node.target, node.iter, item=True)
        elif isinstance(node, cst.WithItem):
            if node.asname is not None:
                self.add_target(node.asname.name, node.item)
        elif isinstance(node, (cst.AugAssign, cst.Del)):
            self.add_target(node.target, None)
        elif isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)):
            if node.name is not None:
                self.add_target(node.name.name, None)
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            if not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    bound = alias.asname.name if alias.asname else alias.name
                    while isinstance(bound, cst.Attribute):
                        bound = bound.value
                    self.add_target(bound, None)
        elif isinstance(node, (cst.MatchAs, cst.MatchStar)):
            if node.name is not None:
                self.add_target(node.name, None)
        elif isinstance(node, cst.MatchMapping):
            if node.rest is not None:
                self.add_target(node.rest, None)
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            self.declared.update(item.name.value for item in node.names)


class Bindings:
    """Per-scope bindings of one module, each scope collected on first use."""

    def __init__(self, module: cst.Module, walker: Walker | None = None) -> None:
        self._module = module
        self._walker = walker or Walker()
        self._scopes: dict[int, Mapping[str, list[Bound]]] = {}

    def in_scope(self, scope: cst.CSTNode | None) -> Mapping[str, list[Bound]]:
        """Bindings made in `scope` itself: a FunctionDef, Lambda or ClassDef, or None for the module."""
        key = id(scope) if scope is not None else id(self._module)
        found = self._scopes.get(key)
        if found is None:
            found = self._scopes[key] = self._collect(scope)
        return found

    def _collect(self, scope: cst.CSTNode | None) -> Mapping[str, list[Bound]]:
        collector = _ScopeCollector(scope)
        if isinstance(scope, (cst.FunctionDef, cst.Lambda)):
            collector.parameters(scope.params)
        root: cst.CSTNode = self._module if scope is None else scope.body
        if isinstance(scope, cst.Lambda):
            nodes = [root, *self._walker.descendants(root, _SCOPE_NODES)]
        else:
            nodes = list(self._walker.descendants(root, _SCOPE_NODES))
        for node in nodes:
            if type(node) in _BINDING_NODES:
                collector.bind(node)
        return collector.found


_DECLARATION = re.compile(r"\b(?:global|nonlocal)\s+(\w+(?:\s*,\s*\w+)*)")


def rebound_names(source: str) -> frozenset[str]:
    """Every name a `global` or `nonlocal` statement may declare, read from the text
    (words in strings and comments may be included: callers only ever follow fewer names)."""
    if "global" not in source and "nonlocal" not in source:
        return frozenset()
    return frozenset(name.strip() for match in _DECLARATION.finditer(source) for name in match.group(1).split(","))
