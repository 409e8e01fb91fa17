"""CF103's fix: `def main(request):` whose parameter is only ever read as the Flask request
becomes `def main():`, with `from flask import request` (as the parameter's name) imported.

A parameter annotated with another type (a CloudEvent, an Azure or FastAPI request) is not
Flask's request, even where its attributes share names: no fix then."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from cflint.analysis.entry import top_level_bindings
from cflint.analysis.scopes import Scopes
from cflint.analysis.traversal import Walker
from cflint.fix.edits import add_import_name, first_import_from
from cflint.fix.proposal import Change, Replace
from cflint.knowledge.flask_request import FLASK_REQUEST_CLASSES, FLASK_REQUEST_MEMBERS

_BYTES_MEMBERS = frozenset(dir(bytes))
_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)


def _is_data_of(node: cst.BaseExpression, name: str) -> bool:
    """Whether `node` is `name.data`, which is bytes on Flask's request."""
    return (
        isinstance(node, cst.Attribute)
        and node.attr.value == "data"
        and isinstance(node.value, cst.Name)
        and node.value.value == name
    )


def _not_bytes_use(node: cst.CSTNode, name: str) -> bool:
    """`name.data["key"]` or `name.data.get(...)`: a use of `.data` that bytes does not have."""
    if isinstance(node, cst.Subscript) and _is_data_of(node.value, name):
        return any(
            isinstance(element.slice, cst.Index) and isinstance(element.slice.value, _STRINGS) for element in node.slice
        )
    return isinstance(node, cst.Attribute) and _is_data_of(node.value, name) and node.attr.value not in _BYTES_MEMBERS


def _only_read_as_request(definition: cst.FunctionDef, name: str, walker: Walker) -> bool:
    """Whether every use of `name` in the body is `name.<an attribute of Flask's request>`,
    `.data` used as the bytes it is there."""
    allowed: set[int] = set()
    ignored: set[int] = set()
    nodes = list(walker.descendants(definition.body))
    for node in nodes:
        if _not_bytes_use(node, name):
            return False
        if isinstance(node, cst.Attribute):
            ignored.add(id(node.attr))
            if isinstance(node.value, cst.Name) and node.attr.value in FLASK_REQUEST_MEMBERS:
                allowed.add(id(node.value))
        elif isinstance(node, cst.Arg) and node.keyword is not None:
            ignored.add(id(node.keyword))
    return all(
        id(node) in allowed or id(node) in ignored
        for node in nodes
        if isinstance(node, cst.Name) and node.value == name
    )


def _annotated_otherwise(param: cst.Param, scopes: Scopes) -> bool:
    """Whether the parameter's annotation names anything but Flask's Request class."""
    if param.annotation is None:
        return False
    return scopes.qualify(param.annotation.annotation) not in FLASK_REQUEST_CLASSES


def _comments(node: cst.CSTNode) -> list[cst.Comment]:
    found: list[cst.Comment] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Comment):
            found.append(current)
        stack.extend(reversed(current.children))
    return found


def _without_parameters(definition: cst.FunctionDef, indent: str) -> cst.FunctionDef:
    """The definition with an empty parameter list that keeps the comments the list held,
    each on a line of its own inside the parentheses."""
    comments = _comments(definition.params)
    before = definition.whitespace_before_params
    if not comments:
        if isinstance(before, cst.ParenthesizedWhitespace) and not _comments(before):
            before = cst.SimpleWhitespace("")
        return definition.with_changes(params=cst.Parameters(), whitespace_before_params=before)
    if isinstance(before, cst.ParenthesizedWhitespace):
        first_line, kept = before.first_line, list(before.empty_lines)
        indent = before.last_line.value or indent
    else:
        first_line, kept = cst.TrailingWhitespace(), []
    lines = [*kept, *(cst.EmptyLine(whitespace=cst.SimpleWhitespace(indent), comment=c) for c in comments)]
    whitespace = cst.ParenthesizedWhitespace(
        first_line=first_line, empty_lines=lines, last_line=cst.SimpleWhitespace("")
    )
    return definition.with_changes(params=cst.Parameters(), whitespace_before_params=whitespace)


def _bound_request(statement: cst.ImportFrom) -> str | None:
    """The name a `from flask import ...` binds Flask's request to, if it imports it."""
    assert not isinstance(statement.names, cst.ImportStar)
    bound = None
    for alias in statement.names:
        if isinstance(alias.name, cst.Name) and alias.name.value == "request":
            asname = alias.asname
            bound = asname.name.value if asname and isinstance(asname.name, cst.Name) else "request"
    return bound


class _Renamer(cst.CSTTransformer):
    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old, self.new = old, new

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.Attribute:
        value = original_node.value
        if isinstance(value, cst.Name) and value.value == self.old:
            return updated_node.with_changes(value=cst.Name(self.new))
        return updated_node


def request_parameter_fix(
    module: cst.Module, definition: cst.FunctionDef, walker: Walker, scopes: Scopes
) -> Sequence[Change] | None:
    """The changes that drop the entry function's one parameter for Flask's request, or None
    when the parameter may be anything else (used otherwise, or its name taken at the top)."""
    params = definition.params
    if (
        params.posonly_params
        or params.kwonly_params
        or len(params.params) != 1
        or isinstance(params.star_arg, cst.Param)
        or params.star_kwarg is not None
        or definition not in module.body
    ):
        return None
    name = params.params[0].name.value
    if _annotated_otherwise(params.params[0], scopes) or not _only_read_as_request(definition, name, walker):
        return None
    without_parameter = _without_parameters(definition, module.default_indent)
    existing = first_import_from(module, "flask")
    bound = _bound_request(existing) if existing is not None else None
    if bound is not None:
        if bound != name:
            if any(isinstance(n, cst.Name) and n.value == bound for n in walker.descendants(definition.body)):
                return None
            renamed = without_parameter.visit(_Renamer(name, bound))
            if not isinstance(renamed, cst.FunctionDef):
                return None
            without_parameter = renamed
        return [Replace(definition, without_parameter)]
    if top_level_bindings(scopes, name):
        return None  # the name is the module's own
    alias = cst.ImportAlias(cst.Name("request"), asname=None if name == "request" else cst.AsName(cst.Name(name)))
    return [add_import_name(module, "flask", alias), Replace(definition, without_parameter)]
