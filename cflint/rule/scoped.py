"""A file rule that knows which function, lambda or class body it is in during the walk,
and resolves names and traces values there through the file's shared `Scopes`."""

from __future__ import annotations

import libcst as cst

from cflint.analysis.bindings import ScopeNode
from cflint.analysis.origins import ValueTracer
from cflint.analysis.scopes import Scopes
from cflint.rule import ParsedFile, Rule


class ScopedRule(Rule):
    """`self.scope` is the innermost enclosing FunctionDef, Lambda or ClassDef (None at
    module level), as `Scopes.qualify` and `ValueTracer.origin` expect it."""

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        self._stack: list[ScopeNode] = []
        self._values: ValueTracer | None = None

    @property
    def scopes(self) -> Scopes:
        """The file's scope model, built when a rule first asks for it."""
        return self.file.analysis(Scopes)

    @property
    def values(self) -> ValueTracer:
        if self._values is None:
            self._values = ValueTracer(self.scopes)
        return self._values

    @property
    def scope(self) -> ScopeNode | None:
        return self._stack[-1] if self._stack else None

    def qualify(self, expr: cst.BaseExpression) -> str | None:
        """The qualified name of a name or attribute chain used here (see `Scopes.qualify`)."""
        return self.scopes.qualify(expr, self.scope)

    def _enter_scope(self, node: ScopeNode) -> None:
        self._stack.append(node)

    def _leave_scope(self, node: ScopeNode) -> None:
        self._stack.pop()

    visit_FunctionDef = visit_Lambda = visit_ClassDef = _enter_scope
    leave_FunctionDef = leave_Lambda = leave_ClassDef = _leave_scope
