"""A file rule that knows which function, lambda or class body it is in during the walk,
and traces values there through the file's shared name and binding analyses."""

from __future__ import annotations

import libcst as cst

from cflint.analysis.bindings import Bindings, rebound_names
from cflint.analysis.names import NameResolver
from cflint.analysis.origins import ValueTracer
from cflint.rule import ParsedFile, Rule


class ScopedRule(Rule):
    """`self.scope` is the innermost enclosing FunctionDef, Lambda or ClassDef (None at
    module level), as `NameResolver.qualify` and `ValueTracer.origin` expect it."""

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        self._scopes: list[cst.CSTNode] = []
        self._values: ValueTracer | None = None

    @property
    def values(self) -> ValueTracer:
        if self._values is None:
            self._values = ValueTracer(
                self.file.analysis(NameResolver), self.file.analysis(Bindings), rebound_names(self.file.source)
            )
        return self._values

    @property
    def scope(self) -> cst.CSTNode | None:
        return self._scopes[-1] if self._scopes else None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append(node)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._scopes.append(node)

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self._scopes.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._scopes.append(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._scopes.pop()
