from __future__ import annotations

import libcst as cst

from cflint.analysis.scoped_rule import ScopedRule
from cflint.rule import ParsedFile

_FLASK_REQUEST = frozenset({"flask.request", "flask.globals.request"})
# Attributes of Flask's request object that code reads the HTTP request through.
FLASK_REQUEST_ATTRIBUTES = frozenset(
    {
        "args",
        "form",
        "files",
        "values",
        "json",
        "get_json",
        "get_data",
        "data",
        "stream",
        "method",
        "headers",
        "cookies",
        "path",
        "full_path",
        "url",
        "base_url",
        "url_root",
        "host",
        "host_url",
        "scheme",
        "query_string",
        "remote_addr",
        "environ",
        "is_json",
        "mimetype",
        "content_type",
        "content_length",
        "user_agent",
        "authorization",
        "access_route",
        "referrer",
        "view_args",
        "endpoint",
        "is_secure",
        "accept_mimetypes",
    }
)


class RequestNotFlask(ScopedRule):
    code = "CF701"
    name = "request-not-flask"
    summary = "`request` is used but is not Flask's request object"
    message = "{problem}; the runtime passes the HTTP request through Flask's: from flask import request"
    requires_text = ("request",)

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        self._reported = False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        value = node.value
        if not self._reported and isinstance(value, cst.Name) and value.value == "request":
            self._check(value, node.attr.value in FLASK_REQUEST_ATTRIBUTES)

    def visit_Arg(self, node: cst.Arg) -> None:
        value = node.value
        if not self._reported and isinstance(value, cst.Name) and value.value == "request":
            self._check(value, used_as_flask=False)

    def _check(self, use: cst.Name, used_as_flask: bool) -> None:
        qualified = self.qualify(use)
        if qualified is None or qualified in _FLASK_REQUEST:
            return
        if qualified == "builtins.request":
            problem = "'request' is never imported"
        elif used_as_flask and not self._may_be_reexport(qualified):
            source = qualified.rpartition(".")[0] or qualified
            problem = f"'request' here is {qualified} (imported from {source}), not Flask's request"
        else:
            return
        self._reported = True
        self.report(use, problem=problem)

    def _may_be_reexport(self, qualified: str) -> bool:
        """Whether `request` comes from a module of the function itself, which may pass on Flask's."""
        if qualified.startswith("."):
            return True
        top = qualified.split(".")[0]
        root = self.context.root
        if root is not None:
            return top in root.local_modules
        folder = self.context.path.parent
        return (folder / f"{top}.py").exists() or (folder / top).is_dir()
