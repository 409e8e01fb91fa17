"""The values of literal nodes, read without running anything."""

from __future__ import annotations

from typing import NamedTuple

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


class LeadingText(NamedTuple):
    """The text a string expression starts with, as the source shows it: `node` is the literal
    that holds it; `complete` is whether the text is the whole value."""

    text: str
    node: cst.BaseExpression
    complete: bool


def leading_text(node: cst.BaseExpression) -> LeadingText | None:
    """The known start of a string built from a literal: the literal itself, an f-string's
    text before its first replacement field, a literal's `.format(...)` text before its first
    field, or the left literal of `+`."""
    value = string_value(node)
    if isinstance(value, str):
        return LeadingText(value, node, True)
    if isinstance(node, cst.FormattedString):
        first = node.parts[0] if node.parts else None
        if not isinstance(first, cst.FormattedStringText):
            return None
        return LeadingText(first.value, node, len(node.parts) == 1)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
        template = string_value(node.func.value)
        if not isinstance(template, str):
            return None
        return LeadingText(template.split("{", 1)[0], node.func.value, False)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left = leading_text(node.left)
        return None if left is None else LeadingText(left.text, left.node, False)
    return None


def short_code(node: cst.CSTNode) -> str:
    """The node's code, cut to 40 characters, for messages."""
    text = cst.Module(body=[]).code_for_node(node)
    return text if len(text) <= 40 else text[:37] + "..."
