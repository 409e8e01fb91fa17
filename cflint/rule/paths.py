"""Path evaluation for a rule, in the linted module or in another module of its function root
(where the call graph says a value comes from)."""

from __future__ import annotations

import contextlib
from pathlib import PurePosixPath

import libcst as cst

from cflint.analysis.callgraph import Place
from cflint.analysis.origins import ValueTracer
from cflint.analysis.static_paths import StaticPaths
from cflint.rule.scoped import ScopedRule


def evaluator_at(rule: ScopedRule, place: Place) -> StaticPaths:
    """Path evaluation at `place`: names resolve in its module and scope, and `__file__` is
    that module's path in the function root (None when it is in no root)."""
    root = rule.context.root
    module_path = None
    if root is not None:
        with contextlib.suppress(ValueError):
            module_path = PurePosixPath(place.module.path.relative_to(root.path).as_posix())
    scopes = place.module.scopes
    tracer = rule.values if place.module is rule.file.call_graph.home else ValueTracer(scopes)

    def bindings(name: str) -> list[cst.BaseExpression] | None:
        found = tracer.binding_values(name, place.scope)
        return None if found is None else [value for value, _ in found]

    return StaticPaths(module_path, lambda expr: scopes.qualify(expr, place.scope), bindings)
