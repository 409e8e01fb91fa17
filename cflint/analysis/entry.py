"""How an entry function's name is bound by the top-level code of its module, read from `Scopes`."""

from __future__ import annotations

import enum
from collections.abc import Sequence

import libcst as cst

from cflint.analysis.bindings import Binding, Form
from cflint.analysis.runtime import is_main_guard
from cflint.analysis.scopes import Scopes
from cflint.record import Record


class BindingKind(enum.Enum):
    FUNCTION = "function"
    CLASS = "class"
    LAMBDA = "lambda"
    VALUE = "value"  # a literal, display, comprehension or f-string: never callable
    OTHER = "other"  # an import, a call result, another name: cannot be judged


class EntryBinding(Record, frozen=True):
    """How the module binds the entry function's name, and where."""

    kind: BindingKind
    node: cst.CSTNode  # the node to report at
    statement: cst.CSTNode  # the top-level statement that binds it
    conditional: bool  # only bound on some paths through an if/try/loop/match
    definition: cst.FunctionDef | None = None


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
# Forms whose `value` is exactly what the name is bound to.
_WHOLE_VALUE = frozenset({Form.ASSIGNMENT, Form.ANNOTATED, Form.WALRUS})


def _value_kind(value: cst.BaseExpression) -> BindingKind:
    if isinstance(value, cst.Lambda):
        return BindingKind.LAMBDA
    if isinstance(value, _VALUE_NODES) or (isinstance(value, cst.Name) and value.value in ("None", "True", "False")):
        return BindingKind.VALUE
    return BindingKind.OTHER


def _kind(binding: Binding) -> BindingKind:
    if binding.form is Form.DEF:
        return BindingKind.FUNCTION
    if binding.form is Form.CLASS:
        return BindingKind.CLASS
    if binding.form in _WHOLE_VALUE and binding.value is not None:
        return _value_kind(binding.value)
    return BindingKind.OTHER


def _module_bindings(scopes: Scopes, name: str) -> list[Binding]:
    """The bindings of `name` that the module's own top-level code makes when the runtime
    imports it, in order (code under `if __name__ == "__main__":` never runs there)."""
    return [
        binding
        for binding in scopes.bindings_in(None).get(name, ())
        if binding.made_in is None and binding.binds_value and not _under_main_guard(scopes, binding)
    ]


def _under_main_guard(scopes: Scopes, binding: Binding) -> bool:
    statement = binding.statement
    if not isinstance(statement, cst.If) or not is_main_guard(statement.test):
        return False
    return any(node is binding.target for node in scopes.walker.descendants(statement.body))


def _alias_of(binding: Binding) -> str | None:
    """`main = handler`: the plain name a whole-value binding binds to."""
    value = binding.value
    if binding.form is Form.ASSIGNMENT and isinstance(value, cst.Name) and _value_kind(value) is BindingKind.OTHER:
        return value.value
    return None


def top_level_bindings(scopes: Scopes, name: str) -> list[EntryBinding]:
    """Every binding of `name` made by the module's top-level code, in order."""
    return [
        EntryBinding(
            _kind(binding),
            binding.target,
            binding.statement,
            binding.conditional,
            binding.definition,
        )
        for binding in _module_bindings(scopes, name)
    ]


def top_level_function_names(module: cst.Module) -> list[str]:
    return [s.name.value for s in module.body if isinstance(s, cst.FunctionDef)]


def effective_definitions(scopes: Scopes, name: str, following: frozenset[str] = frozenset()) -> list[cst.FunctionDef]:
    """The `def` statements that can be what `name` is bound to when the module is loaded,
    through aliases at the top level (`main = handler`)."""
    found: list[cst.FunctionDef] = []
    for binding in _module_bindings(scopes, name):
        alias = _alias_of(binding)
        if binding.definition is not None:
            found.append(binding.definition)
        elif alias is not None and alias not in following | {name}:
            found.extend(effective_definitions(scopes, alias, following | {name}))
    return found


def always_bound(scopes: Scopes, name: str) -> bool:
    """Whether every way through the module's top-level code binds `name`."""
    binders = {id(binding.enclosing) for binding in _module_bindings(scopes, name)}
    return _block_binds(scopes.module.body, binders)


def _block_binds(statements: Sequence[cst.CSTNode], binders: set[int]) -> bool:
    return any(_binds(statement, binders) for statement in statements)


def _body(block: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return block.body


def _binds(statement: cst.CSTNode, binders: set[int]) -> bool:
    """Whether running `statement` to its end certainly binds the name."""
    if isinstance(statement, cst.SimpleStatementLine):
        return any(id(small) in binders for small in statement.body)
    if isinstance(statement, (cst.BaseSmallStatement, cst.FunctionDef, cst.ClassDef)):
        return id(statement) in binders
    if isinstance(statement, cst.With):
        return id(statement) in binders or _block_binds(_body(statement.body), binders)
    if isinstance(statement, cst.If) and is_main_guard(statement.test):
        orelse = statement.orelse
        return isinstance(orelse, cst.Else) and _block_binds(_body(orelse.body), binders)
    if isinstance(statement, cst.If):
        orelse = statement.orelse
        if id(statement) in binders:  # a walrus in the test
            return True
        if orelse is None:
            return False
        else_block = [orelse] if isinstance(orelse, cst.If) else _body(orelse.body)
        return _block_binds(_body(statement.body), binders) and _block_binds(else_block, binders)
    if isinstance(statement, cst.Try):
        return _block_binds(_body(statement.body), binders) and all(
            _block_binds(_body(handler.body), binders) for handler in statement.handlers
        )
    return False
