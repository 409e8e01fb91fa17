"""The values of literal nodes, read without running anything."""

from __future__ import annotations

import libcst as cst

from cflint.record import Record

# Prefixes of str literals whose text, without a backslash or a carriage return, is their value.
_PLAIN_PREFIXES = frozenset({"", "r", "u", "R", "U"})


def literal_value(node: cst.SimpleString | cst.ConcatenatedString) -> str | bytes | None:
    """`node.evaluated_value`, raising what it raises. LibCST compiles each string with
    `ast.literal_eval`; a str literal without escapes is read from its text instead, which is
    what most strings of a file are."""
    if isinstance(node, cst.SimpleString):
        return _simple_value(node)
    # As LibCST's ConcatenatedString.evaluated_value, which recurses into `right` (the rest of
    # the chain): parts in the same order, without a frame per part.
    values: list[str | bytes] = []
    rest: cst.BaseExpression = node
    while isinstance(rest, cst.ConcatenatedString):
        left, right = rest.left, rest.right
        if isinstance(left, cst.FormattedString) or isinstance(right, cst.FormattedString):
            return None
        values.append(_simple_value(left))
        rest = right
    values.append(_simple_value(rest))
    if all(isinstance(value, str) for value in values):
        return "".join(values)  # type: ignore[arg-type]
    if all(isinstance(value, bytes) for value in values):
        return b"".join(values)  # type: ignore[arg-type]
    return None


def _simple_value(node: cst.BaseExpression) -> str | bytes:
    if type(node) is not cst.SimpleString:
        # No other node is a part of a chain, by LibCST's types; if one were, LibCST decides.
        return node.evaluated_value  # type: ignore[attr-defined, no-any-return]
    text = node.value
    quote = text[-1]
    start = text.find(quote)
    if text[:start] in _PLAIN_PREFIXES:
        width = 3 if len(text) - start >= 6 and text[start : start + 3] == quote * 3 else 1
        body = text[start + width : -width]
        if "\\" not in body and "\r" not in body and "\0" not in body:
            return body
    return node.evaluated_value


def string_value(node: cst.BaseExpression) -> str | bytes | None:
    """The value of a plain or concatenated string literal; None for f-strings and invalid escapes."""
    if not isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        return None
    try:
        return literal_value(node)
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


class LeadingText(Record, frozen=True):
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
