from __future__ import annotations

import libcst as cst

from cflint.analysis.scoped_rule import ScopedRule
from cflint.knowledge.timeouts import NEEDS_TIMEOUT, TimeoutSpec
from cflint.rule import ParsedFile

# Last names of the callees: other method calls without a timeout= are skipped untraced.
_CANDIDATES = frozenset(path.rpartition(".")[2].removesuffix("()") for path in NEEDS_TIMEOUT)
_HTTPX = TimeoutSpec("timeout")  # httpx has a default timeout; only None removes it


def _is_none(value: cst.BaseExpression) -> bool:
    return isinstance(value, cst.Name) and value.value == "None"


def _timeout_problem(call: cst.Call, spec: TimeoutSpec, required: bool) -> str | None:
    """'without a timeout', 'with timeout=None', or None when a timeout is given or may be."""
    if spec.keyword is None:
        return "has no timeout and"
    positional = 0
    for arg in call.args:
        if arg.star:
            return None  # *args or **kwargs may hold the timeout
        if arg.keyword is None:
            positional += 1
        elif arg.keyword.value == spec.keyword:
            return f"with {spec.keyword}=None" if _is_none(arg.value) else None
    if spec.position is not None and positional > spec.position:
        value = [arg for arg in call.args if arg.keyword is None][spec.position].value
        return f"with {spec.keyword}=None" if _is_none(value) else None
    return "without a timeout" if required else None


class CallWithoutTimeout(ScopedRule):
    code = "CF403"
    name = "call-without-timeout"
    summary = "A network call or subprocess has no timeout and can outlive the function's time limit"
    message = "{call}() {problem} can wait past the function's execution time limit; {advice}"
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
    )

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        self._default_setters: set[int] = set()  # module-level socket.setdefaulttimeout(n) calls
        self._default_set = False

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
            and func.attr.value not in _CANDIDATES
            and not any(arg.keyword is not None and arg.keyword.value == "timeout" for arg in node.args)
        ):
            return
        origin = self.values.origin(func, self.scope)
        if origin is None:
            return
        path = origin.path
        spec = NEEDS_TIMEOUT.get(path)
        if spec is not None:
            if spec.socket_default and self._socket_default_applies():
                return
            problem = _timeout_problem(node, spec, required=True)
        elif path.startswith("httpx."):
            spec = _HTTPX
            problem = _timeout_problem(node, spec, required=False)
        else:
            return
        if problem is not None:
            self.report(node, call=_display(path), problem=problem, advice=spec.advice)

    def _socket_default_applies(self) -> bool:
        """A module-level socket.setdefaulttimeout(n) runs at import, before any function is
        called; at module level it covers the calls after it."""
        return self._default_set or (self.scope is not None and bool(self._default_setters))


def _display(path: str) -> str:
    return (
        path.replace("requests.Session().", "requests.Session.")
        .replace("AuthorizedSession().", "AuthorizedSession.")
        .replace("Popen().", "Popen.")
        .replace("build_opener().", "OpenerDirector.")
    )
