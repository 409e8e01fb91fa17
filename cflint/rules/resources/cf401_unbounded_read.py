from __future__ import annotations

import libcst as cst

from cflint.analysis.scoped_rule import ScopedRule
from cflint.rule import ParsedFile
from cflint.rules.resources.streams import unbounded_source

_READERS = frozenset({"read", "readlines"})
_PATH_READERS = {"pathlib.Path().read_text": "Path.read_text()", "pathlib.Path().read_bytes": "Path.read_bytes()"}
_CHUNKS = "read it in chunks (read(size), line by line, shutil.copyfileobj)"
_LOADERS = frozenset(
    {
        "json.load",
        "pickle.load",
        "marshal.load",
        "tomllib.load",
        "yaml.load",
        "yaml.safe_load",
        "yaml.full_load",
        "yaml.unsafe_load",
    }
)
_LOADER_MODULES = frozenset(name.partition(".")[0] for name in _LOADERS)
# Last names of the callees above: other method calls are skipped without tracing them.
_CANDIDATES = frozenset({*_READERS, "read_text", "read_bytes", *(name.rpartition(".")[2] for name in _LOADERS)})


def _no_size(call: cst.Call) -> bool:
    """Whether a read call asks for everything: no size, or a size of -1 or None."""
    if not call.args:
        return True
    if len(call.args) > 1 or call.args[0].star:
        return False
    value = call.args[0].value
    if isinstance(value, cst.Name):
        return value.value == "None"
    return (
        isinstance(value, cst.UnaryOperation)
        and isinstance(value.operator, cst.Minus)
        and isinstance(value.expression, cst.Integer)
        and value.expression.value == "1"
    )


class UnboundedRead(ScopedRule):
    code = "CF401"
    name = "unbounded-read"
    summary = "A file, upload, download or stored object is read into memory whole"
    message = "{what} reads {source} whole into memory; {remedy}"
    requires_text = ("read", "load")

    def __init__(self, file: ParsedFile) -> None:
        super().__init__(file)
        # A bare name can only be a loader if the loader's module is named in the file.
        self._loader_by_bare_name = any(module in file.source for module in _LOADER_MODULES)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            if func.attr.value not in _CANDIDATES:
                return
        elif not self._loader_by_bare_name:
            return
        if isinstance(func, cst.Attribute) and func.attr.value in _READERS:
            if _no_size(node):
                self._check_stream(func.value, node, f".{func.attr.value}()", _CHUNKS)
            return
        origin = self.values.origin(func, self.scope)
        if origin is None:
            return
        if origin.path in _PATH_READERS:
            self.report(node, what=_PATH_READERS[origin.path], source="a file", remedy="open it and " + _CHUNKS)
        elif origin.path in _LOADERS and node.args and not node.args[0].keyword and not node.args[0].star:
            remedy = "check its size before parsing it, or parse it incrementally"
            self._check_stream(node.args[0].value, node, f"{origin.path}()", remedy)

    def _check_stream(self, stream: cst.BaseExpression, node: cst.Call, what: str, remedy: str) -> None:
        origin = self.values.origin(stream, self.scope)
        source = None if origin is None else unbounded_source(origin.path)
        if source is not None:
            self.report(node, what=what, source=source, remedy=remedy)
