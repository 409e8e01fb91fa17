"""File-system paths that code names in a way the source proves: a relative string literal,
`Path(__file__).parent / "template.html"`, `os.path.join(os.path.dirname(__file__), "x")`,
or a name bound to one. Used to find the files a function ships and reads, and the files
its deployment provides (mounted secrets and config, paths given in the environment)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

import libcst as cst

from cflint.analysis.literals import LeadingText, leading_text, string_value

Qualify = Callable[[cst.BaseExpression], str | None]
Bindings = Callable[[str], list[cst.BaseExpression] | None]

_PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath"})
_SAME_PATH_METHODS = frozenset({"resolve", "absolute", "expanduser"})
_SAME_PATH_CALLS = frozenset({"os.path.abspath", "os.path.realpath", "os.path.normpath", "os.fspath", "builtins.str"})
_MAX_DEPTH = 16
# Where a function writes files at run time (downloads, uploads saved to disk): those files
# have any size, so a path under one is never taken for deployment-provided configuration.
_WRITABLE_FOLDERS = (PurePosixPath("/tmp"), PurePosixPath("/var/tmp"), PurePosixPath("/dev/shm"))
_ENVIRONMENT_GETTERS = frozenset({"os.getenv", "os.environ.get"})


class StaticPaths:
    """Evaluates path expressions of one module. Paths are relative to the function root
    (the runtime's working folder); `__file__` is the module's own path in the root (None:
    the module is in no function root, and `__file__` names no known path)."""

    def __init__(self, module_path: PurePosixPath | None, qualify: Qualify, bindings: Bindings) -> None:
        self.module_path = module_path
        self._qualify = qualify
        self._bindings = bindings

    def evaluate(self, expr: cst.BaseExpression, depth: int = 0) -> PurePosixPath | None:
        if depth > _MAX_DEPTH:
            return None
        text = string_value(expr)
        if isinstance(text, str):
            path = PurePosixPath(text)
            return None if path.is_absolute() or not text else path
        if isinstance(expr, cst.Name):
            if expr.value == "__file__":
                return self.module_path
            values = self._bindings(expr.value)
            if not values or len(values) != 1:
                return None
            return self.evaluate(values[0], depth + 1)
        if isinstance(expr, cst.Attribute):
            if expr.attr.value == "parent":
                base = self.evaluate(expr.value, depth + 1)
                return None if base is None or base == PurePosixPath(".") else base.parent
            return None
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
            left = self.evaluate(expr.left, depth + 1)
            right = self.evaluate(expr.right, depth + 1)
            return None if left is None or right is None else left / right
        if isinstance(expr, cst.Call):
            return self._call(expr, depth)
        return None

    def _call(self, call: cst.Call, depth: int) -> PurePosixPath | None:
        if any(arg.keyword is not None or arg.star for arg in call.args):
            return None
        args = [arg.value for arg in call.args]
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in _SAME_PATH_METHODS and not args:
            return self.evaluate(func.value, depth + 1)
        qualified = self._qualify(func)
        if qualified in _PATH_CLASSES or qualified == "os.path.join":
            parts = [self.evaluate(arg, depth + 1) for arg in args]
            if not parts or any(part is None for part in parts):
                return None
            return PurePosixPath(*(str(part) for part in parts))
        if qualified in _SAME_PATH_CALLS and len(args) == 1:
            return self.evaluate(args[0], depth + 1)
        if qualified == "os.path.dirname" and len(args) == 1:
            base = self.evaluate(args[0], depth + 1)
            return None if base is None or base == PurePosixPath(".") else base.parent
        return None

    def provided_by_deployment(self, expr: cst.BaseExpression, depth: int = 0) -> bool:
        """Whether the path names a file the deployment provides rather than one the function
        writes or receives: an absolute path outside the writable temporary folders (a mounted
        secret or config map: `/secrets/...`, `f"/configs/{key}"`, `"/secrets/{}".format(key)`,
        `"/secrets/" + key`), or a path read from an environment variable. Such a file is
        configuration, read whole by design."""
        if depth > _MAX_DEPTH:
            return False
        lead = leading_text(expr)
        if lead is not None:
            path = PurePosixPath(lead.text)
            return path.is_absolute() and not any(
                path == folder or folder in path.parents for folder in _WRITABLE_FOLDERS
            )
        if isinstance(expr, cst.Name):
            values = self._bindings(expr.value)
            return values is not None and len(values) == 1 and self.provided_by_deployment(values[0], depth + 1)
        if isinstance(expr, cst.Subscript):
            return self._qualify(expr.value) == "os.environ"
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
            return self.provided_by_deployment(expr.left, depth + 1)
        if isinstance(expr, cst.Call):
            func = expr.func
            if isinstance(func, cst.Attribute) and func.attr.value in _SAME_PATH_METHODS and not expr.args:
                return self.provided_by_deployment(func.value, depth + 1)
            if not expr.args or expr.args[0].keyword or expr.args[0].star:
                return False
            qualified = self._qualify(func)
            if qualified in _ENVIRONMENT_GETTERS:
                return True
            if qualified in _PATH_CLASSES or qualified in _SAME_PATH_CALLS or qualified == "os.path.join":
                return self.provided_by_deployment(expr.args[0].value, depth + 1)
        return False

    def leading_path(self, expr: cst.BaseExpression, depth: int = 0) -> LeadingText | None:
        """The known start of the path an expression names, with the literal that starts it:
        a string built from a literal, `Path(...)`, `Path(...) / ...`, `os.path.join(...)`, or a
        name bound once to one. The text of parts after an incomplete one is unknown; a joined
        part whose value is unknown is taken to be relative (an absolute one would restart the
        path), as code that joins a folder and a key means it."""
        if depth > _MAX_DEPTH:
            return None
        lead = leading_text(expr)
        if lead is not None:
            return lead
        if isinstance(expr, cst.Name):
            values = self._bindings(expr.value)
            return self.leading_path(values[0], depth + 1) if values and len(values) == 1 else None
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
            return self._joined([expr.left, expr.right], depth)
        if not isinstance(expr, cst.Call) or any(arg.keyword is not None or arg.star for arg in expr.args):
            return None
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value in _SAME_PATH_METHODS and not expr.args:
            return self.leading_path(func.value, depth + 1)
        qualified = self._qualify(func)
        if qualified in _PATH_CLASSES or qualified == "os.path.join":
            return self._joined([arg.value for arg in expr.args], depth) if expr.args else None
        if qualified in _SAME_PATH_CALLS and len(expr.args) == 1:
            return self.leading_path(expr.args[0].value, depth + 1)
        return None

    def _joined(self, parts: list[cst.BaseExpression], depth: int) -> LeadingText | None:
        first = self.leading_path(parts[0], depth + 1)
        if first is None or not first.complete or len(parts) == 1:
            return first
        rest = self._joined(parts[1:], depth + 1)
        if rest is None:
            return LeadingText(first.text.rstrip("/") + "/", first.node, False)
        if rest.text.startswith("/"):
            return rest
        return LeadingText(first.text.rstrip("/") + "/" + rest.text, first.node, rest.complete)
