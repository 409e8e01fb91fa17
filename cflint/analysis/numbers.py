"""Numbers the source shows: literals, arithmetic on them, and names bound once to such a
value (`TIMEOUT = 2 * 60`). Anything computed from the run (`300 - elapsed`) is unknown."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from cflint.analysis.bindings import ScopeNode

_MAX_DEPTH = 8
# What each binding of a name seen from a scope assigns, with the scope it is evaluated in;
# None when one of them is unknown (`ValueTracer.binding_values`).
BindingValues = Callable[[str, ScopeNode | None], list[tuple[cst.BaseExpression, ScopeNode | None]] | None]


def known_number(
    expr: cst.BaseExpression, scope: ScopeNode | None, binding_values: BindingValues, depth: int = 0
) -> int | float | None:
    """The value of `expr` used in `scope` when the source shows it; None when it depends on the run."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(expr, cst.Integer):
        return int(expr.evaluated_value)
    if isinstance(expr, cst.Float):
        return float(expr.evaluated_value)
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, (cst.Minus, cst.Plus)):
        operand = known_number(expr.expression, scope, binding_values, depth + 1)
        if operand is None:
            return None
        return -operand if isinstance(expr.operator, cst.Minus) else operand
    if isinstance(expr, cst.BinaryOperation):
        left = known_number(expr.left, scope, binding_values, depth + 1)
        right = known_number(expr.right, scope, binding_values, depth + 1)
        if left is None or right is None:
            return None
        return _arithmetic(expr.operator, left, right)
    if isinstance(expr, cst.Name):
        values = binding_values(expr.value, scope)
        if values is None or len(values) != 1:
            return None
        value, bound_in = values[0]
        return known_number(value, bound_in, binding_values, depth + 1)
    return None


def _arithmetic(operator: cst.BaseBinaryOp, left: int | float, right: int | float) -> int | float | None:
    if isinstance(operator, cst.Add):
        return left + right
    if isinstance(operator, cst.Subtract):
        return left - right
    if isinstance(operator, cst.Multiply):
        return left * right
    if isinstance(operator, cst.Divide) and right != 0:
        return left / right
    return None
