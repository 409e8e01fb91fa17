"""Where a value comes from: the chain of imported names, calls, attributes and
subscripts that produced it, followed through local names that are bound exactly once.

`ValueTracer(module, walker).origin(expr, scope)` describes `expr` as used inside `scope`
(a FunctionDef, Lambda or ClassDef; None for module level). After `s = requests.Session()`
and `r = s.get(url)`, `r.content` is `requests.Session().get().content`. A call adds `()`,
a subscript `[key]` (`[]` unless the key is a plain string), an item of a `for` loop `[]`.
`with X as name` binds `name` to `X` (true of every context manager cflint's rules look
for: files, responses, sessions and processes return themselves from `__enter__`).
A name bound more than once in its scope, or by anything else (a parameter, an
augmented assignment, tuple unpacking, `del`, an exception handler, an import) has no
origin: nothing is guessed. A comprehension's target counts as a binding in the
enclosing scope, so a name reused there has no origin either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from cflint.names import NameResolver
from cflint.traversal import Walker

_SCOPE_NODES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_MAX_DEPTH = 16
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")

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
    **{f"requests.api.{verb}": f"requests.{verb}" for verb in (
        "get", "post", "put", "patch", "delete", "head", "options", "request",
    )},
}
_PATH = "pathlib.Path()"
# Members of a Path that give another Path.
_PATH_MEMBERS = frozenset({
    ".parent", ".absolute()", ".resolve()", ".expanduser()", ".joinpath()",
    ".with_name()", ".with_stem()", ".with_suffix()",
})


@dataclass(frozen=True)
class Origin:
    """`path` describes the value; `calls` are the call nodes behind each `()` in it, in order."""

    path: str
    calls: tuple[cst.Call, ...] = ()


@dataclass(frozen=True)
class _Bound:
    """One binding of a name: to `value`, to an item of `value` (a for loop), or unknown (None)."""

    value: cst.BaseExpression | None
    scope: cst.CSTNode | None
    item: bool = False


_UNKNOWN = _Bound(None, None)
# Node types that bind a name or open a scope; the collector skips every other node quickly.
_BINDING_NODES = frozenset({
    cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.Assign, cst.AnnAssign, cst.NamedExpr, cst.For,
    cst.CompFor, cst.WithItem, cst.AugAssign, cst.Del, cst.ExceptHandler, cst.ExceptStarHandler,
    cst.Import, cst.ImportFrom, cst.MatchAs, cst.MatchStar, cst.MatchMapping, cst.Global, cst.Nonlocal,
})


def _names_in(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in _names_in(element.value)]
    if isinstance(target, cst.StarredElement):
        return _names_in(target.value)
    return []


class _BindingCollector:
    """Every binding of every name, per scope, from one pass over the module."""

    def __init__(self, module: cst.Module, walker: Walker) -> None:
        self.walker = walker
        self.bindings: dict[int, dict[str, list[_Bound]]] = {id(module): {}}
        self.parents: dict[int, cst.CSTNode] = {}
        self.module = module
        self.imported: set[str] = set()  # names bound by an import somewhere in the module
        self.star_import = False
        self._globals: dict[int, set[str]] = {}
        self._collect()

    def _add(self, scope: cst.CSTNode, name: str, bound: _Bound) -> None:
        if name in self._globals.get(id(scope), ()):
            scope = self.module
        self.bindings.setdefault(id(scope), {}).setdefault(name, []).append(bound)

    def _add_unknown(self, scope: cst.CSTNode, target: cst.BaseExpression) -> None:
        for name in _names_in(target):
            self._add(scope, name, _UNKNOWN)

    def _add_value(self, scope: cst.CSTNode, target: cst.BaseExpression, value: cst.BaseExpression, item: bool = False) -> None:
        if isinstance(target, cst.Name):
            owner = None if scope is self.module else scope
            self._add(scope, target.value, _Bound(value, owner, item))
        else:
            self._add_unknown(scope, target)

    def _collect(self) -> None:
        stack: list[tuple[cst.CSTNode, cst.CSTNode]] = [(self.module, self.module)]
        while stack:
            node, scope = stack.pop()
            inner = self._bind(node, scope) if type(node) in _BINDING_NODES else scope
            children = self.walker.children(node)
            children.reverse()
            stack.extend((child, inner) for child in children)

    def _bind(self, node: cst.CSTNode, scope: cst.CSTNode) -> cst.CSTNode:
        """Record what `node` binds; return the scope its children belong to."""
        if isinstance(node, _SCOPE_NODES):
            self.parents[id(node)] = scope
            self.bindings.setdefault(id(node), {})
            if not isinstance(node, cst.Lambda):
                self._add(scope, node.name.value, _UNKNOWN)
            if not isinstance(node, cst.ClassDef):
                params = node.params
                for param in (*params.posonly_params, *params.params, *params.kwonly_params):
                    self._add(node, param.name.value, _UNKNOWN)
                for star in (params.star_arg, params.star_kwarg):
                    if isinstance(star, cst.Param):
                        self._add(node, star.name.value, _UNKNOWN)
            return node
        if isinstance(node, cst.Assign):
            for target in node.targets:
                self._add_value(scope, target.target, node.value)
        elif isinstance(node, cst.AnnAssign):
            if node.value is not None:
                self._add_value(scope, node.target, node.value)
        elif isinstance(node, cst.NamedExpr):
            self._add_value(scope, node.target, node.value)
        elif isinstance(node, (cst.For, cst.CompFor)):
            self._add_value(scope, node.target, node.iter, item=True)
        elif isinstance(node, cst.WithItem):
            if node.asname is not None:
                self._add_value(scope, node.asname.name, node.item)
        elif isinstance(node, cst.AugAssign):
            self._add_unknown(scope, node.target)
        elif isinstance(node, cst.Del):
            self._add_unknown(scope, node.target)
        elif isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)) and node.name is not None:
            self._add_unknown(scope, node.name.name)
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            if isinstance(node.names, cst.ImportStar):
                self.star_import = True
                return scope
            for alias in node.names:
                bound = alias.asname.name if alias.asname else alias.name
                while isinstance(bound, cst.Attribute):
                    bound = bound.value
                self._add_unknown(scope, bound)
                self.imported.update(_names_in(bound))
        elif isinstance(node, (cst.MatchAs, cst.MatchStar)) and node.name is not None:
            self._add_unknown(scope, node.name)
        elif isinstance(node, cst.MatchMapping) and node.rest is not None:
            self._add_unknown(scope, node.rest)
        elif isinstance(node, cst.Global):
            self._globals.setdefault(id(scope), set()).update(item.name.value for item in node.names)
        elif isinstance(node, cst.Nonlocal):
            owner: cst.CSTNode | None = scope
            while owner is not None and owner is not self.module:
                for item in node.names:
                    self._add(owner, item.name.value, _UNKNOWN)
                owner = self.parents.get(id(owner))
        return scope


class ValueTracer:
    """Origins of expressions in one module; build one per module (`self.file.analysis`).

    Names that no import in the module binds are resolved from the bindings alone; the
    NameResolver is built, and asked, only for names that some import binds.
    """

    def __init__(self, module: cst.Module, walker: Walker | None = None) -> None:
        self._walker = walker or Walker()
        self._module = module
        self._collected = _BindingCollector(module, self._walker)
        self._names: NameResolver | None = None

    def origin(self, expr: cst.BaseExpression, scope: cst.CSTNode | None = None) -> Origin | None:
        return self._origin(expr, scope, 0)

    def qualify(self, name: cst.Name, scope: cst.CSTNode | None = None) -> str | None:
        """The canonical qualified name a name refers to through imports, `builtins.<name>`
        for a name bound nowhere, None for a name bound otherwise or not knowable."""
        if name.value in self._collected.imported:
            if self._names is None:
                self._names = NameResolver(self._module, self._walker)
            qualified = self._names.qualify(name, scope)
            return None if qualified is None else _CANONICAL.get(qualified, qualified)
        if self._collected.star_import or self._bindings_of(name.value, scope) is not None:
            return None
        return f"builtins.{name.value}"

    def _origin(self, expr: cst.BaseExpression, scope: cst.CSTNode | None, depth: int) -> Origin | None:
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, cst.Name):
            return self._name_origin(expr, scope, depth)
        if isinstance(expr, cst.Attribute):
            base = self._origin(expr.value, scope, depth + 1)
            return None if base is None else _extend(base, f".{expr.attr.value}")
        if isinstance(expr, cst.Call):
            func = self._origin(expr.func, scope, depth + 1)
            if func is None:
                return None
            return _extend(Origin(func.path, (*func.calls, expr)), "()")
        if isinstance(expr, cst.Subscript):
            base = self._origin(expr.value, scope, depth + 1)
            return None if base is None else Origin(f"{base.path}[{_key(expr)}]", base.calls)
        if isinstance(expr, cst.Await):
            return self._origin(expr.expression, scope, depth + 1)
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
            left = self._origin(expr.left, scope, depth + 1)
            return left if left is not None and left.path == _PATH else None
        return None

    def _name_origin(self, name: cst.Name, scope: cst.CSTNode | None, depth: int) -> Origin | None:
        qualified = self.qualify(name, scope)
        if qualified is not None:
            return Origin(qualified)
        bindings = self._bindings_of(name.value, scope)
        if bindings is None or len(bindings) != 1 or bindings[0].value is None:
            return None
        bound = bindings[0]
        value = self._origin(bound.value, bound.scope, depth + 1)
        if value is None or not bound.item:
            return value
        return Origin(f"{value.path}[]", value.calls)

    def _bindings_of(self, name: str, scope: cst.CSTNode | None) -> list[_Bound] | None:
        """The bindings of `name` in the nearest scope that binds it, as seen from `scope`."""
        collected = self._collected
        owner: cst.CSTNode = scope if scope is not None else self._module
        while True:
            own = collected.bindings.get(id(owner), {})
            visible = owner is scope or not isinstance(owner, cst.ClassDef)
            if visible and name in own:
                return own[name]
            if owner is self._module:
                return None
            owner = collected.parents.get(id(owner), self._module)


def _key(subscript: cst.Subscript) -> str:
    if len(subscript.slice) == 1:
        index = subscript.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            text = index.value.evaluated_value
            if isinstance(text, str) and _PLAIN_KEY.match(text):
                return text
    return ""


def _extend(base: Origin, suffix: str) -> Origin:
    path = base.path + suffix
    if suffix == "()":
        if base.path.startswith(f"{_PATH}.") and base.path[len(_PATH):] + "()" in _PATH_MEMBERS:
            path = _PATH
    elif base.path == _PATH and suffix in _PATH_MEMBERS:
        path = _PATH
    else:
        path = _CANONICAL.get(path, path)
    return Origin(path, base.calls)
