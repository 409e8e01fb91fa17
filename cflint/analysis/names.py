"""Syntactic name resolution: what a name or dotted expression refers to, from imports.

`NameResolver(module).qualify(expr, function)` gives the qualified name of `expr` as used
inside `function` (None for module level): `req.args` after `from flask import request as
req` is `flask.request.args`. A name that is bound in a scope by anything other than an
import (an assignment, a parameter, a loop target...) shadows the import there and resolves
to None, as does a name bound both ways: a finding must never rest on a guess. A name bound
nowhere resolves to `builtins.<name>`, unless the module has a star import.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from cflint.engine.traversal import Walker

_SCOPE_NODES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_SHADOWED = object()  # a name bound by something other than an import
_SCOPE_TYPES = frozenset({*_SCOPE_NODES, *_COMPREHENSIONS})
# Node types `_scope_of` looks at; the walk skips every other node by its exact type.
_BINDING_TYPES = frozenset(
    {
        *_SCOPE_NODES,
        cst.Import,
        cst.ImportFrom,
        cst.Assign,
        cst.AnnAssign,
        cst.AugAssign,
        cst.For,
        cst.CompFor,
        cst.AsName,
        cst.NamedExpr,
        cst.Global,
        cst.MatchAs,
    }
)


@dataclass(frozen=True)
class _Scope:
    imports: dict[str, str]  # local name -> qualified name
    others: frozenset[str]  # names bound by anything else
    globals: frozenset[str]  # names declared `global` (functions only)


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name or a chain of attributes on one, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def target_names(target: cst.BaseExpression) -> Iterator[cst.Name]:
    """The names an assignment target binds: `a`, `a, (b, *c)`, `[a, b]`."""
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from target_names(target.value)


def _target_names(target: cst.BaseExpression) -> Iterator[str]:
    return (name.value for name in target_names(target))


def _import_bindings(node: cst.Import | cst.ImportFrom) -> Iterator[tuple[str, str]]:
    if isinstance(node, cst.Import):
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                yield alias.asname.name.value, full
            else:
                top = full.split(".")[0]
                yield top, top
        return
    if isinstance(node.names, cst.ImportStar):
        return
    base = "." * len(node.relative) + (dotted_name(node.module) or "" if node.module else "")
    for alias in node.names:
        name = dotted_name(alias.name) or ""
        local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
        yield local, f"{base}.{name}" if base and not base.endswith(".") else f"{base}{name}"


class NameResolver:
    """Resolves names through imports, scope by scope; build one per module."""

    def __init__(self, module: cst.Module, walker: Walker | None = None) -> None:
        self._module = module
        self._walker = walker or Walker()
        self._scopes: dict[int, _Scope] = {}
        self._parents: dict[int, cst.CSTNode | None] = {}
        self.has_star_import = False
        self._register_scopes()
        self._module_scope = self._scope_of(module)

    def _register_scopes(self) -> None:
        """Record the enclosing scope of every function, class, lambda and comprehension."""
        stack: list[tuple[cst.CSTNode, cst.CSTNode]] = [
            (child, self._module) for child in self._walker.children(self._module)
        ]
        while stack:
            node, owner = stack.pop()
            if type(node) in _SCOPE_TYPES:
                self._parents[id(node)] = owner
                owner = node
            stack.extend((child, owner) for child in self._walker.children(node))

    def _scope_of(self, owner: cst.CSTNode) -> _Scope:
        key = id(owner)
        found = self._scopes.get(key)
        if found is not None:
            return found
        if isinstance(owner, _COMPREHENSIONS):
            targets: list[str] = []
            loop: cst.CompFor | None = owner.for_in
            while loop is not None:
                targets.extend(_target_names(loop.target))
                loop = loop.inner_for_in
            scope = self._scopes[key] = _Scope({}, frozenset(targets), frozenset())
            return scope
        imports: dict[str, object] = {}
        others: set[str] = set()
        declared_global: set[str] = set()

        def bind_other(name: str) -> None:
            others.add(name)

        if isinstance(owner, (cst.FunctionDef, cst.Lambda)):
            params = owner.params
            for param in (*params.posonly_params, *params.params, *params.kwonly_params):
                bind_other(param.name.value)
            for star in (params.star_arg, params.star_kwarg):
                if isinstance(star, cst.Param):
                    bind_other(star.name.value)
        body = owner.body
        stop_at = (*_SCOPE_NODES, *_COMPREHENSIONS, cst.Import, cst.ImportFrom)
        for node in self._walker.descendants(body if not isinstance(owner, cst.Module) else owner, stop_at):
            if type(node) not in _BINDING_TYPES:
                continue
            if isinstance(node, _SCOPE_NODES):
                if not isinstance(node, cst.Lambda):
                    bind_other(node.name.value)
            elif isinstance(node, (cst.Import, cst.ImportFrom)):
                if isinstance(node, cst.ImportFrom) and isinstance(node.names, cst.ImportStar):
                    self.has_star_import = True
                for local, qualified in _import_bindings(node):
                    previous = imports.get(local)
                    imports[local] = qualified if previous in (None, qualified) else _SHADOWED
            elif isinstance(node, cst.Assign):
                for target in node.targets:
                    for name in _target_names(target.target):
                        bind_other(name)
            elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor)):
                for name in _target_names(node.target):
                    bind_other(name)
            elif isinstance(node, cst.AsName) and isinstance(node.name, cst.Name):
                bind_other(node.name.value)  # with ... as x, except ... as x
            elif isinstance(node, cst.NamedExpr):
                for name in _target_names(node.target):
                    bind_other(name)
            elif isinstance(node, cst.Global):
                declared_global.update(item.name.value for item in node.names)
            elif isinstance(node, cst.MatchAs) and node.name is not None:
                bind_other(node.name.value)
        scope = _Scope(
            {k: v for k, v in imports.items() if isinstance(v, str)},
            frozenset(others | {k for k, v in imports.items() if v is _SHADOWED}),
            frozenset(declared_global),
        )
        self._scopes[key] = scope
        return scope

    def _lookup(self, name: str, scope_owner: cst.CSTNode | None) -> str | None:
        owner: cst.CSTNode | None = scope_owner
        while owner is not None and not isinstance(owner, cst.Module):
            scope = self._scope_of(owner)
            if name in scope.globals:
                break
            if isinstance(owner, cst.ClassDef) and owner is not scope_owner:
                owner = self._parents.get(id(owner))
                continue
            if name in scope.others:
                return None
            if name in scope.imports:
                return scope.imports[name]
            owner = self._parents.get(id(owner), self._module)
        scope = self._module_scope
        if name in scope.others:
            return None
        if name in scope.imports:
            return scope.imports[name]
        return None if self.has_star_import else f"builtins.{name}"

    def qualify(self, expr: cst.BaseExpression, function: cst.CSTNode | None = None) -> str | None:
        """Qualified name of a Name or attribute chain used inside `function` (a
        FunctionDef, Lambda or ClassDef met in this module; None for module level)."""
        dotted = dotted_name(expr)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        resolved = self._lookup(head, function)
        if resolved is None:
            return None
        return f"{resolved}.{rest}" if rest else resolved

    def enclosing_scope(self, scope: cst.CSTNode) -> cst.CSTNode | None:
        """The function, lambda or class that `scope` is defined in; None at module level."""
        owner = self._parents.get(id(scope))
        while owner is not None and not isinstance(owner, (*_SCOPE_NODES, cst.Module)):
            owner = self._parents.get(id(owner))
        return None if owner is None or isinstance(owner, cst.Module) else owner

    def bound_locally(self, name: str, function: cst.CSTNode) -> bool:
        """Whether `name` is bound in `function` itself by something other than an import."""
        return name in self._scope_of(function).others
