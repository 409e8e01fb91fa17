from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from cflint.analysis.scoped_rule import ScopedRule
from cflint.fix.model import Safety
from cflint.fix.proposal import Change, Replace
from cflint.knowledge.timeouts import NEEDS_TIMEOUT, TimeoutSpec
from cflint.rule import ParsedFile

# Last names of the callees: other method calls without a timeout= are skipped untraced.
_CANDIDATES = frozenset(path.rpartition(".")[2].removesuffix("()") for path in NEEDS_TIMEOUT)
_HTTPX = TimeoutSpec("timeout")  # httpx has a default timeout; only None removes it


def _is_none(value: cst.BaseExpression) -> bool:
    return isinstance(value, cst.Name) and value.value == "None"


def _timeout_literal(seconds: int | float) -> cst.BaseExpression:
    return cst.Integer(str(seconds)) if isinstance(seconds, int) else cst.Float(repr(float(seconds)))


def _timeout_fix(call: cst.Call, spec: TimeoutSpec, seconds: int | float) -> Change | None:
    """Replace the None given as timeout, or add `timeout=` after the last argument: the new
    argument takes over the last one's comma and what follows it (a comment, a line break)."""
    if spec.keyword is None:
        return None  # the call has no timeout to pass
    positional = [arg for arg in call.args if arg.keyword is None]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == spec.keyword:
            return Replace(arg.value, _timeout_literal(seconds)) if _is_none(arg.value) else None
    if spec.position is not None and len(positional) > spec.position:
        value = positional[spec.position].value
        return Replace(value, _timeout_literal(seconds)) if _is_none(value) else None
    added = cst.Arg(
        value=_timeout_literal(seconds),
        keyword=cst.Name(spec.keyword),
        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
    )
    if not call.args:
        return Replace(call, call.with_changes(args=(added,)))
    last = call.args[-1]
    one_per_line = _one_argument_a_line(call)
    if one_per_line is not None:
        return Replace(call, call.with_changes(args=(*call.args[:-1], *one_per_line(last, added))))
    added = added.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    last = last.with_changes(
        comma=cst.Comma(cst.SimpleWhitespace(""), cst.SimpleWhitespace(" ")),
        whitespace_after_arg=cst.SimpleWhitespace(""),
    )
    return Replace(call, call.with_changes(args=(*call.args[:-1], last, added)))


def _one_argument_a_line(call: cst.Call) -> Callable[[cst.Arg, cst.Arg], tuple[cst.Arg, cst.Arg]] | None:
    """For a call whose last argument ends in a comma and a line break, with the line break
    before it indented: put the new argument on a line of its own, as indented, keeping a
    comment after the last argument where it is."""
    last = call.args[-1]
    if not isinstance(last.comma, cst.Comma) or not isinstance(last.comma.whitespace_after, cst.ParenthesizedWhitespace):
        return None
    before = call.args[-2].comma if len(call.args) > 1 else None
    before_last = before.whitespace_after if isinstance(before, cst.Comma) else call.whitespace_before_args
    if not isinstance(before_last, cst.ParenthesizedWhitespace) or before_last.empty_lines:
        return None
    after_last = last.comma.whitespace_after

    def place(last: cst.Arg, added: cst.Arg) -> tuple[cst.Arg, cst.Arg]:
        assert isinstance(last.comma, cst.Comma)
        to_new_line = after_last.with_changes(indent=before_last.indent, last_line=before_last.last_line)
        to_closing = cst.ParenthesizedWhitespace(indent=after_last.indent, last_line=after_last.last_line)
        return (
            last.with_changes(comma=last.comma.with_changes(whitespace_after=to_new_line)),
            added.with_changes(comma=cst.Comma(cst.SimpleWhitespace(""), to_closing)),
        )

    return place


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
    fix_safety = Safety.UNSAFE
    fix_description = "pass timeout=<fix-timeout> seconds (the call can now time out)"
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
            fix = _timeout_fix(node, spec, self.context.settings.fix_timeout)
            self.report(node, call=_display(path), problem=problem, advice=spec.advice, fix=fix)

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
