from __future__ import annotations

import libcst as cst

from cflint.analysis.names import dotted_name
from cflint.rule import ParsedFile
from cflint.rule.imports import is_type_checking
from cflint.rule.scoped import ScopedRule

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
        self._type_checking_only: bool | None = None

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
        if qualified is None:
            origin = self.values.origin(use, self.scope) if used_as_flask else None
            # Only a value traced to an import is evidence (an unbound name resolves to builtins).
            if origin is None or origin.path.startswith(("flask.", "builtins.", ".")):
                return
            problem = f"'request' here is {origin.path}, which shadows Flask's request"
        elif qualified in _FLASK_REQUEST:
            if not self._imported_only_for_type_checking():
                return
            problem = "'request' is imported only under `if TYPE_CHECKING:`, so it is not defined at run time"
        elif qualified == "builtins.request":
            problem = "'request' is never imported"
        elif used_as_flask and not self._may_be_reexport(qualified):
            source = qualified.rpartition(".")[0] or qualified
            problem = f"'request' here is {qualified} (imported from {source}), not Flask's request"
        else:
            return
        self._reported = True
        self.report(use, problem=problem)

    def _imported_only_for_type_checking(self) -> bool:
        """Whether every import that binds `request` is under `if TYPE_CHECKING:`."""
        if self._type_checking_only is None:
            # `is_type_checking` needs the name in the text: without it no import is guarded.
            self._type_checking_only = "TYPE_CHECKING" in self.file.source and self._request_imports_all_guarded()
        return self._type_checking_only

    def _request_imports_all_guarded(self) -> bool:
        """Whether some import binds `request` and each is in the body of an `if TYPE_CHECKING:`."""
        found = False
        stack: list[tuple[cst.CSTNode, bool]] = [(self.file.module, False)]
        while stack:
            node, guarded = stack.pop()
            if _binds_request(node):
                if not guarded:
                    return False
                found = True
            if type(node) is cst.If and is_type_checking(node.test):
                body = node.body
                stack.extend((child, guarded or child is body) for child in self.walker.children(node))
            else:
                stack.extend((child, guarded) for child in self.walker.children(node))
        return found

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


def _binds_request(node: cst.CSTNode) -> bool:
    if not (type(node) is cst.Import or type(node) is cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
        return False
    for alias in node.names:
        bound = alias.asname.name if alias.asname is not None else alias.name
        if (dotted_name(bound) or "").split(".")[0] == "request":
            return True
    return False
