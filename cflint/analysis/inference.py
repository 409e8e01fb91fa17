"""Evidence-based kinds of Python expressions (None, int, str, dict, Response...), as far as the source proves them.

`ValueInference.infer(expr, scopes)` answers with a `Value` only when the expression's
kind is certain: a literal or display, an f-string, the result of a call whose result
kind is documented (`json.dumps`, `str`, `dict`, `print`, `flask.jsonify` ...), a method
of a value whose kind is known (`[].append`), a call to a plain function of the same file
that never returns a value, an instance of an exception class (a builtin one, or a class
of the file deriving from them) or a name bound by `except ... as`, a name bound exactly
once to such an expression, or a helper's parameter that every caller in the root passes
an exception to (the call graph's `parameter_values`). Anything else is None: callers must then say nothing.
"""

from __future__ import annotations

import libcst as cst

from cflint.analysis.bindings import Binding, Form, ScopeNode
from cflint.analysis.callgraph import CallGraph, Function, OwnModule, Place
from cflint.analysis.exceptions import caught_exception, exception_instance
from cflint.analysis.flow import ControlFlow
from cflint.analysis.kinds import (
    BUILTIN_CALLABLES,
    CALL_RESULTS,
    JSON_TEXT_CALLS,
    METHOD_RESULTS,
    NEVER_RETURN_ANNOTATIONS,
    NEVER_RETURN_CALLS,
    NUMBERS,
    SUPPRESSING_CONTEXTS,
    Kind,
    Value,
    display_kind,
    literal_kind,
)
from cflint.analysis.scopes import CodeScope, Scopes
from cflint.analysis.scopes import ScopeChain as ScopeChain
from cflint.analysis.traversal import Walker
from cflint.record import Record

_NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
MAX_DEPTH = 16  # how many names or helper calls to follow for one expression

_ARITHMETIC = (cst.Add, cst.Subtract, cst.Multiply, cst.FloorDivide, cst.Modulo, cst.Power)


def _scope_node(scope: CodeScope) -> cst.FunctionDef | None:
    return None if isinstance(scope, cst.Module) else scope


def accepts_wsgi_call(params: cst.Parameters) -> bool:
    """Whether a function with these parameters can be called as `f(environ, start_response)`."""
    positional = (*params.posonly_params, *params.params)
    required = sum(1 for p in positional if p.default is None)
    if any(p.default is None for p in params.kwonly_params):
        return False
    return required <= 2 and (len(positional) >= 2 or isinstance(params.star_arg, cst.Param))


def own_nodes(function: cst.FunctionDef, walker: Walker) -> list[cst.CSTNode]:
    """The nodes of a function's body that belong to it, not to a nested def, lambda or class."""
    return list(walker.descendants(function.body, stop_at=_NESTED_SCOPES))


def is_generator(nodes: list[cst.CSTNode]) -> bool:
    return any(type(node) is cst.Yield for node in nodes)


class HelperReturns(Record, frozen=True):
    """What a call of a helper of the root returns: its `return` values, each with its scope
    chain, read with `inference` (that of the helper's module)."""

    function: Function
    values: list[tuple[cst.BaseExpression, ScopeChain]]
    inference: ValueInference


class _Ends:
    """Where the root's functions can run off their end, shared by the inferences of its modules:
    a helper's flow can lead back into a function being analysed in another module."""

    def __init__(self) -> None:
        self.known: dict[int, cst.CSTNode | None] = {}
        self.unknown: set[int] = set()
        self.in_progress: list[int] = []


class ValueInference:
    """Infers kinds for one module; bindings of each scope are computed once, when first needed.
    With the root's call graph (`graph`, whose module `own` this one is), calls into the root's
    other modules can be followed too (`helper_returns`)."""

    def __init__(
        self,
        walker: Walker,
        scopes: Scopes,
        graph: CallGraph | None = None,
        own: OwnModule | None = None,
        modules: dict[int, ValueInference] | None = None,
        ends: _Ends | None = None,
    ) -> None:
        self.walker = walker
        self.scopes = scopes
        self.graph = graph
        self.own = own if own is not None or graph is None else graph.home
        self._own_nodes: dict[int, list[cst.CSTNode]] = {}
        self._ends = _Ends() if ends is None else ends
        # One inference per module of the root, shared, as are the ends of its functions.
        self._modules = {} if modules is None else modules
        if self.own is not None:
            self._modules.setdefault(id(self.own), self)

    def nodes_of(self, function: cst.FunctionDef) -> list[cst.CSTNode]:
        found = self._own_nodes.get(id(function))
        if found is None:
            found = self._own_nodes[id(function)] = own_nodes(function, self.walker)
        return found

    def lookup(self, name: str, scopes: ScopeChain) -> tuple[Binding, ScopeChain] | None:
        """The only binding `name` can have where `scopes[0]` uses it, with that binding's scope chain."""
        found = self.scopes.sole_binding(name, _scope_node(scopes[0]))
        if found is None:
            return None
        where, binding = found
        if where is None and self.scopes.star_import:
            return None
        for index, scope in enumerate(scopes):
            if _scope_node(scope) is where:
                return binding, scopes[index:]
        return None

    def qualified(self, expr: cst.BaseExpression, scopes: ScopeChain) -> str | None:
        """The imported or builtin name `expr` refers to, None when a local binding shadows it."""
        return self.scopes.qualify(expr, _scope_node(scopes[0]))

    def function_of(self, expr: cst.BaseExpression, scopes: ScopeChain) -> tuple[cst.FunctionDef, ScopeChain] | None:
        """The function of this file a name refers to, with the scopes inside it, when a call
        of it runs its own body and gives its result (see `CallGraph.runs_its_body`)."""
        if not isinstance(expr, cst.Name):
            return None
        found = self.lookup(expr.value, scopes)
        if found is None:
            return None
        bound, chain = found
        definition = bound.definition
        if definition is None or definition.asynchronous is not None:
            return None
        if definition.decorators:
            graph, own = self.graph, self.own
            if graph is None or own is None or not graph.runs_its_body(Function(own, definition)):
                return None
        return definition, (definition, *chain)

    def helper_returns(self, call: cst.Call, scopes: ScopeChain) -> HelperReturns | None:
        """The `return` values of the plain function of the root that `call` runs, when each
        of its ways out is a `return` with a value (none falls off its end, it yields nothing);
        else None."""
        found = self._root_callee(call, scopes)
        if found is None:
            return None
        function, inference, chain = found
        nodes = inference.nodes_of(function.definition)
        returns = [node for node in nodes if type(node) is cst.Return]
        if is_generator(nodes) or not returns or any(r.value is None for r in returns):
            return None
        known, end = inference.end_of(function.definition, chain)
        if not known or end is not None:
            return None
        return HelperReturns(function, [(r.value, chain) for r in returns if r.value is not None], inference)

    def _root_callee(self, call: cst.Call, scopes: ScopeChain) -> tuple[Function, ValueInference, ScopeChain] | None:
        """The function of the root that `call` runs, with the inference of its module and
        the scope chain inside it; None when unknown or nested in another function."""
        graph, own = self.graph, self.own
        if graph is None or own is None:
            return None
        function = graph.callee(call, Place(own, _scope_node(scopes[0])))
        if function is None:
            return None
        inference = self.of_module(function.module)
        outer = (function.definition, function.module.module)
        if function.module is own:
            local = self.function_of(call.func, scopes)
            if local is not None and local[0] is function.definition:
                return function, self, local[1]
        nested = function.module.scopes.enclosing_scope(function.definition) is not None
        if nested and not inference._is_method(function.definition):
            return None
        return function, inference, outer

    def of_module(self, module: OwnModule) -> ValueInference:
        """The inference of a module of the root (this one's own, or another made once)."""
        if module is self.own:
            return self
        found = self._modules.get(id(module))
        if found is None:
            found = ValueInference(self.walker, module.scopes, self.graph, module, self._modules, self._ends)
        return found

    def _is_method(self, definition: cst.FunctionDef) -> bool:
        """Whether a function is a method of a class defined at the top of its module."""
        owner = self.scopes.enclosing_scope(definition)
        return isinstance(owner, cst.ClassDef) and self.scopes.enclosing_scope(owner) is None

    def infer(self, expr: cst.BaseExpression, scopes: ScopeChain, depth: int = 0) -> Value | None:
        if depth > MAX_DEPTH:
            return None
        kind = literal_kind(expr) or display_kind(expr)
        if kind is not None:
            return Value(kind)
        if isinstance(expr, cst.Lambda):
            return Value(Kind.FUNCTION, "a lambda", wsgi_callable=accepts_wsgi_call(expr.params))
        if isinstance(expr, cst.UnaryOperation):
            return self._unary(expr, scopes, depth)
        if isinstance(expr, cst.BinaryOperation):
            return self._binary(expr, scopes, depth)
        if isinstance(expr, cst.Name):
            return self._name(expr, scopes, depth)
        if isinstance(expr, cst.Call):
            return self._call(expr, scopes, depth)
        if isinstance(expr, cst.NamedExpr):
            return self.infer(expr.value, scopes, depth + 1)
        return None

    def _unary(self, expr: cst.UnaryOperation, scopes: ScopeChain, depth: int) -> Value | None:
        if isinstance(expr.operator, cst.Not):
            return Value(Kind.BOOL)
        operand = self.infer(expr.expression, scopes, depth + 1)
        if operand is None or operand.kind not in NUMBERS:
            return None
        return Value(Kind.INT if operand.kind is Kind.BOOL else operand.kind)

    def _binary(self, expr: cst.BinaryOperation, scopes: ScopeChain, depth: int) -> Value | None:
        left = self.infer(expr.left, scopes, depth + 1)
        if left is not None and left.kind is Kind.STR and isinstance(expr.operator, cst.Modulo):
            return Value(Kind.STR)
        right = self.infer(expr.right, scopes, depth + 1)
        if left is None or right is None:
            return None
        if left.kind is Kind.STR and right.kind is Kind.STR and isinstance(expr.operator, cst.Add):
            return Value(Kind.STR)
        if left.kind in NUMBERS and right.kind in NUMBERS and isinstance(expr.operator, (*_ARITHMETIC, cst.Divide)):
            if isinstance(expr.operator, cst.Divide):
                return Value(Kind.COMPLEX if Kind.COMPLEX in (left.kind, right.kind) else Kind.FLOAT)
            for kind in (Kind.COMPLEX, Kind.FLOAT):
                if kind in (left.kind, right.kind):
                    return Value(kind)
            if isinstance(expr.operator, cst.Power):
                return None  # 2 ** -1 is a float
            return Value(Kind.INT)
        return None

    def _name(self, expr: cst.Name, scopes: ScopeChain, depth: int) -> Value | None:
        caught = caught_exception(self, expr, scopes, depth)
        if caught is not None:
            return caught
        function = self.function_of(expr, scopes)
        if function is not None:
            wsgi = accepts_wsgi_call(function[0].params)
            return Value(Kind.FUNCTION, f"function {expr.value!r}", wsgi_callable=wsgi)
        qualified = self.qualified(expr, scopes) or ""
        if qualified.startswith("builtins.") and qualified.removeprefix("builtins.") in BUILTIN_CALLABLES:
            # Flask calls a callable as a WSGI app; a builtin fails on (environ, start_response).
            return Value(Kind.FUNCTION, f"the builtin {expr.value!r}")
        found = self.lookup(expr.value, scopes)
        if found is None:
            return None
        bound, chain = found
        if bound.form is Form.PARAMETER:
            return self._passed_exception(expr.value, chain, depth)
        if bound.value is None or bound.item:
            return None
        inner = self.infer(bound.value, chain, depth + 1)
        if inner is None:
            return None
        origin = f"{inner.origin}, via {expr.value!r}" if inner.origin else f"via {expr.value!r}"
        return Value(inner.kind, origin, inner.json_text, inner.wsgi_callable)

    def _passed_exception(self, name: str, chain: ScopeChain, depth: int) -> Value | None:
        """The exception the parameter `name` of `chain[0]` holds when every value it can
        have (its default, each call's argument in the root) is one."""
        graph, own, function = self.graph, self.own, chain[0]
        if graph is None or own is None or not isinstance(function, cst.FunctionDef) or depth >= MAX_DEPTH:
            return None
        values = graph.parameter_values(Function(own, function), name)
        if not values:
            return None
        passed: list[Value] = []
        for argument in values:
            inference = self.of_module(argument.place.module)
            scopes = inference._chain_of(argument.place.scope)
            value = None if scopes is None else inference.infer(argument.value, scopes, depth + 1)
            if value is None or value.kind is not Kind.EXCEPTION:
                return None
            passed.append(value)
        maybe_http = any(value.wsgi_callable for value in passed)
        return Value(Kind.EXCEPTION, f"{passed[0].origin}, passed as {name!r}", wsgi_callable=maybe_http)

    def _chain_of(self, scope: ScopeNode | None) -> ScopeChain | None:
        """The scope chain of code evaluated in `scope` of this module; None inside a lambda or a class body."""
        chain: list[CodeScope] = []
        while scope is not None:
            if not isinstance(scope, cst.FunctionDef):
                return None
            chain.append(scope)
            scope = self.scopes.enclosing_scope(scope)
        return (*chain, self.scopes.module)

    def _call(self, expr: cst.Call, scopes: ScopeChain, depth: int) -> Value | None:
        func = expr.func
        qualified = self.qualified(func, scopes)
        if qualified is not None:
            short = qualified.removeprefix("builtins.")
            if qualified in JSON_TEXT_CALLS:
                return Value(Kind.STR, f"{short}() text", json_text=True)
            kind = CALL_RESULTS.get(qualified)
            if kind is None:
                return exception_instance(self, func, scopes, depth) or self._other_module_result(expr, scopes, depth)
            return Value(kind, f"{short}() returns None" if kind is Kind.NONE else f"{short}() result")
        if isinstance(func, cst.Attribute):
            receiver = self.infer(func.value, scopes, depth + 1)
            if receiver is None:
                return None
            kind = METHOD_RESULTS.get(receiver.kind, {}).get(func.attr.value)
            if kind is None:
                return None
            method = f"{receiver.kind.value.split()[-1]}.{func.attr.value}()"
            return Value(kind, f"{method} returns None" if kind is Kind.NONE else f"{method} result")
        raised = exception_instance(self, func, scopes, depth)
        if raised is not None:
            return raised
        function = self.function_of(func, scopes)
        if function is not None:
            return self._result_of(function[0], function[1], depth)
        return self._other_module_result(expr, scopes, depth)

    def _other_module_result(self, call: cst.Call, scopes: ScopeChain, depth: int) -> Value | None:
        """What a call of a plain function of another module of the root gives, decided as for
        this file's functions (`_result_of`), with the helper's place named."""
        found = self._root_callee(call, scopes)
        if found is None or found[0].module is self.own or self.graph is None:
            return None
        function, inference, chain = found
        value = inference._result_of(function.definition, chain, depth)
        if value is None:
            return None
        return Value(value.kind, f"{value.origin}, at {self.graph.location(function)}")

    def _result_of(self, definition: cst.FunctionDef, chain: ScopeChain, depth: int) -> Value | None:
        """The kind every call of a plain function of this module gives, when it is certain:
        a generator, or None (it returns no value, or falls off its end)."""
        if is_generator(self.nodes_of(definition)):
            return Value(Kind.GENERATOR, f"{definition.name.value}() is a generator function")
        if depth < MAX_DEPTH and self.returns_none(definition, chain):
            return Value(Kind.NONE, f"{definition.name.value}() returns no value")
        return None

    def flow(self, scopes: ScopeChain) -> ControlFlow:
        """The control-flow analysis of code running in `scopes[0]`."""
        return ControlFlow(
            stops=lambda call: self.never_returns(call, scopes),
            suppresses=lambda item: (
                isinstance(item.item, cst.Call) and self.qualified(item.item.func, scopes) in SUPPRESSING_CONTEXTS
            ),
        )

    def fall_through(self, function: cst.FunctionDef, scopes: ScopeChain) -> cst.CSTNode | None:
        """Where control can run off the end of `function` (scopes: the function's own chain)."""
        return self.flow(scopes).block(function.body.body).falls_through

    def never_returns(self, call: cst.Call, scopes: ScopeChain) -> bool:
        """Whether a call certainly does not return: `sys.exit()`, `abort()`, or a function
        of the root that is annotated `NoReturn` or can only raise."""
        if self.qualified(call.func, scopes) in NEVER_RETURN_CALLS:
            return True
        function = self.function_of(call.func, scopes)
        if function is not None:
            return self._only_raises(*function)
        found = self._root_callee(call, scopes)
        if found is None or found[0].module is self.own:
            return False
        other, inference, chain = found
        return inference._only_raises(other.definition, chain)

    def _only_raises(self, definition: cst.FunctionDef, chain: ScopeChain) -> bool:
        """Whether a plain function of this module is annotated `NoReturn` or can only raise."""
        returns = definition.returns
        if returns is not None and self.qualified(returns.annotation, chain) in NEVER_RETURN_ANNOTATIONS:
            return True
        nodes = self.nodes_of(definition)
        if any(type(node) in (cst.Return, cst.Yield) for node in nodes):
            return False
        known, end = self.end_of(definition, chain)
        return known and end is None

    def returns_none(self, definition: cst.FunctionDef, chain: ScopeChain) -> bool:
        """Whether a plain, non-generator function of this file returns None whenever it returns."""
        nodes = self.nodes_of(definition)
        returns = [node for node in nodes if type(node) is cst.Return]
        if any(r.value is not None and literal_kind(r.value) is not Kind.NONE for r in returns):
            return False
        if returns:
            return True
        known, end = self.end_of(definition, chain)
        return known and end is not None

    def end_of(self, definition: cst.FunctionDef, chain: ScopeChain) -> tuple[bool, cst.CSTNode | None]:
        """Whether the fall-through of a function of the root is known, and where it is.
        Not known when its flow reaches a call back into a function being analysed
        (recursion): whether that call returns is the very question being answered."""
        ends = self._ends
        key = id(definition)
        if key in ends.known:
            return True, ends.known[key]
        if key in ends.unknown:
            return False, None
        if key in ends.in_progress:
            # Each function under analysis now waits on this unknown answer, through its calls.
            ends.unknown.update(ends.in_progress)
            return False, None
        ends.in_progress.append(key)
        try:
            end = self.fall_through(definition, chain)
        finally:
            ends.in_progress.pop()
        if key in ends.unknown:
            return False, None
        ends.known[key] = end
        return True, end
