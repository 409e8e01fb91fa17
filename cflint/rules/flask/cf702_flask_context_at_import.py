from __future__ import annotations

import libcst as cst

from cflint.analysis.bindings import ScopeNode
from cflint.analysis.names import dotted_name
from cflint.analysis.runtime import is_main_guard
from cflint.rule import ParsedFile
from cflint.rule.scoped import ScopedRule

# Flask's context globals, by qualified name, with the context each needs.
_CONTEXT_GLOBALS = {
    **{f"flask.{name}": "request" for name in ("request", "session")},
    **{f"flask.globals.{name}": "request" for name in ("request", "session")},
    **{f"flask.{name}": "application" for name in ("g", "current_app")},
    **{f"flask.globals.{name}": "application" for name in ("g", "current_app")},
}


class FlaskContextAtImport(ScopedRule):
    code = "CF702"
    name = "flask-context-at-import"
    summary = "Flask's request, session, g or current_app is used where it runs at import time"
    message = (
        "{name} is used when the module is imported, outside any request: Flask raises "
        "RuntimeError (working outside of {context} context) and the function never loads; use it inside a function"
    )
    requires_text = ("flask",)

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        # Blocks whose code runs later (function bodies) or never on the runtime (`if __name__ == "__main__":`).
        self._later_blocks: set[int] = set()
        self._later = 0

    def visit_FunctionDef(self, node: ScopeNode) -> None:
        super().visit_FunctionDef(node)
        self._later_blocks.add(id(node.body))

    def visit_If(self, node: cst.If) -> None:
        if is_main_guard(node.test):
            self._later_blocks.add(id(node.body))

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._later += id(node) in self._later_blocks

    def leave_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._later -= id(node) in self._later_blocks

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._later += id(node) in self._later_blocks

    def leave_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._later -= id(node) in self._later_blocks

    def visit_Lambda(self, node: ScopeNode) -> None:
        super().visit_Lambda(node)
        self._later += 1

    def leave_Lambda(self, node: ScopeNode) -> None:
        super().leave_Lambda(node)
        self._later -= 1

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._check(node.value)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._check(node.value)

    def _check(self, value: cst.BaseExpression) -> None:
        """Reading an attribute or item of a context global outside its context raises."""
        if self._later or not isinstance(value, (cst.Name, cst.Attribute)):
            return
        qualified = self.scopes.qualify(value, self._evaluation_scope())
        context = _CONTEXT_GLOBALS.get(qualified or "")
        if context is not None:
            self.report(value, name=dotted_name(value), context=context)

    def _evaluation_scope(self) -> ScopeNode | None:
        """Decorators and defaults are evaluated in the scope around the function."""
        scope = self.scope
        while isinstance(scope, cst.FunctionDef):
            scope = self.scopes.enclosing_scope(scope)
        return scope
