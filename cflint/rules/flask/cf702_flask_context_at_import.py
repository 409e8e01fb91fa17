from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat

import libcst as cst

from cflint.analysis.bindings import SCOPE_TYPES, ScopeNode
from cflint.analysis.callgraph import CallEdge, CallGraph
from cflint.analysis.names import dotted_name
from cflint.analysis.runtime import is_main_guard
from cflint.project import FileContext
from cflint.rule import ParsedFile
from cflint.rule.scoped import ScopedRule

# Flask's context globals, by qualified name, with the context each needs.
_CONTEXT_GLOBALS = {
    **{f"flask.{name}": "request" for name in ("request", "session")},
    **{f"flask.globals.{name}": "request" for name in ("request", "session")},
    **{f"flask.{name}": "application" for name in ("g", "current_app")},
    **{f"flask.globals.{name}": "application" for name in ("g", "current_app")},
}


_USE_INSIDE = "use it inside a function"
_CALL_INSIDE = "call it from inside a request (from the entry function), not at import"
# Code under these may run inside a context made for it, or catch what Flask raises: not followed.
_GUARDED = frozenset({cst.Try, cst.TryStar, cst.With})
_LATER = frozenset({cst.FunctionDef, cst.Lambda})  # code that runs when called
_CONTEXT_CHECKS = ("has_request_context", "has_app_context", "app_context", "request_context")


def context_global(qualified: str | None) -> str | None:
    """The context a Flask context global needs (`request`, `application`), by its qualified name."""
    return _CONTEXT_GLOBALS.get(qualified or "")


class FlaskContextAtImport(ScopedRule):
    code = "CF702"
    name = "flask-context-at-import"
    summary = "Flask's request, session, g or current_app is used where it runs at import time"
    message = (
        "{use} when the module is imported, outside any request: Flask raises "
        "RuntimeError (working outside of {context} context) and the function never loads; {advice}"
    )
    requires_text = ("flask",)

    @classmethod
    def applies_to(cls, context: FileContext, source: str) -> bool:
        """A module that names no flask can still call, at import, a module of its root that does."""
        root = context.root
        return super().applies_to(context, source) or (root is not None and len(root.own_modules) > 1)

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        # Blocks whose code runs later (function bodies) or never on the runtime (`if __name__ == "__main__":`).
        self._later_blocks: set[int] = set()
        self._later = 0

    def visit_Module(self, node: cst.Module) -> None:
        """Calls at import into the root's functions that reach a context global: reported at
        the module-level call (or decorator), naming what it reaches and where."""
        graph = self.file.call_graph
        guarded = self._guarded_nodes(graph.home.module.body)
        for edge in graph.import_time(graph.home):
            if id(edge.node) in guarded:
                continue
            found = self._first_use(graph, edge)
            if found is not None:
                name, context, where = found
                called = edge.called
                if isinstance(edge.node, cst.Decorator):
                    called = f"the decorator {edge.called}"
                line = graph.location_of(graph.home, edge.node)
                self.report(
                    edge.node, use=f"{called} at {line} reaches {name} at {where}", context=context, advice=_CALL_INSIDE
                )

    def _guarded_nodes(self, statements: Sequence[cst.CSTNode]) -> set[int]:
        """The nodes of these statements' bodies that a try or with statement encloses."""
        found: set[int] = set()
        stack: list[tuple[cst.CSTNode, bool]] = [(statement, False) for statement in statements]
        while stack:
            node, inside = stack.pop()
            if inside:
                found.add(id(node))
            if type(node) in _LATER:
                continue
            inner = inside or type(node) in _GUARDED
            stack.extend(zip(self.walker.children(node), repeat(inner)))
        return found

    def _first_use(self, graph: CallGraph, edge: CallEdge) -> tuple[str, str, str] | None:
        """The first context global a call at import reaches, with its context and place;
        calls made inside a try or with block are not followed."""
        blocked: set[int] = set()
        for reached in graph.reach(edge.callee, edge):
            function = reached.function
            if any(check in function.module.source for check in _CONTEXT_CHECKS):
                return None  # a module that checks for or makes a context: not judged
            last = reached.chain[-1]
            if len(reached.chain) > 1 and (
                id(last.place.scope) in blocked or id(last.node) in self._guarded_body(last.place.scope)
            ):
                blocked.add(id(function.definition))
                continue
            guarded = self._guarded_body(function.definition)
            scopes = function.module.scopes
            for node in self.walker.descendants(function.definition.body, stop_at=SCOPE_TYPES):
                if type(node) in (cst.Attribute, cst.Subscript) and id(node) not in guarded:
                    value = node.value  # type: ignore[attr-defined]
                    if isinstance(value, (cst.Name, cst.Attribute)):
                        context = context_global(scopes.qualify(value, function.definition))
                        if context is not None:
                            return dotted_name(value) or "", context, graph.location_of(function.module, value)
        return None

    def _guarded_body(self, scope: ScopeNode | None) -> set[int]:
        """The nodes of a function's body that a try or with statement encloses."""
        if not isinstance(scope, cst.FunctionDef) or not isinstance(scope.body, cst.IndentedBlock):
            return set()
        return self._guarded_nodes(scope.body.body)

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
        context = context_global(qualified)
        if context is not None:
            self.report(value, use=f"{dotted_name(value)} is used", context=context, advice=_USE_INSIDE)

    def _evaluation_scope(self) -> ScopeNode | None:
        """Decorators and defaults are evaluated in the scope around the function."""
        scope = self.scope
        while isinstance(scope, cst.FunctionDef):
            scope = self.scopes.enclosing_scope(scope)
        return scope
