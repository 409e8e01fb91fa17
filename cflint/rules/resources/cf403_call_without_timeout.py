from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import libcst as cst

from cflint.analysis.literals import string_value
from cflint.analysis.runtime import is_main_guard
from cflint.fix.edits import add_keyword_argument, replace_argument
from cflint.fix.proposal import Change
from cflint.knowledge import timeouts
from cflint.knowledge.timeouts import CALLEE_NAMES, Signature, TimeoutSpec, display_callee
from cflint.model import Safety
from cflint.rule import ParsedFile
from cflint.rule.scoped import ScopedRule

if TYPE_CHECKING:
    from cflint.analysis.callgraph import CallEdge

_HTTPX = TimeoutSpec("timeout")  # httpx has a default timeout; only None removes it


def _is_none(value: cst.BaseExpression) -> bool:
    return isinstance(value, cst.Name) and value.value == "None"


def _seconds_text(seconds: int | float) -> str:
    return str(seconds) if isinstance(seconds, int) else repr(float(seconds))


def _timeout_literal(seconds: int | float) -> cst.BaseExpression:
    return cst.Integer(_seconds_text(seconds)) if isinstance(seconds, int) else cst.Float(_seconds_text(seconds))


class _Bound(NamedTuple):
    """Where a call passes its timeout on one Python version: the index of the argument
    bound to the timeout parameter (None: not passed), and of the one bound to the
    connection string that can carry it too."""

    argument: int | None
    takes_keyword: bool  # the timeout can be added as a keyword argument
    url: int | None = None


class _Verdict(NamedTuple):
    problem: str  # 'without a timeout' or 'with timeout=None'
    fix: Change | None


def _bind(call: cst.Call, spec: TimeoutSpec, keyword: str, signature: Signature) -> _Bound | None:
    """Where `call` passes `keyword` when bound to `signature`; None when it cannot bind."""
    bound = signature.bind([arg.keyword.value if arg.keyword is not None else None for arg in call.args])
    if bound is None:
        return None
    return _Bound(
        bound.get(keyword), signature.takes_keyword(keyword), None if spec.url is None else bound.get(spec.url)
    )


def _bounded_otherwise(call: cst.Call, spec: TimeoutSpec, keyword: str) -> bool:
    """Whether another keyword bounds the wait (pymongo's `timeoutMS=`), or the timeout is
    given in another case than the data's, which a callee that ignores case reads too."""
    for arg in call.args:
        if arg.keyword is None:
            continue
        name = arg.keyword.value
        if spec.names(name, spec.bounded_by) and not _is_none(arg.value):
            return True
        if spec.any_case and name != keyword and spec.names(name, (keyword,)):
            return True
    return False


def _url_may_carry_timeout(value: cst.BaseExpression, spec: TimeoutSpec) -> bool:
    """Whether a connection string may set the timeout: one that is not a literal, or a
    literal that names the timeout's parameter (`postgresql://h/db?connect_timeout=10`)."""
    if _is_none(value):
        return False
    text = string_value(value)
    if not isinstance(text, str):
        return True
    lowered = text.lower()
    return any(name.lower() in lowered for name in (spec.keyword or "", *spec.bounded_by) if name)


def _verdict(
    call: cst.Call, spec: TimeoutSpec, signatures: Sequence[Signature] | None, seconds: int | float
) -> _Verdict | None:
    """What is wrong with `call`'s timeout and its fix, bound to the callee's signature on
    every target version; None when a timeout is given or may be. Without signatures (httpx)
    only `timeout=None` counts. A call that binds on no target version is left alone (it
    fails with a TypeError). The fix replaces the None in place, or adds the keyword, only
    when the call binds the same way on every target version."""
    if spec.keyword is None:
        return _Verdict("has no timeout and", None)
    if any(arg.star for arg in call.args):
        return None  # *args or **kwargs may hold the timeout
    keyword = spec.keyword
    if _bounded_otherwise(call, spec, keyword):
        return None
    if signatures is None:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == keyword:
                replace = replace_argument(arg.value, _timeout_literal(spec.argument(seconds)))
                return _Verdict(f"with {keyword}=None", replace) if _is_none(arg.value) else None
        return None
    bindings = [_bind(call, spec, keyword, signature) for signature in signatures]
    bound = [binding for binding in bindings if binding is not None]
    if not bound or any(b.argument is not None and not _is_none(call.args[b.argument].value) for b in bound):
        return None
    if any(b.url is not None and _url_may_carry_timeout(call.args[b.url].value, spec) for b in bound):
        return None
    first = bound[0]
    if first.argument is None and spec.default is not None:
        return None  # the callee's own default bounds it (CF404 judges that against the limit)
    problem = "without a timeout" if first.argument is None else f"with {keyword}=None"
    seconds = spec.argument(seconds)
    if len(bound) < len(bindings) or any(b.argument != first.argument for b in bound):
        return _Verdict(problem, None)
    if first.argument is not None:
        return _Verdict(problem, replace_argument(call.args[first.argument].value, _timeout_literal(seconds)))
    if all(b.takes_keyword for b in bound):
        return _Verdict(problem, add_keyword_argument(call, keyword, _timeout_literal(seconds)))
    return _Verdict(problem, None)


class CallWithoutTimeout(ScopedRule):
    code = "CF403"
    name = "call-without-timeout"
    summary = "A network call or subprocess has no timeout and can outlive the function's time limit"
    message = "{call}() {problem} can wait past the function's execution time limit{when}; {advice}"
    fix_safety = Safety.UNSAFE
    fix_description = "pass the timeout in seconds (the call can now time out)"
    requires_text = (
        "requests",
        "urlopen",
        "urlretrieve",
        "build_opener",
        "HTTPConnection",
        "HTTPSConnection",
        "subprocess",
        "httpx",
        "Popen",
        "system",
        "create_connection",
        "smtplib",
        "SMTP",
        "ftplib",
        "FTP",
        "redis",
        "AuthorizedSession",
        "psycopg2",
        "pymysql",
        "MongoClient",
        "cloudant",
        "Cloudant",
        "CouchDB",
        "pubsub",
        "bigquery",
    )

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        self._default_setters: set[int] = set()  # module-level socket.setdefaulttimeout(n) calls
        self._default_set = False
        self._at_import: dict[int, str] | None = None  # functions run at import: the call that runs them
        self._main_guard_nodes: set[int] | None = None

    def visit_Module(self, node: cst.Module) -> None:
        if "setdefaulttimeout" not in self.file.source:
            return
        names = self.scopes
        for statement in node.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                call = small.value if isinstance(small, cst.Expr) else None
                if (
                    isinstance(call, cst.Call)
                    and names.qualify(call.func) == "socket.setdefaulttimeout"
                    and call.args
                    and not _is_none(call.args[0].value)
                ):
                    self._default_setters.add(id(call))

    def visit_Call(self, node: cst.Call) -> None:
        if id(node) in self._default_setters:
            self._default_set = True
            return
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value not in CALLEE_NAMES  # other method calls without a timeout= are skipped untraced
            and not any(arg.keyword is not None and arg.keyword.value == "timeout" for arg in node.args)
        ):
            return
        origin = self.values.origin(func, self.scope)
        if origin is None:
            return
        path = origin.path
        spec = timeouts.NEEDS_TIMEOUT.get(path)
        signatures: list[Signature] | None = None
        if spec is not None:
            if spec.socket_default and self._socket_default_applies():
                return
            versioned = timeouts.SIGNATURES[path]
            signatures = [versioned.on(version) for version in self.context.settings.target_versions]
        elif path.startswith("httpx."):
            spec = _HTTPX
        else:
            return
        seconds = self.context.settings.fix_timeout
        verdict = _verdict(node, spec, signatures, seconds)
        if verdict is None:
            return
        self.report(
            node,
            call=display_callee(path),
            problem=verdict.problem,
            when="" if spec.waits_later else self._when(node),
            advice=spec.advice,
            fix=verdict.fix,
            fix_description=f"pass {spec.keyword}={_seconds_text(spec.argument(seconds))} (the call can now time out)",
        )

    def _when(self, node: cst.Call) -> str:
        """Whether the call runs when the module is imported, in the message's words."""
        scope = self.scope
        while isinstance(scope, cst.ClassDef):
            scope = self.scopes.enclosing_scope(scope)
        if scope is None:
            if id(node) in self._main_guarded():
                return ""
            return ", and runs when the module is imported, so the function cannot load while it waits"
        if not isinstance(scope, cst.FunctionDef):
            return ""
        start = self._functions_at_import().get(id(scope))
        if start is None:
            return ""
        return f", and runs when the module is imported ({start}), so the function cannot load while it waits"

    def _main_guarded(self) -> set[int]:
        """The nodes under a top-level `if __name__ == "__main__":`, which the runtime never runs."""
        if self._main_guard_nodes is None:
            self._main_guard_nodes = {
                id(node)
                for statement in self.file.module.body
                if isinstance(statement, cst.If) and is_main_guard(statement.test)
                for node in self.walker.descendants(statement.body)
            }
        return self._main_guard_nodes

    def _functions_at_import(self) -> dict[int, str]:
        """The functions of this file that module-level code of the root's modules runs at
        import, each with the module-level call that starts the chain (`main() at line 9
        reaches it`, `setup() at user.py:9 reaches it`)."""
        if self._at_import is None:
            graph = self.file.call_graph
            starts: dict[int, CallEdge] = {}  # each function's first call at import
            modules = [graph.home]
            if graph.named_elsewhere():
                modules.extend(module for module in graph.modules() or () if module is not graph.home)
            for module in modules:
                for edge in graph.import_time(module):
                    for reached in graph.reach(edge.callee, edge):
                        if reached.function.module is graph.home:
                            starts.setdefault(id(reached.function.definition), edge)
            self._at_import = {}
            for module in modules:
                edges = {key: edge for key, edge in starts.items() if edge.place.module is module}
                where = graph.locations_of(module, [edge.node for edge in edges.values()])
                for key, edge in edges.items():
                    self._at_import[key] = f"{edge.called} at {where[edge.node]} reaches it"
        return self._at_import

    def _socket_default_applies(self) -> bool:
        """A module-level socket.setdefaulttimeout(n) runs at import, before any function is
        called; at module level it covers the calls after it."""
        return self._default_set or (self.scope is not None and bool(self._default_setters))
