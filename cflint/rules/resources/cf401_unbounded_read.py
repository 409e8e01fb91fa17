from __future__ import annotations

import os
import stat

import libcst as cst

from cflint.analysis.bindings import Form
from cflint.analysis.callgraph import Function, Place
from cflint.rule import ParsedFile
from cflint.rule.paths import evaluator_at
from cflint.rule.scoped import ScopedRule
from cflint.rules.resources.streams import STORED_OBJECT_DOWNLOADS, downloads_stored_object, unbounded_source

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
_OPEN_FUNCTIONS = frozenset({"builtins.open", "io.open", "gzip.open", "bz2.open", "lzma.open"})
_LOADER_MODULES = frozenset(name.partition(".")[0] for name in _LOADERS)
# Last names of the callees above: other method calls are skipped without tracing them.
_CANDIDATES = frozenset(
    {
        *_READERS,
        "read_text",
        "read_bytes",
        *STORED_OBJECT_DOWNLOADS,
        *(name.rpartition(".")[2] for name in _LOADERS),
    }
)
_BYTE_RANGE = frozenset({"start", "end"})


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


def _whole_download(call: cst.Call) -> bool:
    """Whether a blob download asks for the whole object: no byte range (`start=`, `end=`,
    or a second positional argument, which is `start`)."""
    if any(arg.star for arg in call.args):
        return False
    positional = sum(arg.keyword is None for arg in call.args)
    return positional <= 1 and not any(
        arg.keyword is not None and arg.keyword.value in _BYTE_RANGE for arg in call.args
    )


class UnboundedRead(ScopedRule):
    code = "CF401"
    name = "unbounded-read"
    summary = "A file, download or stored object is read into memory whole"
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
            if not isinstance(func, cst.Attribute) or not self._known_small_files([func.value]):
                self.report(node, what=_PATH_READERS[origin.path], source="a file", remedy="open it and " + _CHUNKS)
        elif downloads_stored_object(origin.path) and _whole_download(node):
            method = origin.path.rpartition(".")[2]
            remedy = "read it in chunks from blob.open('rb'), or download a byte range (start=, end=)"
            self.report(node, what=f"{method}()", source="a Cloud Storage object", remedy=remedy)
        elif origin.path in _LOADERS and node.args and not node.args[0].keyword and not node.args[0].star:
            remedy = "check its size before parsing it, or parse it incrementally"
            self._check_stream(node.args[0].value, node, f"{origin.path}()", remedy)

    def _check_stream(self, stream: cst.BaseExpression, node: cst.Call, what: str, remedy: str) -> None:
        paths = self._origin_paths(stream)
        source = unbounded_source(paths[0]) if paths is not None and len(set(paths)) == 1 else None
        if source is None:
            return
        opened = self._opened_files(stream)
        if opened is not None and self._known_small_files(opened):
            return
        self.report(node, what=what, source=source, remedy=remedy)

    def _binding_values(self, name: str) -> list[cst.BaseExpression] | None:
        found = self.values.binding_values(name, self.scope)
        return None if found is None else [value for value, _ in found]

    def _origin_paths(self, stream: cst.BaseExpression) -> list[str] | None:
        """Where the stream comes from; a name bound several times counts when every binding
        comes from the same kind of source (`with open(a) as f` ... `with open(b) as f`)."""
        origin = self.values.origin(stream, self.scope)
        if origin is not None:
            return [origin.path]
        if not isinstance(stream, cst.Name):
            return None
        found = self.values.binding_values(stream.value, self.scope)
        if not found:
            return None
        origins = [self.values.origin(value, scope) for value, scope in found]
        return None if any(o is None for o in origins) else [o.path for o in origins if o is not None]

    def _opened_files(self, stream: cst.BaseExpression) -> list[cst.BaseExpression] | None:
        """The path expression each opening of the stream opens, when the code shows them."""
        openings = self._binding_values(stream.value) if isinstance(stream, cst.Name) else [stream]
        if not openings:
            return None
        files = []
        names = self.scopes
        for opening in openings:
            if not isinstance(opening, cst.Call):
                return None
            func = opening.func
            if names.qualify(func, self.scope) in _OPEN_FUNCTIONS:
                if not opening.args or opening.args[0].keyword is not None or opening.args[0].star:
                    return None
                files.append(opening.args[0].value)
            elif isinstance(func, cst.Attribute) and func.attr.value == "open":
                files.append(func.value)  # Path(...).open()
            else:
                return None
        return files

    def _known_small_files(self, paths: list[cst.BaseExpression]) -> bool:
        """Whether every path is a file the deployment provides (a mounted secret or config
        file, or one named by an environment variable), or a file of the function root no
        larger than read-whole-limit: its size is known when the function is uploaded. A path
        that is a parameter of a plain function stands for every value the call graph shows
        it can have (its default, each call's argument)."""
        placed = self._placed(paths)
        if placed is None:
            return False
        evaluators = [(expr, evaluator_at(self, place)) for expr, place in placed]
        if all(evaluator.provided_by_deployment(expr) for expr, evaluator in evaluators):
            return True
        root = self.context.root
        if root is None or any(evaluator.module_path is None for _, evaluator in evaluators):
            return False
        limit = self.context.settings.read_whole_limit
        real_root = os.path.realpath(root.path)
        for expr, evaluator in evaluators:
            relative = evaluator.evaluate(expr)
            if relative is None:
                return False
            real = os.path.realpath(root.path / relative)
            if os.path.commonpath([real_root, real]) != real_root:
                return False
            try:
                status = os.stat(real)
            except OSError:
                return False
            if not stat.S_ISREG(status.st_mode) or status.st_size > limit:
                return False
        return True

    def _placed(self, paths: list[cst.BaseExpression]) -> list[tuple[cst.BaseExpression, Place]] | None:
        """Each path with where it is evaluated; a parameter of the function stands for the
        values the call graph shows it gets; None when those are not known."""
        graph = self.file.call_graph
        here = Place(graph.home, self.scope)
        placed: list[tuple[cst.BaseExpression, Place]] = []
        for expr in paths:
            scope = self.scope
            found = self.scopes.sole_binding(expr.value, scope) if isinstance(expr, cst.Name) else None
            if found is None or found[1].form is not Form.PARAMETER or not isinstance(scope, cst.FunctionDef):
                placed.append((expr, here))
                continue
            assert isinstance(expr, cst.Name)
            values = graph.parameter_values(Function(graph.home, scope), expr.value)
            if not values:
                return None
            placed.extend((value.value, value.place) for value in values)
        return placed
