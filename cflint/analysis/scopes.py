"""The one model of what binds a name, scope by scope: every other analysis reads it.

`Scopes(module, walker)` (shared through `ParsedFile.analysis(Scopes)`) knows, for the
module and every function, lambda and class body, each binding made there
(a `Binding`, which `cflint.analysis.bindings` collects from the scope's own code, reading
what each piece of syntax names with `cflint.analysis.names`).

Rules place code in its innermost def, lambda or class body, so those (and the module)
are the scopes. A comprehension is not a scope of its own here: its variables count as
bound in the scope around it, so a name reused there is bound more than once and nothing
is followed through it. A walrus binds in that scope too, as Python does.

`global` and `nonlocal` redirect: a name declared so is not bound in the declaring scope;
its bindings there are recorded in the module, or in the enclosing function that binds
it. Class bodies are skipped when looking a name up from a nested function, except for
their type parameters.

`qualify(expr, scope)` resolves a name through imports: the qualified name when every
binding the use can see is an import of the same thing, `builtins.<name>` when nothing
binds it (unless the module has a star import), else None. Nothing is guessed.

The defs, classes and `global` / `nonlocal` statements are found in one walk of the
statements when the model is built, the lambdas in the expressions between them when a
lambda's scope is first asked for; each scope's bindings are collected when first asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import repeat

import libcst as cst

from cflint.analysis.bindings import SCOPE_TYPES, Binding, Collector, Form, Scope, ScopeNode
from cflint.analysis.names import dotted_name
from cflint.analysis.traversal import Walker

# A function body or the module, in which code runs; the scopes a name is looked up in,
# innermost first, ending with the module.
CodeScope = cst.Module | cst.FunctionDef
ScopeChain = tuple[CodeScope, ...]

_SCOPE_TYPE_SET = frozenset(SCOPE_TYPES)
_DECLARATIONS = frozenset({cst.Global, cst.Nonlocal})
# The nodes whose children can be statements (a def, a class, `global`, `nonlocal`): the module,
# blocks, statement lines and compound statements with their clauses. A lambda can be
# anywhere in an expression; nothing else that makes a scope or declares a name can.
_STATEMENT_HOLDERS = frozenset(
    {
        cst.Module,
        cst.IndentedBlock,
        cst.SimpleStatementSuite,
        cst.SimpleStatementLine,
        cst.FunctionDef,
        cst.ClassDef,
        cst.If,
        cst.Else,
        cst.For,
        cst.While,
        cst.Try,
        cst.TryStar,
        cst.ExceptHandler,
        cst.ExceptStarHandler,
        cst.Finally,
        cst.With,
        cst.Match,
        cst.MatchCase,
    }
)


class Scopes:
    """The scopes of one module; build it through `ParsedFile.analysis(Scopes)`."""

    def __init__(self, module: cst.Module, walker: Walker | None = None) -> None:
        self.module = module
        self._walker = walker or Walker()
        self._module_scope = Scope(None, None)
        self._scopes: dict[int, Scope] = {}
        self._declaring: list[Scope] = []
        self._redirects_done = False
        self._pending: list[tuple[cst.CSTNode, Scope]] = []  # expressions not yet searched for lambdas
        self._register()

    @property
    def walker(self) -> Walker:
        return self._walker

    def _register(self) -> None:
        """Find every def and class with the scope it sits in, and the names each declares.
        Only statements can hold those, so the expressions between them are set aside for
        `_register_lambdas`, walked when a lambda's scope is first asked for."""
        stack = [(child, self._module_scope) for child in self._walker.children(self.module)]
        self._walk(stack, _STATEMENT_HOLDERS)

    def _register_lambdas(self) -> None:
        pending, self._pending = self._pending, []
        self._walk(pending, None)

    def _walk(self, stack: list[tuple[cst.CSTNode, Scope]], holders: frozenset[type] | None) -> None:
        """Register the scopes and declarations below the nodes of `stack`, each with the scope
        it sits in; with `holders`, other nodes are set aside rather than entered."""
        children = self._walker.children
        pop, extend, set_aside = stack.pop, stack.extend, self._pending.append
        while stack:
            node, owner = pop()
            node_type = type(node)
            if node_type in _DECLARATIONS:
                if owner.node is not None:
                    names = {item.name.value for item in node.names}  # type: ignore[attr-defined]
                    if not owner.declared_global and not owner.declared_nonlocal:
                        self._declaring.append(owner)
                    if node_type is cst.Global:
                        owner.declared_global |= names
                    else:
                        owner.declared_nonlocal |= names
                continue  # it holds names only
            if holders is not None and node_type not in holders:
                set_aside((node, owner))
                continue
            if node_type in _SCOPE_TYPE_SET:
                owner = self._scopes[id(node)] = Scope(node, owner)  # type: ignore[arg-type]
            extend(zip(children(node), repeat(owner)))

    def scope(self, node: ScopeNode | None) -> Scope:
        """The scope of a def, lambda or class met in this module (None: the module)."""
        if node is None:
            return self._module_scope
        found = self._scopes.get(id(node))
        if found is None and self._pending:
            self._register_lambdas()
            found = self._scopes.get(id(node))
        if found is None:
            raise KeyError(node)
        return found

    def enclosing_scope(self, node: ScopeNode) -> ScopeNode | None:
        """The def, lambda or class that `node` is defined in; None at module level."""
        parent = self.scope(node).parent
        assert parent is not None  # only the module's scope has no parent
        return parent.node

    def _own(self, scope: Scope) -> dict[str, list[Binding]]:
        if scope.own is None:
            scope.own = Collector(scope, self.module).collect(self._walker)
        return scope.own

    def _apply_redirects(self) -> None:
        """Move the bindings of `global` and `nonlocal` names to the scope they bind in."""
        if self._redirects_done:
            return
        self._redirects_done = True
        for scope in self._declaring:
            self._own(scope)
            for binding in scope.redirected:
                target = self._redirect_target(scope, binding.name)
                if target is None:  # `nonlocal` with nothing to refer to: keep it local
                    assert scope.own is not None
                    scope.own.setdefault(binding.name, []).append(binding)
                else:
                    target.incoming.setdefault(binding.name, []).append(binding)

    def _redirect_target(self, scope: Scope, name: str) -> Scope | None:
        if name in scope.declared_global:
            return self._module_scope
        current = scope.parent
        while current is not None and current.node is not None:
            if not current.is_class:
                if name in current.declared_global:
                    return self._module_scope
                if name not in current.declared_nonlocal and name in self._own(current):
                    return current
            current = current.parent
        return None

    def bindings_in(self, node: ScopeNode | None) -> Mapping[str, list[Binding]]:
        """Every binding made in a scope, by name, with those redirected into it."""
        scope = self.scope(node)
        self._apply_redirects()
        own = self._own(scope)
        if not scope.incoming:
            return own
        merged = {name: list(found) for name, found in own.items()}
        for name, found in scope.incoming.items():
            merged.setdefault(name, []).extend(found)
        return merged

    def visible(self, name: str, node: ScopeNode | None) -> tuple[ScopeNode | None, list[Binding]] | None:
        """Where `name`, used in the body of `node` (None: module level), is bound, and by
        what; None when nothing in the module binds it."""
        self._apply_redirects()
        start = current = self.scope(node)
        while current.node is not None:
            if current is start or not current.is_class:
                if name in current.declared_global:
                    break
                if name not in current.declared_nonlocal:
                    found = self._bindings_of(current, name)
                    if found:
                        return current.node, found
            else:
                found = [b for b in self._own(current).get(name, ()) if b.form is Form.TYPE_PARAMETER]
                if found:
                    return current.node, found
            assert current.parent is not None
            current = current.parent
        found = self._bindings_of(self._module_scope, name)
        return (None, found) if found else None

    def _bindings_of(self, scope: Scope, name: str) -> list[Binding]:
        own = self._own(scope).get(name, [])
        incoming = scope.incoming.get(name)
        return [*own, *incoming] if incoming else own

    @property
    def star_import(self) -> bool:
        """Whether the module imports `*` from somewhere: unbound names may come from it."""
        self._own(self._module_scope)
        return self._module_scope.star_import

    def qualify(self, expr: cst.BaseExpression, node: ScopeNode | None = None) -> str | None:
        """The qualified name of a Name or attribute chain used in the body of `node`:
        `req.args` after `from flask import request as req` is `flask.request.args`."""
        dotted = dotted_name(expr)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        found = self.visible(head, node)
        if found is None:
            resolved = None if self.star_import else f"builtins.{head}"
        else:
            imported = {binding.imported for binding in found[1]}
            resolved = imported.pop() if len(imported) == 1 else None
        if resolved is None:
            return None
        return f"{resolved}.{rest}" if rest else resolved

    def sole_binding(self, name: str, node: ScopeNode | None) -> tuple[ScopeNode | None, Binding] | None:
        """The one binding a use of `name` in the body of `node` can see, with the scope it
        binds in; None when there are several, or it was made through `global` / `nonlocal`."""
        found = self.visible(name, node)
        if found is None:
            return None
        where, bindings = found
        values = [binding for binding in bindings if binding.binds_value]
        if len(values) != 1 or values[0].made_in is not where:
            return None
        return where, values[0]
