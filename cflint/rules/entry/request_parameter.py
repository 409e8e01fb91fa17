"""CF103's fix: `def main(request):` whose parameter is only ever read as the Flask request
becomes `def main():`, with `from flask import request` (as the parameter's name) imported."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from cflint.analysis.entry import top_level_bindings
from cflint.analysis.scopes import Scopes
from cflint.engine.traversal import Walker
from cflint.fix.proposal import Change, Replace
from cflint.rules.flask.cf701_request_not_flask import FLASK_REQUEST_ATTRIBUTES


def _only_read_as_request(definition: cst.FunctionDef, name: str, walker: Walker) -> bool:
    """Whether every use of `name` in the body is `name.<a Flask request attribute>`."""
    allowed: set[int] = set()
    ignored: set[int] = set()
    nodes = list(walker.descendants(definition.body))
    for node in nodes:
        if isinstance(node, cst.Attribute):
            ignored.add(id(node.attr))
            if isinstance(node.value, cst.Name) and node.attr.value in FLASK_REQUEST_ATTRIBUTES:
                allowed.add(id(node.value))
        elif isinstance(node, cst.Arg) and node.keyword is not None:
            ignored.add(id(node.keyword))
    return all(
        id(node) in allowed or id(node) in ignored
        for node in nodes
        if isinstance(node, cst.Name) and node.value == name
    )


def _flask_request_import(module: cst.Module) -> tuple[cst.SimpleStatementLine, cst.ImportFrom, str | None] | None:
    """The first top-level `from flask import ...` line, with the name it binds the request to."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.ImportFrom)
                and not small.relative
                and isinstance(small.module, cst.Name)
                and small.module.value == "flask"
                and not isinstance(small.names, cst.ImportStar)
            ):
                bound = None
                for alias in small.names:
                    if isinstance(alias.name, cst.Name) and alias.name.value == "request":
                        asname = alias.asname
                        bound = asname.name.value if asname and isinstance(asname.name, cst.Name) else "request"
                return statement, small, bound
    return None


def _import_position(module: cst.Module) -> int:
    """After the docstring, `from __future__` imports and the imports that follow them."""
    index = 0
    body = module.body
    if body and isinstance(body[0], cst.SimpleStatementLine):
        first = body[0].body[0] if body[0].body else None
        if isinstance(first, cst.Expr) and isinstance(first.value, (cst.SimpleString, cst.ConcatenatedString)):
            index = 1
    while index < len(body):
        statement = body[index]
        if not isinstance(statement, cst.SimpleStatementLine) or not all(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
        ):
            break
        index += 1
    return index


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
    if not _only_read_as_request(definition, name, walker):
        return None
    without_parameter = definition.with_changes(params=cst.Parameters())
    existing = _flask_request_import(module)
    if existing is not None and existing[2] is not None:
        bound = existing[2]
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
    alias = cst.ImportAlias(
        cst.Name("request"), asname=None if name == "request" else cst.AsName(cst.Name(name))
    )
    if existing is not None and existing[1].lpar is None and not isinstance(existing[1].names, cst.ImportStar):
        statement = existing[1]
        names = list(existing[1].names)
        comma = cst.Comma(cst.SimpleWhitespace(""), cst.SimpleWhitespace(" "))
        names[-1] = names[-1].with_changes(comma=comma)
        import_change = Replace(statement, statement.with_changes(names=(*names, alias)))
    else:
        statement_line = cst.SimpleStatementLine(
            body=[cst.ImportFrom(module=cst.Name("flask"), names=[alias])]
        )
        index = _import_position(module)
        following = list(module.body[index:])
        if following and isinstance(following[0], (cst.FunctionDef, cst.ClassDef)) and not following[0].leading_lines:
            following[0] = following[0].with_changes(leading_lines=(cst.EmptyLine(), cst.EmptyLine()))
        body = (*module.body[:index], statement_line, *following)
        import_change = Replace(module, module.with_changes(body=body))
    return [import_change, Replace(definition.params, cst.Parameters())]
