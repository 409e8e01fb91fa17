"""The values of literal nodes, read without running anything."""

from __future__ import annotations

import libcst as cst


def string_value(node: cst.BaseExpression) -> str | bytes | None:
    """The value of a plain or concatenated string literal; None for f-strings and invalid escapes."""
    if not isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        return None
    try:
        return node.evaluated_value
    except (SyntaxError, ValueError):
        return None


def int_value(node: cst.BaseExpression) -> int | None:
    """The value of an int literal, signed or not."""
    if isinstance(node, cst.Integer):
        return int(node.evaluated_value)
    if (
        isinstance(node, cst.UnaryOperation)
        and isinstance(node.operator, (cst.Minus, cst.Plus))
        and isinstance(node.expression, cst.Integer)
    ):
        value = int(node.expression.evaluated_value)
        return -value if isinstance(node.operator, cst.Minus) else value
    return None
