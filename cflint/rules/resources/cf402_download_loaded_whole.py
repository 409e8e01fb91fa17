from __future__ import annotations

import re

import libcst as cst

from cflint.analysis.origins import Origin
from cflint.model import Severity
from cflint.rule import ParsedFile
from cflint.rule.scoped import ScopedRule
from cflint.rules.resources.streams import BUFFERING_CALLS, WRITABLE, WRITING_CALLS

_VERBS = "get|post|put|patch|delete|head|options|request"
# A requests response (`calls` of its origin end with the request), then the body taken whole.
_BODY = re.compile(
    rf"(?P<call>requests\.(?:Session\(\)\.)?(?:{_VERBS}))\(\)"
    r"(?P<body>\.content|\.text|\.(?:iter_lines|iter_content)\(\)\[\])\Z"
)

# Last names of the writers and buffers: other method calls are skipped without tracing them.
_CANDIDATES = frozenset({"write", "writelines", "BytesIO", "StringIO", "write_bytes", "write_text", "put_object"})


def _streams(request: cst.Call) -> bool | None:
    """Whether the request streams its body: True, False, or None when it cannot be told."""
    for arg in request.args:
        if arg.star:
            return None
        if arg.keyword is not None and arg.keyword.value == "stream":
            value = arg.value
            if isinstance(value, cst.Name) and value.value in ("True", "False"):
                return value.value == "True"
            return None
    return False


class DownloadLoadedWhole(ScopedRule):
    code = "CF402"
    name = "download-loaded-whole"
    summary = "A downloaded HTTP body is loaded into memory whole and then written or buffered"
    message = (
        "{call}() without stream=True downloads the whole body into memory before its {body} is {action}; "
        "pass stream=True and copy it in chunks with iter_content(chunk_size)"
    )
    severity = Severity.WARNING
    requires_text = ("requests",)

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        # A bare name can only be a buffer if the file names BytesIO or StringIO.
        self._buffer_names = "BytesIO" in file.source or "StringIO" in file.source

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            if func.attr.value not in _CANDIDATES:
                return
        elif not self._buffer_names:
            return
        if isinstance(func, cst.Attribute) and func.attr.value in ("write", "writelines"):
            target = self.values.origin(func.value, self.scope)
            if target is not None and target.path in WRITABLE:
                self._check(node.args[0] if node.args else None, "written")
            return
        origin = self.values.origin(func, self.scope)
        if origin is None:
            return
        if origin.path in BUFFERING_CALLS or origin.path in WRITING_CALLS:
            action = "buffered" if origin.path in BUFFERING_CALLS else "written"
            self._check(node.args[0] if node.args else None, action)
        elif origin.path.startswith("boto3.") and origin.path.endswith(".put_object"):
            body = next((arg for arg in node.args if arg.keyword is not None and arg.keyword.value == "Body"), None)
            self._check(body, "uploaded")

    def _check(self, arg: cst.Arg | None, action: str) -> None:
        if arg is None or arg.star:
            return
        origin = self.values.origin(arg.value, self.scope)
        if origin is None:
            return
        body = _BODY.match(origin.path)
        if body is None or _streams(_request_call(origin, body)) is not False:
            return
        what = body.group("body")
        self.report(
            arg.value,
            body=f"{what.removesuffix('[]')} output" if what.endswith("[]") else what,
            call=body.group("call").replace("Session().", "Session."),
            action=action,
        )


def _request_call(origin: Origin, body: re.Match[str]) -> cst.Call:
    """The call that made the request: the last call before the body is taken."""
    calls_in_body = body.group("body").count("()")
    return origin.calls[len(origin.calls) - calls_in_body - 1]
