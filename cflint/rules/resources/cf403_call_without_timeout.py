from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from cflint.analysis.scoped_rule import ScopedRule
from cflint.fix.model import Safety
from cflint.fix.proposal import Change, Replace

_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")


@dataclass(frozen=True)
class _Timeout:
    """Where a call takes its timeout: by keyword, and at `position` if it can be positional."""

    position: int | None = None


# Calls that wait without limit unless given a timeout, by `Origin.path` of the callee.
_NEEDS_TIMEOUT: dict[str, _Timeout] = {
    **{f"requests.{verb}": _Timeout() for verb in (*_HTTP_VERBS, "request")},
    **{f"requests.Session().{verb}": _Timeout() for verb in _HTTP_VERBS},
    "requests.Session().request": _Timeout(8),
    "urllib.request.urlopen": _Timeout(2),
    "urllib.request.build_opener().open": _Timeout(2),
    "http.client.HTTPConnection": _Timeout(2),
    "http.client.HTTPSConnection": _Timeout(4),
    **{f"subprocess.{name}": _Timeout() for name in ("run", "call", "check_call", "check_output")},
    "subprocess.Popen().communicate": _Timeout(1),
}

# Last names of those callees: other method calls without a timeout= are skipped untraced.
_CANDIDATES = frozenset(path.rpartition(".")[2] for path in _NEEDS_TIMEOUT)


def _is_none(value: cst.BaseExpression) -> bool:
    return isinstance(value, cst.Name) and value.value == "None"


def _timeout_literal(seconds: int | float) -> cst.BaseExpression:
    return cst.Integer(str(seconds)) if isinstance(seconds, int) else cst.Float(repr(float(seconds)))


def _timeout_fix(call: cst.Call, spec: _Timeout | None, seconds: int | float) -> Change | None:
    """Replace the None given as timeout, or add `timeout=` after the last argument: the new
    argument takes over the last one's comma and what follows it (a comment, a line break)."""
    positional = [arg for arg in call.args if arg.keyword is None]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "timeout":
            return Replace(arg.value, _timeout_literal(seconds)) if _is_none(arg.value) else None
    if spec is not None and spec.position is not None and len(positional) > spec.position:
        value = positional[spec.position].value
        return Replace(value, _timeout_literal(seconds)) if _is_none(value) else None
    added = cst.Arg(
        value=_timeout_literal(seconds),
        keyword=cst.Name("timeout"),
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


def _timeout_problem(call: cst.Call, spec: _Timeout | None) -> str | None:
    """'without a timeout', 'with timeout=None', or None when a timeout is given or may be."""
    positional = 0
    for arg in call.args:
        if arg.star:
            return None  # *args or **kwargs may hold the timeout
        if arg.keyword is None:
            positional += 1
        elif arg.keyword.value == "timeout":
            return "with timeout=None" if _is_none(arg.value) else None
    if spec is None:
        return None
    if spec.position is not None and positional > spec.position:
        value = [arg for arg in call.args if arg.keyword is None][spec.position].value
        return "with timeout=None" if _is_none(value) else None
    return "without a timeout"


class CallWithoutTimeout(ScopedRule):
    code = "CF403"
    name = "call-without-timeout"
    summary = "A network call or subprocess has no timeout and can outlive the function's time limit"
    message = "{call}() {problem} can wait past the function's execution time limit; pass timeout= in seconds"
    fix_safety = Safety.UNSAFE
    fix_description = "pass timeout=<fix-timeout> seconds (the call can now time out)"
    requires_text = (
        "requests",
        "urlopen",
        "build_opener",
        "HTTPConnection",
        "HTTPSConnection",
        "subprocess",
        "httpx",
        "Popen",
    )

    def visit_Call(self, node: cst.Call) -> None:
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
        if path in _NEEDS_TIMEOUT:
            spec: _Timeout | None = _NEEDS_TIMEOUT[path]
        elif path.startswith("httpx."):
            spec = None  # httpx has a default timeout; only None removes it
        else:
            return
        problem = _timeout_problem(node, spec)
        if problem is not None:
            fix = _timeout_fix(node, spec, self.context.settings.fix_timeout)
            self.report(node, call=_display(path), problem=problem, fix=fix)


def _display(path: str) -> str:
    return (
        path.replace("requests.Session().", "requests.Session.")
        .replace("Popen().", "Popen.")
        .replace("build_opener().", "OpenerDirector.")
    )
