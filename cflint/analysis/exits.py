"""Where a function's own code ends the process: a call of `sys.exit()`, `exit()`, `quit()`,
`os._exit()` or `os.abort()`, or `raise SystemExit`, resolved through the module's bindings
(`from sys import exit as leave` is one; a function of the file named `exit` is not).

SystemExit is caught only by an `except` clause naming `SystemExit` or `BaseException`, a
bare `except:`, `contextlib.suppress` given one of those, or a `finally` block that returns
(or breaks or continues): an exit inside the `try` of such a statement is not reported, nor
one inside a `try` whose clause names anything but builtin classes. `os._exit()` and `os.abort()`
cannot be caught.

Through calls: an exit in a function of the root that the function's calls reach (the call
graph of `cflint.analysis.callgraph`) is one of the call that starts the chain.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from cflint.analysis.callgraph import CallEdge, CallGraph, Function
from cflint.analysis.inference import ScopeChain, ValueInference
from cflint.analysis.kinds import (
    PROCESS_EXIT_CALLS,
    SUPPRESSING_CONTEXTS,
    SYSTEM_EXIT_CATCHERS,
    UNCATCHABLE_EXIT_CALLS,
)
from cflint.analysis.literals import short_code
from cflint.record import Record

_NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_SWALLOWING = (cst.Return, cst.Break, cst.Continue)


class ThroughCalls(Record, frozen=True):
    """A call that reaches a process exit in another function, and the words for it."""

    node: cst.CSTNode
    what: str  # "calls stop() at line 3, which calls sys.exit(), whose SystemExit passes through Flask"


class ProcessExit(Record, frozen=True):
    """A call or `raise` that ends the process, and how to name it in a message."""

    node: cst.CSTNode
    what: str  # for messages: "calls sys.exit(), whose SystemExit passes through Flask"
    catchable: bool = True  # raises SystemExit, which a handler can catch


def process_exits(function: cst.FunctionDef, inference: ValueInference, chain: ScopeChain) -> list[ProcessExit]:
    """The process exits in `function`'s own code (not in functions nested in it) that
    nothing in it catches; `chain` is the function's own scope chain."""
    found: list[ProcessExit] = []
    for node, caught in _own_nodes(function, inference, chain):
        exit_ = _exit(node, inference, chain)
        if exit_ is not None and (not caught or not exit_.catchable):
            found.append(exit_)
    return found


def exits_through_calls(start: Function, inference: ValueInference) -> list[ThroughCalls]:
    """Each call of `start` into the root's functions that reaches an uncaught process exit
    (through the call graph, within its bounds), in the order they are written; a call along
    the chain that sits where SystemExit is caught ends it. `inference` is that of `start`'s module."""
    graph = inference.graph
    if graph is None:
        return []
    caught_calls: dict[int, set[int]] = {}
    # What a callee reaches does not depend on the call that runs it: one search per callee.
    exits_of: dict[int, tuple[tuple[CallEdge, ...], ProcessExit] | None] = {}
    found: list[ThroughCalls] = []
    for edge in graph.calls_in(start):
        if id(edge.node) in _caught_calls(edge, inference, caught_calls):
            continue
        key = id(edge.callee.definition)
        if key not in exits_of:
            exits_of[key] = _first_exit(graph, edge, inference, caught_calls)
        reached = exits_of[key]
        if reached is not None:
            chain, exit_ = reached
            found.append(ThroughCalls(edge.node, _through(graph, (edge, *chain[1:]), exit_)))
    return found


def _first_exit(
    graph: CallGraph, first: CallEdge, inference: ValueInference, caught_calls: dict[int, set[int]]
) -> tuple[tuple[CallEdge, ...], ProcessExit] | None:
    """The first function (breadth first) that `first`'s callee reaches with an uncaught
    process exit, with the chain of calls from `first`, and that exit."""
    for reached in graph.reach(first.callee, first):
        if any(id(edge.node) in _caught_calls(edge, inference, caught_calls) for edge in reached.chain[1:]):
            continue
        function = reached.function
        exits = process_exits(function.definition, inference.of_module(function.module), _chain_of(function))
        if exits:
            return reached.chain, exits[0]
    return None


def _through(graph: CallGraph, chain: tuple[CallEdge, ...], exit_: ProcessExit) -> str:
    first, last = chain[0].callee, chain[-1].callee
    words = f"calls {first.name}() at {graph.location(first)}"
    if len(chain) > 1:
        words += f", which reaches {last.name}() at {graph.location(last)}"
    return f"{words}, which {exit_.what}"


def _chain_of(function: Function) -> ScopeChain:
    return (function.definition, function.module.module)


def _caught_calls(edge: CallEdge, inference: ValueInference, cache: dict[int, set[int]]) -> set[int]:
    """The calls of the function `edge` is made in that sit where SystemExit is caught."""
    function = edge.place.scope
    if not isinstance(function, cst.FunctionDef):
        return set()
    key = id(function)
    if key not in cache:
        module_inference = inference.of_module(edge.place.module)
        chain = (function, edge.place.module.module)
        cache[key] = {
            id(node)
            for node, caught in _own_nodes(function, module_inference, chain)
            if caught and type(node) is cst.Call
        }
    return cache[key]


def _own_nodes(
    function: cst.FunctionDef, inference: ValueInference, chain: ScopeChain
) -> Iterator[tuple[cst.CSTNode, bool]]:
    """The nodes of a function's own code, each with whether SystemExit raised there is caught in it."""
    walker = inference.walker
    stack: list[tuple[cst.CSTNode, bool]] = [(child, False) for child in reversed(walker.children(function.body))]
    while stack:
        node, caught = stack.pop()
        if isinstance(node, _NESTED_SCOPES):
            continue
        yield node, caught
        children = walker.children(node)
        inner = caught
        if isinstance(node, (cst.Try, cst.TryStar)):
            inner = caught or _try_catches(node, inference, chain)
        elif isinstance(node, cst.With) and any(_suppresses(item, inference, chain) for item in node.items):
            inner = True
        body = getattr(node, "body", None) if isinstance(node, (cst.Try, cst.TryStar, cst.With)) else None
        stack.extend((child, inner if child is body else caught) for child in reversed(children))


def _exit(node: cst.CSTNode, inference: ValueInference, chain: ScopeChain) -> ProcessExit | None:
    if isinstance(node, cst.Call):
        qualified = inference.qualified(node.func, chain)
        if qualified in PROCESS_EXIT_CALLS:
            name = qualified.removeprefix("builtins.")
            spelled = short_code(node.func)
            called = f"{name}()" if spelled == name else f"{spelled}() ({name})"
            if qualified in UNCATCHABLE_EXIT_CALLS:
                return ProcessExit(node, f"calls {called}, which ends the process at once", catchable=False)
            return ProcessExit(node, f"calls {called}, whose SystemExit passes through Flask")
    elif isinstance(node, cst.Raise) and node.exc is not None:
        raised = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
        if inference.qualified(raised, chain) == "builtins.SystemExit":
            return ProcessExit(node, "raises SystemExit, which passes through Flask")
    return None


def _may_catch_system_exit(classes: cst.BaseExpression | None, inference: ValueInference, chain: ScopeChain) -> bool:
    """Whether an `except` clause with this class expression (None: bare) may catch SystemExit:
    any name but a builtin class other than SystemExit and BaseException may (an imported
    name can be a tuple holding BaseException)."""
    if classes is None:
        return True
    elements = [element.value for element in classes.elements] if isinstance(classes, cst.Tuple) else [classes]
    for element in elements:
        qualified = inference.qualified(element, chain)
        if qualified is None or not qualified.startswith("builtins.") or qualified in SYSTEM_EXIT_CATCHERS:
            return True
    return False


def _try_catches(statement: cst.Try | cst.TryStar, inference: ValueInference, chain: ScopeChain) -> bool:
    if any(_may_catch_system_exit(handler.type, inference, chain) for handler in statement.handlers):
        return True
    final = statement.finalbody
    return final is not None and any(
        isinstance(node, _SWALLOWING) for node in inference.walker.descendants(final, stop_at=_NESTED_SCOPES)
    )


def _suppresses(item: cst.WithItem, inference: ValueInference, chain: ScopeChain) -> bool:
    call = item.item
    if not isinstance(call, cst.Call) or inference.qualified(call.func, chain) not in SUPPRESSING_CONTEXTS:
        return False
    return any(arg.star or _may_catch_system_exit(arg.value, inference, chain) for arg in call.args)
