from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from cflint.analysis.bindings import SCOPE_TYPES, Form, ScopeNode
from cflint.analysis.callgraph import CallGraph, Function, Reached
from cflint.analysis.entry import effective_definitions
from cflint.analysis.flow import constant_truth
from cflint.analysis.numbers import known_number
from cflint.analysis.origins import ValueTracer
from cflint.analysis.traversal import Walker
from cflint.knowledge import timeouts
from cflint.knowledge.timeouts import CALLEE_NAMES, TimeoutSpec, display_callee
from cflint.project import FileContext
from cflint.rule.scoped import ScopedRule

_HTTPX = TimeoutSpec("timeout")
_SLEEP = "time.sleep"
_SOCKET_DEFAULT = "socket.setdefaulttimeout"
# Calls that end the loop they are in as a `return` does.
_EXITS = frozenset({"sys.exit", "os._exit", "builtins.exit", "builtins.quit"})
# Last names of the callees: other calls are skipped untraced.
_CANDIDATES = CALLEE_NAMES | {"sleep", "setdefaulttimeout"}
_SHORTER = "pass a timeout below it, or split the work across invocations"


def _seconds_text(seconds: int | float) -> str:
    return f"{seconds:g}"


class ExceedsTimeLimit(ScopedRule):
    code = "CF404"
    name = "exceeds-time-limit"
    summary = "A sleep, a timeout or a sleeping loop that cannot end before the function's time limit"
    message = "{what}, {reach} the function's time limit of {limit} s (time-limit); {remedy}"
    # A timeout by keyword names it; by position, the callee is named.
    requires_text = (
        "sleep",
        "timeout",
        "Timeout",
        "urlopen",
        "build_opener",
        "HTTPConnection",
        "HTTPSConnection",
        "create_connection",
        "smtplib",
        "ftplib",
        "redis",
        "Popen",
        "AuthorizedSession",
    )

    @property
    def _limit(self) -> int | float:
        return self.context.settings.time_limit

    @classmethod
    def applies_to(cls, context: FileContext, source: str) -> bool:
        """An entry module's functions may reach a loop in another module, whatever its own text."""
        return context.is_entry_module or super().applies_to(context, source)

    def _seconds(self, expr: cst.BaseExpression) -> int | float | None:
        found = known_number(expr, self.scope, self.values.binding_values)
        if found is None and isinstance(expr, cst.Name):
            return self._parameter_seconds(expr.value)
        return found

    def _parameter_seconds(self, name: str) -> int | float | None:
        """The longest value a parameter of the enclosing function is shown to take, through
        the call graph: its default and each argument the root's calls pass, all known."""
        scope = self.scope
        if not isinstance(scope, cst.FunctionDef):
            return None
        found = self.scopes.visible(name, scope)
        if found is None or found[0] is not scope or any(b.form is not Form.PARAMETER for b in found[1]):
            return None  # not the parameter, or rebound in the body
        graph = self.file.call_graph
        values = graph.parameter_values(Function(graph.home, scope), name)
        if not values:
            return None
        numbers = []
        for value in values:
            module = value.place.module
            tracer = self.values if module is graph.home else ValueTracer(module.scopes)
            number = known_number(value.value, value.place.scope, tracer.binding_values)
            if number is None:
                return None
            numbers.append(number)
        return max(numbers)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        last = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        if last not in _CANDIDATES:
            return
        origin = self.values.origin(func, self.scope)
        if origin is None:
            return
        path = origin.path
        if path in (_SLEEP, _SOCKET_DEFAULT):
            if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
                return
            seconds = self._seconds(node.args[0].value)
            if seconds is None or seconds < self._limit:
                return
            waited = node.args[0].value
            called = f"{_code(func)}({_code(waited)})"
            if known_number(waited, self.scope, self.values.binding_values) is None:
                called += f" with {_code(waited)} = {_seconds_text(seconds)}"  # a parameter's longest value
            if path == _SLEEP:
                what = f"{called} waits {_seconds_text(seconds)} s"
                remedy = "wait less, or split the work across invocations"
            else:
                what = f"{called} lets every socket wait {_seconds_text(seconds)} s"
                remedy = "set a default below it"
            self._report(node, what, "at or past", remedy)
            return
        spec = timeouts.NEEDS_TIMEOUT.get(path) or (_HTTPX if path.startswith("httpx.") else None)
        if spec is None or spec.keyword is None:
            return
        argument = _timeout_argument(node, spec.keyword, path, self.context.settings.target_versions)
        callee = display_callee(path)
        default = spec.default
        if argument is None and default is not None and default >= self._limit:
            if not any(arg.star for arg in node.args):
                what = f"{callee}() without {spec.keyword}= waits up to {_seconds_text(default)} s by default"
                self._report(node, what, "at or past", _SHORTER)
            return
        given = [] if argument is None else [(spec.keyword, argument)]
        given += [
            (arg.keyword.value, arg.value)
            for arg in node.args
            if arg.keyword is not None
            and arg.value is not argument
            and spec.names(arg.keyword.value, (spec.keyword, *spec.timeouts))
        ]
        for keyword, value in given:
            seconds = self._longest(value)
            if seconds is not None and spec.seconds(seconds) >= self._limit:
                waits = _seconds_text(spec.seconds(seconds))
                what = f"{callee}() with {keyword}={_code(value)} can wait {waits} s"
                self._report(node, what, "at or past", _SHORTER)
                return

    def _longest(self, argument: cst.BaseExpression) -> int | float | None:
        """The longest wait a timeout argument shows: a number, or the longest known one of a
        `(connect, read)` pair."""
        if isinstance(argument, cst.Tuple):
            known = [self._seconds(element.value) for element in argument.elements if isinstance(element, cst.Element)]
            numbers = [seconds for seconds in known if seconds is not None]
            return max(numbers) if numbers else None
        return self._seconds(argument)

    def leave_Module(self, original_node: cst.Module) -> None:
        """Sleeping loops without a way out, in the entry functions and in the functions of
        the root their calls reach: one in this file is reported where it is, one in another
        module at the entry's call that starts the chain."""
        if not self.context.entry_functions:
            return
        graph = self.file.call_graph
        reported: set[int] = set()
        for name in sorted(self.context.entry_functions):
            for definition in effective_definitions(self.scopes, name):
                for reached in graph.reach(Function(graph.home, definition)):
                    function = reached.function
                    if "sleep" not in function.module.source:
                        continue
                    tracer = self.values if function.module is graph.home else ValueTracer(function.module.scopes)
                    for loop in _endless_loops(function.definition, self.walker):
                        if id(loop) in reported or not _sleeps_without_exit(loop, function.definition, tracer):
                            continue
                        reported.add(id(loop))
                        self._report_loop(graph, reached, loop)

    def _report_loop(self, graph: CallGraph, reached: Reached, loop: cst.While) -> None:
        loop_text = f"`while {_code(loop.test)}:`"
        how = "sleeps on every pass and has no break, return or raise"
        remedy = "bound it by a deadline (time.monotonic()) or a number of tries"
        chain = reached.chain
        if reached.function.module is graph.home:
            through = f" in {reached.function.name}(), which the entry function calls," if chain else ""
            self._report(loop, f"{loop_text}{through} {how}", "so it runs until stopped at", remedy)
            return
        first = chain[0]
        where = graph.location_of(reached.function.module, loop)
        what = f"{first.callee.name}() reaches {loop_text} at {where}, which {how}"
        self._report(first.node, what, "so it runs until stopped at", remedy)

    def _report(self, node: cst.CSTNode, what: str, reach: str, remedy: str) -> None:
        self.report(node, what=what, reach=reach, limit=_seconds_text(self._limit), remedy=remedy)


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _timeout_argument(
    call: cst.Call, keyword: str, path: str, versions: Sequence[tuple[int, int]]
) -> cst.BaseExpression | None:
    """The expression `call` passes as its timeout: by keyword, or by position when the call
    binds it to the same argument on every target version."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    versioned = timeouts.SIGNATURES.get(path)
    if versioned is None or any(arg.star for arg in call.args):
        return None
    names = [arg.keyword.value if arg.keyword is not None else None for arg in call.args]
    indexes = set()
    for version in versions:
        bound = versioned.on(version).bind(names)
        indexes.add(None if bound is None else bound.get(keyword))
    index = indexes.pop() if len(indexes) == 1 else None
    return None if index is None else call.args[index].value


def _endless_loops(function: cst.FunctionDef, walker: Walker) -> list[cst.While]:
    """The `while True:` loops of a function's own body (not of functions nested in it)."""
    return [
        node
        for node in walker.descendants(function.body, stop_at=SCOPE_TYPES)
        if isinstance(node, cst.While) and constant_truth(node.test) is True
    ]


def _sleeps_without_exit(loop: cst.While, scope: ScopeNode, values: ValueTracer) -> bool:
    """Whether the loop's body calls time.sleep and nothing in it can end the loop: no
    `break` of this loop, no `return`, `raise` or process exit."""
    sleeps = False
    stack: list[tuple[cst.CSTNode, bool]] = [(loop.body, False)]
    while stack:
        node, inner = stack.pop()
        if isinstance(node, SCOPE_TYPES):
            continue
        if isinstance(node, (cst.Return, cst.Raise)) or (isinstance(node, cst.Break) and not inner):
            return False
        if isinstance(node, cst.Call):
            called = values.origin(node.func, scope)
            if called is not None and called.path in _EXITS:
                return False
            sleeps = sleeps or (called is not None and called.path == _SLEEP)
        if isinstance(node, (cst.For, cst.While)):
            # a break in an inner loop's body ends that loop; one in its else clause ends this one
            stack.extend((child, True) for child in node.children if child is not node.orelse)
            if node.orelse is not None:
                stack.append((node.orelse, inner))
        else:
            stack.extend((child, inner) for child in node.children)
    return sleeps
