"""Exception objects as values: a name bound by `except ... as`, or an instance of an evident
exception class, and whether it may be werkzeug's `HTTPException`, the one exception Flask
can send (it calls one as a WSGI app that answers with its error page).

An exception class is evident when it is a builtin one or a class of the file deriving only
from such classes. A class named in an `except` clause is one whatever it is; one imported
there from a package other than werkzeug, Flask and Flask's extensions is taken as no
HTTPException. `except Exception` (or `BaseException`) holds an HTTPException when its
`try` raises one itself: `abort(404)`, or `raise` of a werkzeug or Flask name.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

import libcst as cst

from cflint.analysis.bindings import Binding, Form
from cflint.analysis.kinds import Kind, Value
from cflint.analysis.literals import short_code
from cflint.analysis.scopes import ScopeChain, Scopes
from cflint.analysis.traversal import Walker

if TYPE_CHECKING:  # a protocol for type checkers only: defining one costs a run 80 k instructions

    class Resolver(Protocol):
        """What of `cflint.analysis.inference.ValueInference` is used here (which uses this module)."""

        @property
        def scopes(self) -> Scopes: ...

        @property
        def walker(self) -> Walker: ...

        def qualified(self, expr: cst.BaseExpression, scopes: ScopeChain) -> str | None: ...

        def lookup(self, name: str, scopes: ScopeChain) -> tuple[Binding, ScopeChain] | None: ...


BUILTIN_EXCEPTIONS = frozenset(
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
)
# Packages whose exception classes may derive from werkzeug's HTTPException.
HTTP_ERROR_PACKAGES = frozenset({"werkzeug", "flask"})
_HTTP_ERROR_BASES = frozenset({"builtins.Exception", "builtins.BaseException"})
_ABORTS = frozenset({"flask.abort", "werkzeug.exceptions.abort"})
_NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_MAX_BASES = 16
# Methods that make an object sendable: Flask calls a callable as a WSGI app, and its JSON
# provider encodes an object with `__html__` as that text.
_SENDABLE_METHODS = frozenset({"__call__", "__html__"})  # how deep a chain of classes of the file is followed


def exception_instance(inference: Resolver, cls: cst.BaseExpression, scopes: ScopeChain, depth: int) -> Value | None:
    """The instance a call of an evident exception class makes."""
    never_http = _exception_class(inference, cls, scopes, depth + 1)
    if never_http is None:
        return None
    return Value(Kind.EXCEPTION, f"{short_code(cls)}(...)", wsgi_callable=not never_http)


def caught_exception(inference: Resolver, expr: cst.Name, scopes: ScopeChain, depth: int) -> Value | None:
    """The exception a name of this scope holds when every binding of it is `except ... as`:
    Python unbinds it at the end of the clause, so wherever it is used it holds the exception."""
    scope = scopes[0]
    found = inference.scopes.visible(expr.value, None if isinstance(scope, cst.Module) else scope)
    if found is None or found[0] is not (None if isinstance(scope, cst.Module) else scope):
        return None
    handlers = []
    for binding in found[1]:
        handler = binding.enclosing
        if binding.form is not Form.EXCEPT or not isinstance(handler, (cst.ExceptHandler, cst.ExceptStarHandler)):
            return None
        handlers.append((binding, handler))
    answers = [_may_hold_http_error(inference, binding, handler, scopes, depth) for binding, handler in handlers]
    if None in answers:
        return None
    maybe_http = any(answers)
    first = handlers[0][1].type
    clause = f"except {short_code(first)}" if len(handlers) == 1 and first else f"{len(handlers)} except clauses"
    return Value(Kind.EXCEPTION, f"{expr.value!r}, caught by {clause}", wsgi_callable=maybe_http)


def _may_hold_http_error(
    inference: Resolver,
    binding: Binding,
    handler: cst.ExceptHandler | cst.ExceptStarHandler,
    scopes: ScopeChain,
    depth: int,
) -> bool | None:
    """Whether the exception a handler binds may be werkzeug's HTTPException; None when a class
    it names is not known (a name of the file may be a tuple, or a dataclass JSON encodes)."""
    if isinstance(handler, cst.ExceptStarHandler) or handler.type is None:  # except* binds an ExceptionGroup
        return False
    classes = [e.value for e in handler.type.elements] if isinstance(handler.type, cst.Tuple) else [handler.type]
    known = [_exception_class(inference, cls, scopes, depth + 1, caught=True) for cls in classes]
    if None in known:
        return None
    if False in known:
        return True
    if not any(inference.qualified(cls, scopes) in _HTTP_ERROR_BASES for cls in classes):
        return False
    statement = _try_of(inference, binding, handler)
    return statement is None or _raises_http_error(inference, statement, scopes)


def _try_of(inference: Resolver, binding: Binding, handler: cst.ExceptHandler) -> cst.Try | cst.TryStar | None:
    nodes: Iterator[cst.CSTNode] = inference.walker.descendants(binding.statement, stop_at=_NESTED_SCOPES)
    for node in (binding.statement, *nodes):
        if isinstance(node, (cst.Try, cst.TryStar)) and any(h is handler for h in node.handlers):
            return node
    return None


def _raises_http_error(inference: Resolver, statement: cst.Try | cst.TryStar, scopes: ScopeChain) -> bool:
    """Whether the `try` block calls `abort()` or raises a werkzeug or Flask name itself."""
    for node in inference.walker.descendants(statement.body, stop_at=_NESTED_SCOPES):
        if isinstance(node, cst.Call) and inference.qualified(node.func, scopes) in _ABORTS:
            return True
        if isinstance(node, cst.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
            qualified = inference.qualified(raised, scopes)
            if qualified is None or qualified.partition(".")[0] in HTTP_ERROR_PACKAGES:
                return True
    return False


def _exception_class(
    inference: Resolver, expr: cst.BaseExpression, scopes: ScopeChain, depth: int, caught: bool = False
) -> bool | None:
    """Whether `expr` is an exception class that cannot be werkzeug's HTTPException (True) or
    may be (False); None when that is not evident. `caught`: it is named in an `except` clause."""
    if depth > _MAX_BASES:
        return None
    qualified = inference.qualified(expr, scopes)
    if qualified is not None:
        package, _, rest = qualified.partition(".")
        if package == "builtins":
            return True if rest in BUILTIN_EXCEPTIONS else None
        if not caught:
            return None
        return not (package in HTTP_ERROR_PACKAGES or package.startswith("flask_"))
    found = inference.lookup(expr.value, scopes) if isinstance(expr, cst.Name) else None
    if found is None or found[0].form is not Form.CLASS:
        return None
    definition = found[0].enclosing
    if (
        not isinstance(definition, cst.ClassDef)
        or not definition.bases
        or definition.keywords
        or definition.decorators  # a dataclass, which Flask's JSON provider encodes
        or not _SENDABLE_METHODS.isdisjoint(inference.scopes.bindings_in(definition))
    ):
        return None
    # Bases are judged as not caught, which never answers False: a class is evident only
    # when every base is an evident exception class.
    bases = [_exception_class(inference, base.value, found[1], depth + 1) for base in definition.bases]
    return True if all(base is True for base in bases) else None
