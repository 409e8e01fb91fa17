"""Decorators that hand the runtime what the function returns, unchanged.

A decorated function's `return` statements say what the runtime gets only when every
decorator is transparent:

- a decorator known to wrap with `functools.wraps` and return the function's result as it
  is (`functions_framework.http`, `functions_framework.cloud_event`), and `functools.wraps(x)`,
  which returns the function itself;
- a plain function of the same module that returns its one required parameter (a
  registration decorator), or a wrapper it defines whose every return is that parameter
  called with the wrapper's own `*args` and `**kwargs` (or with nothing), directly or
  through a name bound once to that call;
- a call of a plain function of the same module whose every return is such a decorator
  defined in it (a decorator factory, `@register("name")`);
- such a function, or factory, of another module of the function root
  (`from helpers import logged`), found through the call graph.

The call graph asks the same question of a decorated helper (`DecoratorCheck`), so that a
call of it is followed like a call of a plain function.

Anything else (an import not listed, a wrapper that changes or replaces the result, one
that can run off its end) is opaque: the rules then say nothing about the function.
"""

from __future__ import annotations

import libcst as cst

from cflint.analysis.bindings import Binding, Form
from cflint.analysis.callgraph import CallGraph, Function, Place
from cflint.analysis.inference import ScopeChain, ValueInference, is_generator

# Read in functions-framework 3.x: each registers the function and returns a
# `functools.wraps` wrapper that returns `func(*args, **kwargs)`.
KNOWN_TRANSPARENT = frozenset({"functions_framework.http", "functions_framework.cloud_event"})
_WRAPS = "functools.wraps"


def transparent(definition: cst.FunctionDef, inference: ValueInference, chain: ScopeChain) -> bool:
    """Whether every decorator of `definition`, evaluated in `chain`, keeps what it returns."""
    return all(_transparent(decorator.decorator, inference, chain) for decorator in definition.decorators)


class DecoratorCheck:
    """`transparent` for the functions of a call graph (at the top of their modules), each
    decided once; while one is being decided it counts as opaque, so that a decorator whose
    answer needs its own (`@logged` on `logged`) is opaque."""

    def __init__(self, graph: CallGraph) -> None:
        self._inference = ValueInference(graph.walker, graph.home.scopes, graph)
        self._known: dict[int, bool] = {}

    def __call__(self, function: Function) -> bool:
        key = id(function.definition)
        if key not in self._known:
            self._known[key] = False
            inference = self._inference.of_module(function.module)
            self._known[key] = transparent(function.definition, inference, (function.module.module,))
        return self._known[key]


def _transparent(expr: cst.BaseExpression, inference: ValueInference, chain: ScopeChain) -> bool:
    if inference.qualified(expr, chain) in KNOWN_TRANSPARENT:
        return True
    if isinstance(expr, cst.Call):
        if inference.qualified(expr.func, chain) == _WRAPS:  # copies metadata onto the function itself
            return True
        factory = _function(expr.func, inference, chain)
        if factory is None:
            return False
        definition, at, inner = factory
        returned = _returned_values(definition, at, inner)
        return returned is not None and all(
            (decorator := _local_def(value, at, inner, definition)) is not None
            and _passes_through(decorator, at, (decorator, *inner))
            for value in returned
        )
    found = _function(expr, inference, chain)
    return found is not None and _passes_through(*found)


def _function(
    expr: cst.BaseExpression, inference: ValueInference, chain: ScopeChain
) -> tuple[cst.FunctionDef, ValueInference, ScopeChain] | None:
    """The plain function a decorator names: of this module, or of another module of the
    root (through the call graph), with the inference of its module and its scope chain."""
    found = inference.function_of(expr, chain)
    if found is not None:
        return found[0], inference, found[1]
    graph, own = inference.graph, inference.own
    if graph is None or own is None:
        return None
    scope = chain[0]
    # A decorator is called with the function: the graph resolves the callee of that call.
    function = graph.callee(cst.Call(expr), Place(own, None if isinstance(scope, cst.Module) else scope))
    if function is None or function.module is own:
        return None
    if function.module.scopes.enclosing_scope(function.definition) is not None:
        return None
    return function.definition, inference.of_module(function.module), (function.definition, function.module.module)


def _returned_values(
    definition: cst.FunctionDef, inference: ValueInference, chain: ScopeChain
) -> list[cst.BaseExpression] | None:
    """The values of every return of a function that cannot run off its end and returns
    something each time; None when it is not such a function."""
    nodes = inference.nodes_of(definition)
    if is_generator(nodes) or inference.fall_through(definition, chain) is not None:
        return None
    values = [node.value for node in nodes if type(node) is cst.Return]
    if not values or any(value is None for value in values):
        return None
    return [value for value in values if value is not None]


def _local_def(
    expr: cst.BaseExpression, inference: ValueInference, chain: ScopeChain, owner: cst.FunctionDef
) -> cst.FunctionDef | None:
    """The plain def, made in `owner`'s own body, that a returned name is bound to (once)."""
    if not isinstance(expr, cst.Name):
        return None
    found = inference.lookup(expr.value, chain)
    if found is None:
        return None
    binding, where = found
    definition = binding.definition
    if definition is None or where[0] is not owner or definition.asynchronous is not None:
        return None
    return definition


def _only_parameter(definition: cst.FunctionDef) -> cst.Param | None:
    """The one parameter a decorator is called with: the first positional one, when no
    other parameter is required."""
    params = definition.params
    positional = [*params.posonly_params, *params.params]
    if not positional or any(p.default is not None for p in positional[:1]):
        return None
    if any(p.default is None for p in (*positional[1:], *params.kwonly_params)):
        return None
    return positional[0]


def _passes_through(decorator: cst.FunctionDef, inference: ValueInference, chain: ScopeChain) -> bool:
    """Whether a decorator of this module returns its function, or a wrapper returning its result."""
    if decorator.decorators or decorator.asynchronous is not None:
        return False
    parameter = _only_parameter(decorator)
    if parameter is None:
        return False
    function = _parameter_binding(parameter.name.value, inference, chain)
    returned = _returned_values(decorator, inference, chain)
    if function is None or returned is None:
        return False
    for value in returned:
        if isinstance(value, cst.Name) and _parameter_binding(value.value, inference, chain) is function:
            continue
        wrapper = _local_def(value, inference, chain, decorator)
        if wrapper is None or not _wrapper_passes(wrapper, function, inference, (wrapper, *chain)):
            return False
    return True


def _parameter_binding(name: str, inference: ValueInference, chain: ScopeChain) -> Binding | None:
    """The parameter `name` refers to in `chain`, when nothing rebinds it."""
    found = inference.lookup(name, chain)
    if found is None or found[0].form is not Form.PARAMETER:
        return None
    return found[0]


def _wrapper_passes(wrapper: cst.FunctionDef, function: Binding, inference: ValueInference, chain: ScopeChain) -> bool:
    """Whether every return of `wrapper` gives the decorated function's result as it is."""
    if not all(inference.qualified(_called(d.decorator), chain[1:]) == _WRAPS for d in wrapper.decorators):
        return False
    returned = _returned_values(wrapper, inference, chain)
    return returned is not None and all(
        _forwarded_result(value, wrapper, function, inference, chain) for value in returned
    )


def _called(expr: cst.BaseExpression) -> cst.BaseExpression:
    return expr.func if isinstance(expr, cst.Call) else expr


def _forwarded_result(
    value: cst.BaseExpression, wrapper: cst.FunctionDef, function: Binding, inference: ValueInference, chain: ScopeChain
) -> bool:
    """`fn(*args, **kwargs)`, or a name bound once to it, in `wrapper`."""
    if isinstance(value, cst.Name):
        found = inference.lookup(value.value, chain)
        if found is None or found[1][0] is not wrapper:
            return False
        binding = found[0]
        if binding.form is not Form.ASSIGNMENT or binding.item or binding.value is None:
            return False
        value = binding.value
    if not isinstance(value, cst.Call) or not isinstance(value.func, cst.Name):
        return False
    if _parameter_binding(value.func.value, inference, chain) is not function:
        return False
    params = wrapper.params
    forwarded = {
        "*": params.star_arg.name.value if isinstance(params.star_arg, cst.Param) else None,
        "**": params.star_kwarg.name.value if params.star_kwarg is not None else None,
    }
    return all(
        arg.keyword is None
        and arg.star in forwarded
        and isinstance(arg.value, cst.Name)
        and arg.value.value == forwarded[arg.star]
        for arg in value.args
    )
