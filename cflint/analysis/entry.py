"""How an entry function's name is bound at the top level of its module."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import libcst as cst

from cflint.analysis.names import target_names
from cflint.analysis.runtime import is_main_guard


class BindingKind(enum.Enum):
    FUNCTION = "function"
    CLASS = "class"
    LAMBDA = "lambda"
    VALUE = "value"  # a literal, display, comprehension or f-string: never callable
    OTHER = "other"  # an import, a call result, another name: cannot be judged


@dataclass(frozen=True)
class Binding:
    kind: BindingKind
    node: cst.CSTNode  # the node to report at
    statement: cst.CSTNode  # the top-level statement that binds it
    conditional: bool  # only bound on some paths through an if/try/with/loop
    definition: cst.FunctionDef | None = None
    alias_of: str | None = None  # `main = handler`: the name it is bound to


_VALUE_NODES = (
    cst.BaseNumber,
    cst.BaseString,
    cst.Dict,
    cst.List,
    cst.Set,
    cst.Tuple,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.GeneratorExp,
)


def _value_kind(value: cst.BaseExpression) -> BindingKind:
    if isinstance(value, cst.Lambda):
        return BindingKind.LAMBDA
    if isinstance(value, _VALUE_NODES) or (isinstance(value, cst.Name) and value.value in ("None", "True", "False")):
        return BindingKind.VALUE
    return BindingKind.OTHER


def _small_statement_bindings(
    statement: cst.BaseSmallStatement, name: str
) -> Iterator[tuple[BindingKind, cst.CSTNode, str | None]]:
    if isinstance(statement, cst.Assign):
        for target in statement.targets:
            for bound in target_names(target.target):
                if bound.value == name:
                    single = isinstance(target.target, cst.Name)
                    kind = _value_kind(statement.value) if single else BindingKind.OTHER
                    alias = statement.value.value if single and isinstance(statement.value, cst.Name) else None
                    yield kind, bound, alias if kind is BindingKind.OTHER else None
    elif isinstance(statement, (cst.AnnAssign, cst.AugAssign)):
        if isinstance(statement.target, cst.Name) and statement.target.value == name:
            value = statement.value
            if value is not None:
                kind = _value_kind(value) if isinstance(statement, cst.AnnAssign) else BindingKind.OTHER
                yield kind, statement.target, None
    elif isinstance(statement, (cst.Import, cst.ImportFrom)) and not isinstance(statement.names, cst.ImportStar):
        for alias in statement.names:
            bound_name = alias.asname.name if alias.asname else alias.name
            if isinstance(bound_name, cst.Name) and bound_name.value == name:
                yield BindingKind.OTHER, bound_name, None


def _blocks(statement: cst.BaseCompoundStatement) -> Iterator[Sequence[cst.BaseStatement]]:
    """The statement lists nested directly in a compound statement."""
    for field_name in ("body", "orelse", "finalbody"):
        block = getattr(statement, field_name, None)
        if isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite)):
            yield block.body
        elif isinstance(block, (cst.Else, cst.Finally)):
            yield block.body.body
        elif isinstance(block, cst.If):
            yield [block]
    for handler in getattr(statement, "handlers", ()):
        yield handler.body.body
    for case in getattr(statement, "cases", ()):
        yield case.body.body


def _statement_bindings(
    statements: Sequence[cst.BaseStatement], name: str, top: cst.CSTNode | None, conditional: bool
) -> Iterator[Binding]:
    for statement in statements:
        owner = top or statement
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                for kind, node, alias in _small_statement_bindings(small, name):
                    yield Binding(kind, node, owner, conditional, alias_of=alias)
        elif isinstance(statement, cst.BaseSmallStatement):  # in a one-line suite
            for kind, node, alias in _small_statement_bindings(statement, name):
                yield Binding(kind, node, owner, conditional, alias_of=alias)
        elif isinstance(statement, cst.FunctionDef):
            if statement.name.value == name:
                yield Binding(BindingKind.FUNCTION, statement.name, owner, conditional, statement)
        elif isinstance(statement, cst.ClassDef):
            if statement.name.value == name:
                yield Binding(BindingKind.CLASS, statement.name, owner, conditional)
        elif isinstance(statement, cst.If) and is_main_guard(statement.test):
            # The runtime imports the module: the guarded body never runs, an `else:` always does.
            if isinstance(statement.orelse, cst.Else):
                yield from _statement_bindings(statement.orelse.body.body, name, owner, conditional)
        elif isinstance(statement, cst.BaseCompoundStatement):
            nested_conditional = conditional or not isinstance(statement, cst.With)
            for block in _blocks(statement):
                yield from _statement_bindings(block, name, owner, nested_conditional)


def top_level_bindings(module: cst.Module, name: str) -> list[Binding]:
    """Every binding of `name` made by the module's top-level code, in order."""
    return list(_statement_bindings(module.body, name, None, False))


def top_level_function_names(module: cst.Module) -> list[str]:
    return [s.name.value for s in module.body if isinstance(s, cst.FunctionDef)]


def effective_definitions(
    module: cst.Module, name: str, following: frozenset[str] = frozenset()
) -> list[cst.FunctionDef]:
    """The `def` statements that can be what `name` is bound to when the module is loaded,
    through aliases at the top level (`main = handler`)."""
    found: list[cst.FunctionDef] = []
    for binding in top_level_bindings(module, name):
        if binding.definition is not None:
            found.append(binding.definition)
        elif binding.alias_of is not None and binding.alias_of not in following | {name}:
            found.extend(effective_definitions(module, binding.alias_of, following | {name}))
    return found


def _block_always_binds(statements: Sequence[cst.BaseStatement], name: str) -> bool:
    return any(_always_binds(statement, name) for statement in statements)


def _always_binds(statement: cst.BaseStatement, name: str) -> bool:
    if isinstance(statement, cst.SimpleStatementLine):
        return any(any(True for _ in _small_statement_bindings(s, name)) for s in statement.body)
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        return statement.name.value == name
    if isinstance(statement, cst.With):
        return _block_always_binds(statement.body.body, name)
    if isinstance(statement, cst.If) and is_main_guard(statement.test):
        return isinstance(statement.orelse, cst.Else) and _block_always_binds(statement.orelse.body.body, name)
    if isinstance(statement, cst.If):
        orelse = statement.orelse
        if orelse is None:
            return False
        else_block = [orelse] if isinstance(orelse, cst.If) else orelse.body.body
        return _block_always_binds(statement.body.body, name) and _block_always_binds(else_block, name)
    if isinstance(statement, cst.Try):
        return _block_always_binds(statement.body.body, name) and all(
            _block_always_binds(handler.body.body, name) for handler in statement.handlers
        )
    return False


def always_bound(module: cst.Module, name: str) -> bool:
    """Whether every way through the module's top-level code binds `name`."""
    return _block_always_binds(module.body, name)
