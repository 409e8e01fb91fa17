from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from cflint.analysis.entry import effective_definitions
from cflint.analysis.flow import constant_truth
from cflint.analysis.numbers import known_number
from cflint.knowledge.timeouts import NEEDS_TIMEOUT, SIGNATURES, TimeoutSpec, display_callee
from cflint.rule import ParsedFile
from cflint.rule.scoped import ScopedRule

_HTTPX = TimeoutSpec("timeout")
_SLEEP = "time.sleep"
_SOCKET_DEFAULT = "socket.setdefaulttimeout"
# Calls that end the loop they are in as a `return` does.
_EXITS = frozenset({"sys.exit", "os._exit", "builtins.exit", "builtins.quit"})
# Last names of the callees: other calls are skipped untraced.
_CANDIDATES = frozenset(
    {"sleep", "setdefaulttimeout", *(path.rpartition(".")[2].removesuffix("()") for path in NEEDS_TIMEOUT)}
)
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

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        self._entries: frozenset[int] | None = None

    @property
    def _limit(self) -> int | float:
        return self.context.settings.time_limit

    def _seconds(self, expr: cst.BaseExpression) -> int | float | None:
        return known_number(expr, self.scope, self.values.binding_values)

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
            called = f"{_code(func)}({_code(node.args[0].value)})"
            if path == _SLEEP:
                what = f"{called} waits {_seconds_text(seconds)} s"
                remedy = "wait less, or split the work across invocations"
            else:
                what = f"{called} lets every socket wait {_seconds_text(seconds)} s"
                remedy = "set a default below it"
            self._report(node, what, "at or past", remedy)
            return
        spec = NEEDS_TIMEOUT.get(path) or (_HTTPX if path.startswith("httpx.") else None)
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

    def visit_While(self, node: cst.While) -> None:
        if constant_truth(node.test) is not True or not self._in_entry():
            return
        sleeps, exits = self._scan_loop(node)
        if sleeps and not exits:
            what = f"`while {_code(node.test)}:` sleeps on every pass and has no break, return or raise"
            remedy = "bound it by a deadline (time.monotonic()) or a number of tries"
            self._report(node, what, "so it runs until stopped at", remedy)

    def _in_entry(self) -> bool:
        if self._entries is None:
            self._entries = frozenset(
                id(definition)
                for name in self.context.entry_functions
                for definition in effective_definitions(self.scopes, name)
            )
        return self.scope is not None and id(self.scope) in self._entries

    def _scan_loop(self, loop: cst.While) -> tuple[bool, bool]:
        """Whether the loop's body calls time.sleep, and whether anything in it can end the
        loop: a `break` of this loop, a `return`, a `raise` or a process exit."""
        sleeps = exits = False
        stack: list[tuple[cst.CSTNode, bool]] = [(loop.body, False)]
        while stack:
            node, inner = stack.pop()
            if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                continue
            if isinstance(node, (cst.Return, cst.Raise)) or (isinstance(node, cst.Break) and not inner):
                exits = True
            elif isinstance(node, cst.Call):
                called = self.values.origin(node.func, self.scope)
                sleeps = sleeps or (called is not None and called.path == _SLEEP)
                exits = exits or (called is not None and called.path in _EXITS)
            if isinstance(node, (cst.For, cst.While)):
                # a break in an inner loop's body ends that loop; one in its else clause ends this one
                stack.extend((child, True) for child in node.children if child is not node.orelse)
                if node.orelse is not None:
                    stack.append((node.orelse, inner))
            else:
                stack.extend((child, inner) for child in node.children)
        return sleeps, exits

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
    versioned = SIGNATURES.get(path)
    if versioned is None or any(arg.star for arg in call.args):
        return None
    names = [arg.keyword.value if arg.keyword is not None else None for arg in call.args]
    indexes = set()
    for version in versions:
        bound = versioned.on(version).bind(names)
        indexes.add(None if bound is None else bound.get(keyword))
    index = indexes.pop() if len(indexes) == 1 else None
    return None if index is None else call.args[index].value
