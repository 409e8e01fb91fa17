from __future__ import annotations

import libcst as cst

from cflint.analysis.literals import LeadingText, leading_text
from cflint.rule.scoped import ScopedRule

_FLASK_REQUEST = frozenset({"flask.request", "flask.globals.request"})
_HEADER_GETTERS = frozenset({"get", "get_all", "getlist"})
_ENVIRON_GETTERS = frozenset({"get", "pop"})
_ENVIRONMENT_GETTERS = frozenset({"os.getenv", "os.environ.get"})
_FISSION_PREFIX = "x-fission-params-"
# OpenFaaS's classic watchdog passes the request's header X-Y as Http_X_Y, and these three.
_OPENFAAS_PREFIX = "Http_"
# OpenWhisk passes each activation's metadata in these environment variables: __OW_ACTION_NAME,
# __OW_ACTIVATION_ID, __OW_NAMESPACE, __OW_API_HOST, __OW_API_KEY, __OW_DEADLINE...
_OPENWHISK_PREFIX = "__OW_"
_NO_ACTIVATION = (
    "this runtime sets no activation metadata: set a fixed value (the function's name) as an environment "
    "variable in the console, and take a request ID from the request itself"
)
_NO_EVENT = (
    "there is no Lambda event or context here: read the request through Flask's request "
    "(request.args, request.get_json(), request.headers)"
)
_NO_AUTHORIZER = "no gateway authorizes the caller here: check the caller's credentials in the function"
# WSGI environ keys that adapters of other platforms add to every request, by key or by the
# prefix of their keys (names as their sources write them: serverless-wsgi, apig-wsgi, awsgi,
# Azure Functions' WsgiMiddleware).
_ENVIRON_KEYS = (
    ("serverless.authorizer", "serverless-wsgi (AWS Lambda behind API Gateway)", _NO_AUTHORIZER),
    ("API_GATEWAY_AUTHORIZER", "serverless-wsgi (AWS Lambda behind API Gateway)", _NO_AUTHORIZER),
    ("serverless.", "serverless-wsgi (AWS Lambda behind API Gateway)", _NO_EVENT),
    ("apig_wsgi.", "apig-wsgi (AWS Lambda behind API Gateway or a load balancer)", _NO_EVENT),
    ("awsgi.", "awsgi (AWS Lambda behind API Gateway)", _NO_EVENT),
    ("lambda.event", "a Lambda WSGI adapter (Zappa and others)", _NO_EVENT),
    ("lambda.context", "a Lambda WSGI adapter (Zappa and others)", _NO_EVENT),
    (
        "azure_functions.",
        "Azure Functions' WSGI middleware",
        "there is no Azure invocation context here: read the request through Flask's request",
    ),
)
# Fission's path-parameter headers as WSGI spells a header: HTTP_ and upper case with `_`.
_FISSION_ENVIRON_PREFIX = "HTTP_X_FISSION_PARAMS_"
_OPENFAAS_REQUEST_LINE = {
    "Http_Method": "request.method",
    "Http_Path": "request.path",
    "Http_Query": "request.query_string (or request.args)",
}


class OtherPlatformRequestData(ScopedRule):
    code = "CF802"
    name = "other-platform-request-data"
    summary = (
        "Request data only another platform adds is read: Fission's X-Fission-Params-* headers, OpenFaaS's Http_*, "
        "OpenWhisk's __OW_*, Lambda and Azure WSGI adapters' environ keys"
    )
    message = "{what} is set by {platform}, not by this runtime; {remedy}"
    requires_text = ("ission", "ISSION", _OPENFAAS_PREFIX, _OPENWHISK_PREFIX, "environ")

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return
        key = node.slice[0].slice.value
        if self._is_request_headers(node.value):
            self._check_header(key)
        elif self._is_request_attribute(node.value, "environ"):
            self._check_environ_key(key)
        elif self.qualify(node.value) == "os.environ":
            self._check_environment(key)

    def visit_Call(self, node: cst.Call) -> None:
        if not node.args or node.args[0].keyword is not None or node.args[0].star:
            return
        key = node.args[0].value
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in _HEADER_GETTERS
            and self._is_request_headers(func.value)
        ):
            self._check_header(key)
        elif (
            isinstance(func, cst.Attribute)
            and func.attr.value in _ENVIRON_GETTERS
            and self._is_request_attribute(func.value, "environ")
        ):
            self._check_environ_key(key)
        elif self.qualify(func) in _ENVIRONMENT_GETTERS:
            self._check_environment(key)

    def _is_request_headers(self, expr: cst.BaseExpression) -> bool:
        """Whether the expression is `request.headers` of Flask's request; unknown names are not."""
        return self._is_request_attribute(expr, "headers")

    def _is_request_attribute(self, expr: cst.BaseExpression, attribute: str) -> bool:
        return (
            isinstance(expr, cst.Attribute)
            and expr.attr.value == attribute
            and self.qualify(expr.value) in _FLASK_REQUEST
        )

    def _check_environ_key(self, key: cst.BaseExpression) -> None:
        lead = leading_text(key)
        if lead is None or not lead.complete:
            return
        if lead.text.startswith(_FISSION_ENVIRON_PREFIX) and len(lead.text) > len(_FISSION_ENVIRON_PREFIX):
            parameter = lead.text[len(_FISSION_ENVIRON_PREFIX) :].lower()
            self.report(
                lead.node,
                what=f"the WSGI environ key {_shown(lead)} (a header)",
                platform="Fission's router (from a path parameter)",
                remedy=f"take the value from the query string (request.args.get({parameter!r})) or the JSON body "
                "(request.get_json())",
            )
            return
        for name, platform, remedy in _ENVIRON_KEYS:
            if lead.text == name or (name.endswith(".") and lead.text.startswith(name)):
                self.report(lead.node, what=f"the WSGI environ key {_shown(lead)}", platform=platform, remedy=remedy)
                return

    def _check_header(self, key: cst.BaseExpression) -> None:
        lead = leading_text(key)
        if lead is None or not lead.text.lower().startswith(_FISSION_PREFIX):
            return
        parameter = lead.text[len(_FISSION_PREFIX) :].lower() if lead.complete else ""
        if lead.complete and not parameter:
            return
        example = f"request.args.get({parameter!r})" if parameter else "request.args"
        self.report(
            lead.node,
            what=f"the header {_shown(lead)}",
            platform="Fission's router (from a path parameter)",
            remedy=f"take the value from the query string ({example}) or the JSON body (request.get_json())",
        )

    def _check_environment(self, key: cst.BaseExpression) -> None:
        lead = leading_text(key)
        if lead is not None and lead.text.startswith(_OPENWHISK_PREFIX) and len(lead.text) > len(_OPENWHISK_PREFIX):
            self.report(
                lead.node,
                what=f"the environment variable {_shown(lead)}",
                platform="OpenWhisk (for each activation)",
                remedy=_NO_ACTIVATION,
            )
            return
        if lead is None or not lead.text.startswith(_OPENFAAS_PREFIX) or len(lead.text) == len(_OPENFAAS_PREFIX):
            return
        if lead.complete and lead.text in _OPENFAAS_REQUEST_LINE:
            remedy = f"read {_OPENFAAS_REQUEST_LINE[lead.text]} of Flask's request"
        elif lead.complete:
            header = lead.text[len(_OPENFAAS_PREFIX) :].replace("_", "-")
            remedy = f"read the header itself: request.headers.get({header!r})"
        else:
            remedy = "read the header itself through Flask's request.headers"
        self.report(
            lead.node,
            what=f"the environment variable {_shown(lead)}",
            platform="OpenFaaS's watchdog (from the request)",
            remedy=remedy,
        )


def _shown(lead: LeadingText) -> str:
    return repr(lead.text if lead.complete else lead.text + "...")
