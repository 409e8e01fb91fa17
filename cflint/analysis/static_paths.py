"""File-system paths that code names in a way the source proves: a relative string literal,
`Path(__file__).parent / "template.html"`, `os.path.join(os.path.dirname(__file__), "x")`,
or a name bound to one. Used to find the files a function ships and reads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

import libcst as cst

from cflint.analysis.literals import string_value

Qualify = Callable[[cst.BaseExpression], str | None]
Bindings = Callable[[str], list[cst.BaseExpression] | None]

_PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath"})
_SAME_PATH_METHODS = frozenset({"resolve", "absolute", "expanduser"})
_SAME_PATH_CALLS = frozenset({"os.path.abspath", "os.path.realpath", "os.path.normpath", "os.fspath", "builtins.str"})
_MAX_DEPTH = 16


class StaticPaths:
    """Evaluates path expressions of one module. Paths are relative to the function root
    (the runtime's working folder); `__file__` is the module's own path in the root."""

    def __init__(self, module_path: PurePosixPath, qualify: Qualify, bindings: Bindings) -> None:
        self._module_path = module_path
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
                return self._module_path
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
