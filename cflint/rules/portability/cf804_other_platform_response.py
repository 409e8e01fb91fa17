"""CF804: the entry function returns another platform's response dict, which Flask sends as JSON."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from cflint.analysis.bindings import Form
from cflint.analysis.decorators import transparent
from cflint.analysis.entry import effective_definitions
from cflint.analysis.inference import ScopeChain, ValueInference
from cflint.analysis.kinds import Kind
from cflint.analysis.literals import int_value, string_value
from cflint.analysis.scopes import Scopes
from cflint.fix.proposal import Replace
from cflint.model import Safety, Severity
from cflint.record import Record
from cflint.rule import Rule

# The keys of the response dicts of AWS Lambda (API Gateway), OpenWhisk web actions and OpenFaaS.
_RESPONSE_KEYS = frozenset(
    {"statusCode", "status", "body", "headers", "isBase64Encoded", "multiValueHeaders", "cookies"}
)
_STATUS_KEYS = ("statusCode", "status")
_FIXABLE_BODIES = frozenset({Kind.STR, Kind.DICT})
_LOWEST_STATUS, _HIGHEST_STATUS = 100, 599
_MAX_HELPERS = 8  # how many local helpers deep a return is followed


class ResponseDict(Record, frozen=True):
    """A returned dict display with another platform's response keys, by key."""

    node: cst.BaseExpression  # what is reported: the returned expression
    display: cst.Dict
    parts: dict[str, cst.BaseExpression]
    closed: bool  # every key is a literal: no `**other`
    scopes: ScopeChain
    helper: str | None  # the local function whose return it is, when not the entry function
    serialized: bool = False  # returned as `json.dumps(...)` of the dict


def _shape(keys: frozenset[str]) -> str | None:
    """The platform a response dict with these keys is written for; None when it is not one."""
    if "body" not in keys or not keys <= _RESPONSE_KEYS:
        return None
    if "statusCode" in keys:
        return "an AWS Lambda / API Gateway (or OpenWhisk web action) response"
    if "status" in keys:
        return "an OpenFaaS response"
    if "headers" in keys:
        return "an API gateway (Lambda or OpenWhisk web action) response"
    return None


def _literal_parts(display: cst.Dict) -> tuple[dict[str, cst.BaseExpression], bool] | None:
    """The dict display's values by key, and whether it has no `**` element; None when a key is not a str literal."""
    parts: dict[str, cst.BaseExpression] = {}
    closed = True
    for element in display.elements:
        if not isinstance(element, cst.DictElement):
            closed = False
            continue
        key = string_value(element.key)
        if not isinstance(key, str) or key in parts:
            return None
        parts[key] = element.value
    return parts, closed


def _evident(found: ResponseDict, inference: ValueInference) -> bool:
    """Whether the values confirm the shape the keys suggest. A JSON envelope of the function's
    own has keys like these with other values: `{"status": "error", "body": ...}`, or an echo's
    `{"headers": dict(request.headers), "body": ...}`; a gateway's status is a number, and
    headers without a status are a dict written out."""
    for key in _STATUS_KEYS:
        if key in found.parts:
            status = inference.infer(found.parts[key], found.scopes)
            return status is None or status.kind is Kind.INT
    return isinstance(found.parts.get("headers"), cst.Dict)


class _Finder:
    """The response dicts an entry function returns, itself or through the local helpers it returns."""

    def __init__(self, inference: ValueInference) -> None:
        self.inference = inference

    def returned(
        self, definition: cst.FunctionDef, scopes: ScopeChain, seen: frozenset[int], helper: str | None = None
    ) -> Iterator[ResponseDict]:
        """The response dicts `definition` returns; `helper` is its name when it is not the entry function."""
        if len(seen) > _MAX_HELPERS:
            return
        for node in self.inference.nodes_of(definition):
            if type(node) is cst.Return and node.value is not None:
                yield from self._value(node.value, scopes, seen | {id(definition)}, helper)

    def _value(
        self, value: cst.BaseExpression, scopes: ScopeChain, seen: frozenset[int], helper: str | None
    ) -> Iterator[ResponseDict]:
        display = self._display(value, scopes)
        if display is not None:
            found = _literal_parts(display)
            if found is not None:
                yield ResponseDict(value, display, found[0], found[1], scopes, helper)
            return
        dumped = self._dumped(value, scopes)
        if dumped is not None:
            found = _literal_parts(dumped)
            if found is not None:
                yield ResponseDict(value, dumped, found[0], found[1], scopes, helper, serialized=True)
            return
        if isinstance(value, cst.Call):
            called = self.inference.function_of(value.func, scopes)
            if called is not None and id(called[0]) not in seen:
                yield from self.returned(called[0], called[1], seen, called[0].name.value)

    def _dumped(self, value: cst.BaseExpression, scopes: ScopeChain) -> cst.Dict | None:
        """The dict display a `json.dumps(...)` call serializes, as `_display` finds it."""
        if not isinstance(value, cst.Call) or not value.args or value.args[0].keyword or value.args[0].star:
            return None
        if self.inference.qualified(value.func, scopes) != "json.dumps":
            return None
        return self._display(value.args[0].value, scopes)

    def _display(self, value: cst.BaseExpression, scopes: ScopeChain) -> cst.Dict | None:
        """The dict display returned: the value itself, or the display a local name is bound to once."""
        if isinstance(value, cst.Dict):
            return value
        if not isinstance(value, cst.Name):
            return None
        found = self.inference.lookup(value.value, scopes)
        if found is None or found[1][0] is not scopes[0] or isinstance(scopes[0], cst.Module):
            return None
        binding = found[0]
        if binding.form not in (Form.ASSIGNMENT, Form.ANNOTATED) or binding.item:
            return None
        return binding.value if isinstance(binding.value, cst.Dict) else None


class OtherPlatformResponse(Rule):
    code = "CF804"
    name = "other-platform-response"
    summary = "The entry function returns another platform's response dict, which is sent as JSON with status 200"
    message = (
        "entry function {function!r} returns{through} {shape} dict ({keys}){form}; this runtime sends {sent} "
        "with status 200, so its status and headers are lost: return (body, status, headers) instead"
    )
    severity = Severity.ERROR
    entry_modules_only = True
    requires_text = ("body",)
    fix_safety = Safety.UNSAFE
    fix_description = (
        "return (body, status, headers), the response the dict stood for "
        "(the client gets the body alone, with that status and those headers)"
    )

    def visit_Module(self, node: cst.Module) -> None:
        inference = ValueInference(self.walker, self.file.analysis(Scopes), self.file.call_graph)
        finder = _Finder(inference)
        reported: set[int] = set()
        for name in sorted(self.context.entry_functions):
            for definition in effective_definitions(inference.scopes, name):
                if definition.asynchronous is not None or not transparent(definition, inference, (node,)):
                    continue
                for found in finder.returned(definition, (definition, node), frozenset()):
                    shape = _shape(frozenset(found.parts))
                    if shape is None or id(found.node) in reported or not _evident(found, inference):
                        continue
                    reported.add(id(found.node))
                    own = found.scopes[0] is definition and found.node is found.display
                    fix = self._fix(found, inference) if own else None
                    keys = ", ".join(repr(key) for key in found.parts)
                    through = f" (through {found.helper}())" if found.helper else ""
                    form, sent = (
                        (" as JSON text (json.dumps)", "that text as the body")
                        if found.serialized
                        else ("", "the whole dict as JSON")
                    )
                    self.report(
                        found.node,
                        function=name,
                        through=through,
                        shape=shape,
                        keys=keys,
                        form=form,
                        sent=sent,
                        fix=fix,
                    )

    def _fix(self, found: ResponseDict, inference: ValueInference) -> Replace | None:
        """`return body, status[, headers]` when each part is evident: a str or dict body, an int
        status in range, a dict of headers, and no other key."""
        parts = found.parts
        statuses = [key for key in _STATUS_KEYS if key in parts]
        if not found.closed or len(statuses) > 1 or not frozenset(parts) <= {"body", "headers", *_STATUS_KEYS}:
            return None
        body = inference.infer(parts["body"], found.scopes)
        if body is None or body.kind not in _FIXABLE_BODIES:
            return None
        status: cst.BaseExpression = cst.Integer("200")
        if statuses:
            status = parts[statuses[0]]
            number = int_value(status)
            if number is None or not _LOWEST_STATUS <= number <= _HIGHEST_STATUS:
                return None
        elements = [parts["body"], status]
        if "headers" in parts:
            headers = inference.infer(parts["headers"], found.scopes)
            if headers is None or headers.kind is not Kind.DICT:
                return None
            elements.append(parts["headers"])
        # A value written over lines inside the braces keeps its brackets to stay one expression.
        over_lines = any("\n" in self.file.module.code_for_node(value) for value in elements)
        tuple_ = cst.Tuple(elements=[cst.Element(value) for value in elements])
        return Replace(found.display, tuple_ if over_lines else tuple_.with_changes(lpar=[], rpar=[]))
