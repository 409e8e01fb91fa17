"""What Flask 3.1's `make_response` does with a value the entry function returns.

`ResponseJudge.judge(expr, scopes)` gives a `Problem` for each thing about a returned
expression that the evidence shows fails or is not a documented shape:

- CF201: not a response at all (None, a number or bool, a set, a function object);
- CF202: valid in Flask but undocumented on the platform (list, bytes, generator, Response);
- CF204: a malformed tuple (its length, status or headers element);
- CF205: a status number outside 100..599;
- CF206: a body that is None or a number, or a dict/list display JSON cannot encode;
- CF207: text made by `json.dumps`, which Flask serves as text/html.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from cflint.analysis.callgraph import MAX_DEPTH
from cflint.analysis.inference import ScopeChain, ValueInference
from cflint.analysis.kinds import NUMBERS, Kind, Value
from cflint.analysis.literals import int_value, short_code, string_value
from cflint.record import Record, replace
from cflint.rule import LineOf

_NOT_A_RESPONSE = NUMBERS | {Kind.NONE, Kind.SET, Kind.FUNCTION, Kind.RANGE, Kind.DICT_VIEW}
_NOT_A_BODY = _NOT_A_RESPONSE | {Kind.TUPLE, Kind.EXCEPTION}  # a tuple is unpacked only at the top
_UNDOCUMENTED = frozenset({Kind.LIST, Kind.BYTES, Kind.GENERATOR, Kind.RESPONSE})
_NOT_JSON = frozenset(
    {
        Kind.SET,
        Kind.BYTES,
        Kind.COMPLEX,
        Kind.FUNCTION,
        Kind.GENERATOR,
        Kind.RESPONSE,
        Kind.RANGE,
        Kind.DICT_VIEW,
        Kind.EXCEPTION,
    }
)
_NOT_A_STATUS = frozenset(Kind) - {Kind.INT, Kind.STR, Kind.NONE}
_NOT_HEADERS = NUMBERS | {
    Kind.STR,
    Kind.BYTES,
    Kind.SET,
    Kind.FUNCTION,
    Kind.GENERATOR,
    Kind.RESPONSE,
    Kind.RANGE,
    Kind.DICT_VIEW,
}
_HEADER_CONTAINERS = frozenset({Kind.DICT, Kind.LIST, Kind.TUPLE})
_KEY_CLASSES = {Kind.STR: "str", Kind.INT: "number", Kind.FLOAT: "number", Kind.BOOL: "number", Kind.NONE: "None"}
_BAD_KEYS = frozenset({Kind.BYTES, Kind.TUPLE, Kind.COMPLEX})
_LOWEST_STATUS, _HIGHEST_STATUS = 100, 599
_MAX_NESTING = 64  # displays nested deeper than this are not looked into


class Problem(Record, frozen=True):
    """A returned value Flask cannot turn into a response: the code to report, where, and why."""

    code: str
    node: cst.CSTNode
    detail: str | LineOf
    replacement: cst.BaseExpression | None = None  # CF206's fix for an exception object: its message


def _describe(value: Value) -> str:
    if value.origin and not value.origin.startswith(value.kind.value):
        return f"{value.kind.value} ({value.origin})"
    return value.origin or value.kind.value


def _unsendable(value: Value, expr: cst.BaseExpression) -> str:
    return (
        f"is {_describe(value)}, which Flask cannot send (it sends werkzeug's HTTPException alone): "
        f"send str({short_code(expr)}) instead"
    )


def _status_number(text: str) -> int | None:
    """The number Flask reads from a status str, None when it reads none (and sends status 0)."""
    try:
        return int(text.strip().partition(" ")[0])
    except ValueError:
        return None


def _text(node: cst.BaseExpression) -> str | None:
    value = string_value(node)
    return value if isinstance(value, str) else None


def _evidently_not_a_pair(item: cst.BaseExpression) -> bool:
    """Whether a headers item cannot unpack into (name, value)."""
    if isinstance(item, (cst.Tuple, cst.List)):
        return len(item.elements) != 2 and not any(isinstance(e, cst.StarredElement) for e in item.elements)
    text = string_value(item)
    if text is not None:
        return isinstance(text, bytes) or len(text) != 2  # a two-letter str unpacks, oddly
    if isinstance(item, cst.Name):
        return item.value in ("None", "True", "False")
    return isinstance(item, (cst.Integer, cst.Float, cst.Imaginary)) or int_value(item) is not None


# Codes a helper's returns carry to the entry's `return helper(...)`; CF207's fix rewrites
# the json.dumps call itself, which is in the helper.
_THROUGH_HELPERS = frozenset({"CF201", "CF202", "CF204", "CF205", "CF206"})


class ResponseJudge:
    """`following`: the helpers whose returns are being judged already (recursion ends there)."""

    def __init__(self, inference: ValueInference, following: frozenset[int] = frozenset()) -> None:
        self.inference = inference
        self._following = following

    def judge(self, expr: cst.BaseExpression, scopes: ScopeChain) -> Iterator[Problem]:
        while isinstance(expr, cst.IfExp):  # each branch is a value the function can return
            yield from self._judge_value(expr.body, scopes)
            expr = expr.orelse
        yield from self._judge_value(expr, scopes)

    def _judge_value(self, expr: cst.BaseExpression, scopes: ScopeChain) -> Iterator[Problem]:
        tuple_display = self._tuple_display(expr, scopes)
        if tuple_display is not None:
            display, chain = tuple_display
            for problem in self._tuple(display, chain):
                # A display made from `tuple([...])` is not in the tree: report at the call.
                yield replace(problem, node=expr) if problem.node is display and display is not expr else problem
            return
        value = self.inference.infer(expr, scopes)
        if value is None:
            if isinstance(expr, cst.Call):
                yield from self._through_helper(expr, scopes)
            return
        if value.kind is Kind.EXCEPTION:
            if not value.wsgi_callable:
                message = self._message_of(expr, scopes)
                status = cst.Tuple([cst.Element(message), cst.Element(cst.Integer("500"))]) if message else None
                yield Problem("CF206", expr, _unsendable(value, expr), status)
            return
        if value.kind in _NOT_A_RESPONSE and not value.wsgi_callable:
            yield Problem("CF201", expr, _describe(value))
        elif value.kind in _UNDOCUMENTED:
            yield Problem("CF202", expr, _describe(value))
        elif value.json_text:
            yield Problem("CF207", expr, value.origin)
        if isinstance(expr, (cst.Dict, cst.List)):
            yield from self._json(expr, scopes)

    def _through_helper(self, call: cst.Call, scopes: ScopeChain) -> Iterator[Problem]:
        """`return helper(...)`: the problems every `return` of the helper has (one kind of
        problem for all of them: a helper whose returns differ is not judged), reported at
        the call and naming the helper."""
        graph = self.inference.graph
        found = self.inference.helper_returns(call, scopes)
        if graph is None or found is None or len(self._following) >= MAX_DEPTH:
            return
        key = id(found.function.definition)
        if key in self._following:
            return
        judge = ResponseJudge(found.inference, self._following | {key})
        judged = [list(judge.judge(value, chain)) for value, chain in found.values]
        common = set(_THROUGH_HELPERS)
        for problems in judged:
            common &= {problem.code for problem in problems}
        if not common:
            return
        where = f"returned by {found.function.name}() at {graph.location(found.function)}"
        for problem in judged[0]:
            if problem.code in common:
                common.discard(problem.code)
                yield Problem(problem.code, call, f"{problem.detail}, {where}")

    def _tuple_display(self, expr: cst.BaseExpression, scopes: ScopeChain) -> tuple[cst.Tuple, ScopeChain] | None:
        """The tuple display `expr` is, or the one a name bound once is bound to, with its scopes;
        `tuple([a, b])` is read as the display `(a, b)`."""
        if isinstance(expr, cst.Tuple):
            return expr, scopes
        if (
            isinstance(expr, cst.Call)
            and len(expr.args) == 1
            and expr.args[0].keyword is None
            and not expr.args[0].star
            and isinstance(expr.args[0].value, (cst.List, cst.Tuple))
            and self.inference.qualified(expr.func, scopes) == "builtins.tuple"
        ):
            try:
                return cst.Tuple(elements=expr.args[0].value.elements), scopes
            except cst.CSTValidationError:
                return None
        if isinstance(expr, cst.Name):
            found = self.inference.lookup(expr.value, scopes)
            if found is not None:
                bound, chain = found
                if isinstance(bound.value, cst.Tuple) and not bound.item:
                    return bound.value, chain
        return None

    def _tuple(self, display: cst.Tuple, scopes: ScopeChain) -> Iterator[Problem]:
        elements = [element.value for element in display.elements]
        if any(isinstance(element, cst.StarredElement) for element in display.elements):
            return
        if len(elements) not in (2, 3):
            yield Problem(
                "CF204",
                display,
                f"it has {len(elements)} element{'s' if len(elements) != 1 else ''}; Flask takes "
                "(body, status), (body, headers) or (body, status, headers)",
            )
            return
        yield from self._body(elements[0], scopes)
        if len(elements) == 2 and self._reads_as_headers(elements[1], scopes):
            yield from self._headers(elements[1], "second", scopes)
            return
        yield from self._status(elements[1], self.inference.infer(elements[1], scopes))
        if len(elements) == 3:
            yield from self._headers(elements[2], "third", scopes)

    def _reads_as_headers(self, second: cst.BaseExpression, scopes: ScopeChain) -> bool:
        """Whether Flask takes a 2-tuple's second element as headers rather than a status."""
        if isinstance(second, (cst.Tuple, cst.List, cst.Dict)):
            return True
        value = self.inference.infer(second, scopes)
        return value is not None and value.kind in _HEADER_CONTAINERS

    def _body(self, body: cst.BaseExpression, scopes: ScopeChain) -> Iterator[Problem]:
        value = self.inference.infer(body, scopes)
        if value is not None:
            if value.kind is Kind.EXCEPTION and not value.wsgi_callable:
                yield Problem("CF206", body, _unsendable(value, body), self._message_of(body, scopes))
            elif value.kind in _NOT_A_BODY and not value.wsgi_callable:
                yield Problem("CF206", body, f"is {_describe(value)}")
            elif value.kind in _UNDOCUMENTED:
                yield Problem("CF202", body, f"a tuple whose body is {_describe(value)}")
            elif value.json_text:
                yield Problem("CF207", body, f"a tuple whose body is {value.origin}")
        if isinstance(body, (cst.Dict, cst.List)):
            yield from self._json(body, scopes)

    def _headers(self, headers: cst.BaseExpression, position: str, scopes: ScopeChain) -> Iterator[Problem]:
        if not isinstance(headers, (cst.Tuple, cst.List)):
            value = self.inference.infer(headers, scopes)
            if value is not None and value.kind in _NOT_HEADERS:
                yield Problem(
                    "CF204", headers, f"the headers element is {_describe(value)}, not a dict or list of pairs"
                )
            return
        for element in headers.elements:
            if not isinstance(element, cst.StarredElement) and _evidently_not_a_pair(element.value):
                kind = "tuple" if isinstance(headers, cst.Tuple) else "list"
                yield Problem(
                    "CF204",
                    element.value,
                    f"Flask reads a {kind} in the {position} place as headers, and "
                    f"{short_code(element.value)} is not a (name, value) pair",
                )
                return

    def _status(self, status: cst.BaseExpression, value: Value | None) -> Iterator[Problem]:
        number = int_value(status)
        text = _text(status)
        if text is not None:
            number = _status_number(text)
            if number is None:
                yield Problem("CF204", status, f"status {text!r} is not of the form 'NNN' or 'NNN REASON'")
                return
        if number is not None:
            if not _LOWEST_STATUS <= number <= _HIGHEST_STATUS:
                yield Problem("CF205", status, str(number))
            return
        if value is not None and value.kind in _NOT_A_STATUS:
            yield Problem("CF204", status, f"status is {_describe(value)}, not an int or a 'NNN REASON' str")

    def _json(self, display: cst.BaseExpression, scopes: ScopeChain, depth: int = 0) -> Iterator[Problem]:
        if depth > _MAX_NESTING:
            return
        if isinstance(display, (cst.Set, cst.SetComp)):
            yield Problem("CF206", display, "cannot be JSON-encoded: it contains a set")
            return
        if isinstance(display, (cst.List, cst.Tuple)):
            for element in display.elements:
                if not isinstance(element, cst.StarredElement):
                    yield from self._json(element.value, scopes, depth + 1)
            return
        if isinstance(display, cst.Dict):
            yield from self._dict(display, scopes, depth)
            return
        value = self.inference.infer(display, scopes)
        if value is not None and value.kind in _NOT_JSON:
            message = self._message_of(display, scopes) if value.kind is Kind.EXCEPTION else None
            hint = f": send str({short_code(display)}) instead" if value.kind is Kind.EXCEPTION else ""
            yield Problem("CF206", display, f"cannot be JSON-encoded: it contains {_describe(value)}{hint}", message)

    def _message_of(self, exception: cst.BaseExpression, scopes: ScopeChain) -> cst.Call | None:
        """`str(exception)`, when `str` is the builtin there."""
        if self.inference.qualified(cst.Name("str"), scopes) != "builtins.str":
            return None
        return cst.Call(cst.Name("str"), [cst.Arg(exception)])

    def _dict(self, display: cst.Dict, scopes: ScopeChain, depth: int) -> Iterator[Problem]:
        key_classes: dict[str, cst.BaseExpression] = {}
        for element in display.elements:
            if not isinstance(element, cst.DictElement):
                continue
            key = self.inference.infer(element.key, scopes)
            if key is not None and key.kind in _BAD_KEYS:
                yield Problem("CF206", element.key, f"cannot be JSON-encoded: a key is {_describe(key)}")
            elif key is not None and key.kind in _KEY_CLASSES:
                key_classes.setdefault(_KEY_CLASSES[key.kind], element.key)
            yield from self._json(element.value, scopes, depth + 1)
        if len(key_classes) > 1:
            first, second = list(key_classes)[:2]
            yield Problem(
                "CF206",
                key_classes[second],
                f"cannot be JSON-encoded: it mixes {first} and {second} keys, which Flask's sorted keys cannot order",
            )
