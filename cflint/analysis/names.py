"""What a piece of syntax names, before any scope is asked: the dotted name of an attribute
chain, the names a target or an import binds, a signature's parameters."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst


def dotted_name(node: cst.BaseExpression | None) -> str | None:
    """`a.b.c` for a Name or a chain of attributes on one, else None."""
    if type(node) is cst.Name:
        return node.value
    if type(node) is cst.Attribute:
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def target_names(target: cst.BaseExpression) -> Iterator[cst.Name]:
    """The names an assignment, `for`, `with` or `del` target binds: `a`, `a, (b, *c)`, `[a, b]`."""
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from target_names(target.value)


def parameters(params: cst.Parameters, *, stars: bool = True) -> Iterator[cst.Param]:
    """A signature's parameters in order: positional-only, ordinary, `*args`, keyword-only,
    `**kwargs` (the last two kinds only when `stars`)."""
    yield from params.posonly_params
    yield from params.params
    if stars and isinstance(params.star_arg, cst.Param):
        yield params.star_arg
    yield from params.kwonly_params
    if stars and params.star_kwarg is not None:
        yield params.star_kwarg


def imported_names(node: cst.Import | cst.ImportFrom) -> Iterator[tuple[cst.Name, str]]:
    """(local name, qualified name) for each name an import binds."""
    if isinstance(node.names, cst.ImportStar):
        return
    if isinstance(node, cst.Import):
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                yield alias.asname.name, full
            else:
                head: cst.BaseExpression = alias.name
                while isinstance(head, cst.Attribute):
                    head = head.value
                if isinstance(head, cst.Name):
                    yield head, head.value
        return
    base = "." * len(node.relative) + (dotted_name(node.module) or "")
    for alias in node.names:
        name = dotted_name(alias.name) or ""
        local = alias.asname.name if alias.asname is not None else alias.name
        if isinstance(local, cst.Name):
            yield local, f"{base}.{name}" if base and not base.endswith(".") else f"{base}{name}"


def type_parameter_names(node: cst.TypeParameters | None) -> Iterator[cst.Name]:
    if node is not None:
        for param in node.params:
            yield param.param.name
