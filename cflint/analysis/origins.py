"""Where a value comes from: the chain of imported names, calls, attributes and
subscripts that produced it, followed through local names that are bound exactly once.

`ValueTracer(scopes).origin(expr, scope)` describes `expr` as used inside `scope`
(a FunctionDef, Lambda or ClassDef; None for module level). After `s = requests.Session()`
and `r = s.get(url)`, `r.content` is `requests.Session().get().content`. A call adds `()`,
a subscript `[key]` (`[]` unless the key is a plain string), an item of a `for` loop `[]`.
`with X as name` binds `name` to `X` (true of every context manager cflint's rules look
for: files, responses, sessions and processes return themselves from `__enter__`).
Imported names are resolved by `Scopes.qualify`. A name bound more than once in its
scope, bound by anything else (a parameter, an augmented assignment, tuple unpacking,
`del`, an exception handler), or bound from another scope through `global` / `nonlocal`
has no origin: nothing is guessed. One exception: a module global bound to `None`, and
in functions (through `global`) to values of one origin (`s3 = None` at module level,
`global s3; s3 = boto3.client("s3")` in an init function), has that origin, since a use
that reaches an attribute or item of it fails on the None. A comprehension's target counts as a binding in the
enclosing scope (see `scopes`), so a name reused there has no origin either.
"""

from __future__ import annotations

import re

import libcst as cst

from cflint.analysis.bindings import Form, ScopeNode
from cflint.analysis.scopes import Scopes
from cflint.record import Record

_MAX_DEPTH = 16
# Compiled on first use (by `re`'s cache): only code reading a dict by a string key needs it.
_PLAIN_KEY = r"[A-Za-z_][A-Za-z0-9_.-]*\Z"

# Qualified names under which the same callable or class is also reachable.
_CANONICAL = {
    "io.open": "builtins.open",
    "flask.globals.request": "flask.request",
    "pathlib.PosixPath": "pathlib.Path",
    "pathlib.WindowsPath": "pathlib.Path",
    "pathlib.Path.cwd": "pathlib.Path",
    "pathlib.Path.home": "pathlib.Path",
    "requests.session": "requests.Session",
    "requests.sessions.Session": "requests.Session",
    "requests.sessions.session": "requests.Session",
    **{
        f"requests.api.{verb}": f"requests.{verb}"
        for verb in (
            "get",
            "post",
            "put",
            "patch",
            "delete",
            "head",
            "options",
            "request",
        )
    },
}
_PATH = "pathlib.Path()"
# Members of a Path that give another Path.
_PATH_MEMBERS = frozenset(
    {
        ".parent",
        ".absolute()",
        ".resolve()",
        ".expanduser()",
        ".joinpath()",
        ".with_name()",
        ".with_stem()",
        ".with_suffix()",
    }
)


class Origin(Record, frozen=True):
    """`path` describes the value; `calls` are the call nodes behind each `()` in it, in order."""

    path: str
    calls: tuple[cst.Call, ...] = ()


class ValueTracer:
    """Origins of expressions in one module, from its shared `Scopes`."""

    def __init__(self, scopes: Scopes) -> None:
        self._scopes = scopes

    def origin(self, expr: cst.BaseExpression, scope: ScopeNode | None = None) -> Origin | None:
        return self._origin(expr, scope, 0)

    def binding_values(
        self, name: str, scope: ScopeNode | None = None
    ) -> list[tuple[cst.BaseExpression, ScopeNode | None]] | None:
        """What each binding of `name` visible from `scope` assigns, with the scope it is
        evaluated in; None when one of them is unknown (a parameter, an item of a loop, a
        binding made through `global` or `nonlocal`...)."""
        found = self._scopes.visible(name, scope)
        if found is None:
            return None
        bound_in, bindings = found
        values = []
        for binding in bindings:
            if binding.value is None or binding.item or binding.made_in is not bound_in:
                return None
            values.append((binding.value, binding.made_in))
        return values

    def _origin(self, expr: cst.BaseExpression, scope: ScopeNode | None, depth: int) -> Origin | None:
        if depth > _MAX_DEPTH:
            return None
        if type(expr) is cst.Name:
            return self._name_origin(expr, scope, depth)
        if type(expr) is cst.Attribute:
            base = self._origin(expr.value, scope, depth + 1)
            return None if base is None else _extend(base, f".{expr.attr.value}")
        if type(expr) is cst.Call:
            func = self._origin(expr.func, scope, depth + 1)
            if func is None:
                return None
            return _extend(Origin(func.path, (*func.calls, expr)), "()")
        if type(expr) is cst.Subscript:
            base = self._origin(expr.value, scope, depth + 1)
            return None if base is None else Origin(f"{base.path}[{_key(expr)}]", base.calls)
        if type(expr) is cst.Await:
            return self._origin(expr.expression, scope, depth + 1)
        if type(expr) is cst.BinaryOperation and isinstance(expr.operator, cst.Divide):
            left = self._origin(expr.left, scope, depth + 1)
            return left if left is not None and left.path == _PATH else None
        return None

    def _name_origin(self, name: cst.Name, scope: ScopeNode | None, depth: int) -> Origin | None:
        qualified = self._scopes.qualify(name, scope)
        if qualified is not None:
            return Origin(_CANONICAL.get(qualified, qualified))
        found = self._scopes.sole_binding(name.value, scope)
        if found is None:
            return self._global_origin(name.value, scope, depth)
        if found[1].value is None:
            return None
        bound = found[1]
        value = self._origin(found[1].value, bound.made_in, depth + 1)
        if value is None or not bound.item:
            return value
        return Origin(f"{value.path}[]", value.calls)

    def _global_origin(self, name: str, scope: ScopeNode | None, depth: int) -> Origin | None:
        """The origin of a module global bound to None, and through `global` in functions to
        values of that one origin."""
        found = self._scopes.visible(name, scope)
        if found is None or found[0] is not None:
            return None
        origins = []
        for binding in found[1]:
            if not binding.binds_value:
                continue
            value = binding.value
            if value is None or binding.item or binding.form not in (Form.ASSIGNMENT, Form.ANNOTATED):
                return None
            if isinstance(value, cst.Name) and value.value == "None":
                continue
            if binding.made_in is None:
                return None  # bound at module level too: which binding a use sees depends on the order
            origin = self._origin(value, binding.made_in, depth + 1)
            if origin is None:
                return None
            origins.append(origin)
        if not origins or any(origin.path != origins[0].path for origin in origins):
            return None
        return origins[0]


def _key(subscript: cst.Subscript) -> str:
    if len(subscript.slice) == 1:
        index = subscript.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            text = index.value.evaluated_value
            if isinstance(text, str) and re.match(_PLAIN_KEY, text):
                return text
    return ""


def _extend(base: Origin, suffix: str) -> Origin:
    path = base.path + suffix
    if suffix == "()":
        if base.path.startswith(f"{_PATH}.") and base.path[len(_PATH) :] + "()" in _PATH_MEMBERS:
            path = _PATH
    elif base.path == _PATH and suffix in _PATH_MEMBERS:
        path = _PATH
    else:
        path = _CANONICAL.get(path, path)
    return Origin(path, base.calls)
