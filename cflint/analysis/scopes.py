"""The one model of what binds a name, scope by scope: every other analysis reads it.

`Scopes(module, walker)` (shared through `ParsedFile.analysis(Scopes)`) knows, for the
module and every function, lambda and class body, each binding made there (`Binding`):
assignment targets, augmented and annotated assignments, `for`, `with ... as`,
`except ... as`, imports, `def`, `class`, parameters, walrus, comprehension variables,
`match` captures (`as`, star, mapping rest), `del`, type parameters and `type` aliases.

Rules place code in its innermost def, lambda or class body, so those (and the module)
are the scopes. A comprehension is not a scope of its own here: its variables count as
bound in the scope around it, so a name reused there is bound more than once and nothing
is followed through it. A walrus binds in that scope too, as Python does.

`global` and `nonlocal` redirect: a name declared so is not bound in the declaring scope;
its bindings there are recorded in the module, or in the enclosing function that binds
it. Class bodies are skipped when looking a name up from a nested function, except for
their type parameters.

`qualify(expr, scope)` resolves a name through imports: the qualified name when every
binding the use can see is an import of the same thing, `builtins.<name>` when nothing
binds it (unless the module has a star import), else None. Nothing is guessed.

The module's parents and `global` / `nonlocal` statements are found in one walk when the
model is built; each scope's bindings are collected when first asked for.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping

import libcst as cst
from msgspec import Struct, field

from cflint.analysis.traversal import Walker

ScopeNode = cst.FunctionDef | cst.Lambda | cst.ClassDef
_SCOPE_TYPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_SCOPE_TYPE_SET = frozenset(_SCOPE_TYPES)
_DECLARATIONS = frozenset({cst.Global, cst.Nonlocal})


class Form(enum.Enum):
    """How a name is bound."""

    ASSIGNMENT = "x = ..."
    AUGMENTED = "x += ..."
    ANNOTATED = "x: T = ..."
    ANNOTATION = "x: T"  # makes the name local, binds no value
    FOR = "for x in ..."
    WITH = "with ... as x"
    EXCEPT = "except ... as x"
    IMPORT = "import"
    DEF = "def"
    CLASS = "class"
    PARAMETER = "parameter"
    WALRUS = "x := ..."
    COMPREHENSION = "comprehension variable"
    MATCH = "match capture"
    DEL = "del x"
    TYPE_PARAMETER = "type parameter"
    TYPE_ALIAS = "type x = ..."


class Binding(Struct, frozen=True, eq=False):
    """One binding of `name`, spelled at `target`.

    `value` is the expression the name is bound to when that is known (`x = value`,
    `x: T = value`, `x := value`, `with value as x`), or whose items it is bound to when
    `item` (`for x in value`, comprehension variables). `made_in` is the scope whose code
    makes the binding (None for the module), where `value` is evaluated; it differs from
    the scope the name is bound in for `global` and `nonlocal` names. `statement` is the
    statement of that scope's body holding the binding, `enclosing` the innermost
    statement (an except or case clause counts as one) and `conditional` whether the
    binding sits in an if, loop, try or match block of that scope.
    """

    name: str
    form: Form
    target: cst.CSTNode
    made_in: ScopeNode | None
    statement: cst.CSTNode
    enclosing: cst.CSTNode
    conditional: bool
    value: cst.BaseExpression | None = None
    item: bool = False
    definition: cst.FunctionDef | None = None
    imported: str | None = None  # the qualified name an import binds

    @property
    def binds_value(self) -> bool:
        """Whether the binding gives the name a value (an annotation alone does not)."""
        return self.form is not Form.ANNOTATION


class Scope(Struct):
    """The bindings of one scope: the module (`node` None), a def, lambda or class body."""

    node: ScopeNode | None
    parent: Scope | None
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)
    own: dict[str, list[Binding]] | None = None  # collected on first use
    redirected: list[Binding] = field(default_factory=list)  # made here, bound elsewhere
    incoming: dict[str, list[Binding]] = field(default_factory=dict)  # made elsewhere, bound here
    star_import: bool = False

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, cst.ClassDef)

    def declares(self, name: str) -> bool:
        return name in self.declared_global or name in self.declared_nonlocal


def dotted_name(node: cst.BaseExpression | None) -> str | None:
    """`a.b.c` for a Name or a chain of attributes on one, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def target_names(target: cst.BaseExpression) -> Iterator[cst.Name]:
    """The names an assignment, `for`, `with` or `del` target binds: `a`, `a, (b, *c)`, `[a, b]`."""
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from target_names(target.value)


def parameters(params: cst.Parameters, *, stars: bool = True) -> Iterator[cst.Param]:
    """A signature's parameters in order: positional-only, ordinary, `*args`, keyword-only,
    `**kwargs` (the last two kinds only when `stars`)."""
    yield from params.posonly_params
    yield from params.params
    if stars and isinstance(params.star_arg, cst.Param):
        yield params.star_arg
    yield from params.kwonly_params
    if stars and params.star_kwarg is not None:
        yield params.star_kwarg


def _imported_names(node: cst.Import | cst.ImportFrom) -> Iterator[tuple[cst.Name, str]]:
    """(local name, qualified name) for each name an import binds."""
    if isinstance(node.names, cst.ImportStar):
        return
    if isinstance(node, cst.Import):
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                yield alias.asname.name, full
            else:
                head: cst.BaseExpression = alias.name
                while isinstance(head, cst.Attribute):
                    head = head.value
                if isinstance(head, cst.Name):
                    yield head, head.value
        return
    base = "." * len(node.relative) + (dotted_name(node.module) or "")
    for alias in node.names:
        name = dotted_name(alias.name) or ""
        local = alias.asname.name if alias.asname is not None else alias.name
        if isinstance(local, cst.Name):
            yield local, f"{base}.{name}" if base and not base.endswith(".") else f"{base}{name}"


def _type_parameter_names(node: cst.TypeParameters | None) -> Iterator[cst.Name]:
    if node is not None:
        for param in node.params:
            yield param.param.name


# Compound statements whose blocks may not run (a `with` block always does).
_BRANCHING = frozenset({cst.If, cst.For, cst.While, cst.Try, cst.TryStar, cst.Match})
_BLOCKS = frozenset(
    {
        cst.IndentedBlock,
        cst.SimpleStatementSuite,
        cst.Else,
        cst.Finally,
        cst.ExceptHandler,
        cst.ExceptStarHandler,
        cst.MatchCase,
        cst.If,
    }
)
# Nodes that count as the innermost statement around a binding.
_STATEMENTS = frozenset(
    {
        *(
            node_type
            for node_type in vars(cst).values()
            # The MRO, not issubclass(): LibCST's bases are ABCs, and filling their subclass
            # caches for every name in `libcst` would slow every run's start-up.
            if isinstance(node_type, type)
            and not {cst.BaseSmallStatement, cst.BaseCompoundStatement}.isdisjoint(node_type.__mro__)
        ),
        cst.SimpleStatementLine,
        cst.ExceptHandler,
        cst.ExceptStarHandler,
        cst.MatchCase,
    }
)
# Nodes that bind a name; collection skips every other node by its exact type.
_BINDERS = frozenset(
    {
        cst.Assign,
        cst.AnnAssign,
        cst.AugAssign,
        cst.For,
        cst.CompFor,
        cst.WithItem,
        cst.ExceptHandler,
        cst.ExceptStarHandler,
        cst.Import,
        cst.ImportFrom,
        cst.NamedExpr,
        cst.MatchAs,
        cst.MatchStar,
        cst.MatchMapping,
        cst.Del,
        cst.TypeAlias,
    }
)


class _Collector:
    """Collects the bindings made by one scope's own code."""

    def __init__(self, scope: Scope, module: cst.Module) -> None:
        self.scope = scope
        self.module = module
        self.found: dict[str, list[Binding]] = {}
        # Parameters and type parameters are bound by the def itself.
        self.statement: cst.CSTNode = scope.node or module
        self.enclosing: cst.CSTNode = self.statement
        self.conditional = False

    def add(
        self,
        target: cst.Name,
        form: Form,
        *,
        value: cst.BaseExpression | None = None,
        item: bool = False,
        definition: cst.FunctionDef | None = None,
        imported: str | None = None,
    ) -> None:
        binding = Binding(
            target.value,
            form,
            target,
            self.scope.node,
            self.statement,
            self.enclosing,
            self.conditional,
            value,
            item,
            definition,
            imported,
        )
        if self.scope.node is not None and self.scope.declares(target.value):
            self.scope.redirected.append(binding)
        else:
            self.found.setdefault(target.value, []).append(binding)

    def add_target(
        self, target: cst.BaseExpression, form: Form, value: cst.BaseExpression | None = None, item: bool = False
    ) -> None:
        """Bind the names of `target`; only a plain name is bound to a known value."""
        if value is not None and isinstance(target, cst.Name):
            self.add(target, form, value=value, item=item)
        else:
            for name in target_names(target):
                self.add(name, form)

    def bind(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Assign):
            for target in node.targets:
                self.add_target(target.target, Form.ASSIGNMENT, node.value)
        elif isinstance(node, cst.AnnAssign):
            if node.value is None:
                self.add_target(node.target, Form.ANNOTATION)
            else:
                self.add_target(node.target, Form.ANNOTATED, node.value)
        elif isinstance(node, cst.AugAssign):
            self.add_target(node.target, Form.AUGMENTED)
        elif isinstance(node, cst.For):
            self.conditional = True  # the loop may run no times
            self.add_target(node.target, Form.FOR, node.iter, item=True)
        elif isinstance(node, cst.CompFor):
            self.add_target(node.target, Form.COMPREHENSION, node.iter, item=True)
        elif isinstance(node, cst.WithItem):
            if node.asname is not None:
                self.add_target(node.asname.name, Form.WITH, node.item)
        elif isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)):
            if node.name is not None:
                self.add_target(node.name.name, Form.EXCEPT)
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            if isinstance(node.names, cst.ImportStar):
                if self.scope.node is None:
                    self.scope.star_import = True
                return
            for local, qualified in _imported_names(node):
                self.add(local, Form.IMPORT, imported=qualified)
        elif isinstance(node, cst.NamedExpr):
            self.add_target(node.target, Form.WALRUS, node.value)
        elif isinstance(node, (cst.MatchAs, cst.MatchStar)):
            if node.name is not None:
                self.add(node.name, Form.MATCH)
        elif isinstance(node, cst.MatchMapping):
            if node.rest is not None:
                self.add(node.rest, Form.MATCH)
        elif isinstance(node, cst.Del):
            self.add_target(node.target, Form.DEL)
        elif isinstance(node, cst.TypeAlias):
            self.add(node.name, Form.TYPE_ALIAS)

    def collect(self, walker: Walker) -> dict[str, list[Binding]]:
        owner = self.scope.node
        if isinstance(owner, (cst.FunctionDef, cst.Lambda)):
            for param in parameters(owner.params):
                self.add(param.name, Form.PARAMETER)
        if isinstance(owner, (cst.FunctionDef, cst.ClassDef)):
            for name in _type_parameter_names(owner.type_parameters):
                self.add(name, Form.TYPE_PARAMETER)
        if owner is None or isinstance(owner, cst.Lambda):
            roots: list[cst.CSTNode] = [owner.body] if isinstance(owner, cst.Lambda) else walker.children(self.module)
        else:
            roots = walker.children(owner.body)
        for root in roots:
            self.statement = root  # _walk sets enclosing and conditional node by node
            self._walk(root, walker)
        return self.found

    def _walk(self, root: cst.CSTNode, walker: Walker) -> None:
        stack: list[tuple[cst.CSTNode, cst.CSTNode, bool]] = [(root, root, False)]
        while stack:
            node, enclosing, conditional = stack.pop()
            node_type = type(node)
            if node_type in _STATEMENTS:
                enclosing = node
            self.enclosing, self.conditional = enclosing, conditional
            if node_type in _BINDERS:
                self.bind(node)
            children = self._outer_parts(node, walker) if isinstance(node, _SCOPE_TYPES) else walker.children(node)
            branching = node_type in _BRANCHING
            for child in reversed(children):
                inner = conditional or (branching and type(child) in _BLOCKS)
                stack.append((child, enclosing, inner))

    def _outer_parts(self, node: ScopeNode, walker: Walker) -> list[cst.CSTNode]:
        """Bind a nested def or class here; its decorators, defaults, annotations and
        bases are evaluated here too, its body is a scope of its own."""
        if isinstance(node, cst.FunctionDef):
            self.add(node.name, Form.DEF, definition=node)
        elif isinstance(node, cst.ClassDef):
            self.add(node.name, Form.CLASS)
        return [
            child for child in walker.children(node) if child is not node.body and type(child) is not cst.TypeParameters
        ]


class Scopes:
    """The scopes of one module; build it through `ParsedFile.analysis(Scopes)`."""

    def __init__(self, module: cst.Module, walker: Walker | None = None) -> None:
        self.module = module
        self._walker = walker or Walker()
        self._module_scope = Scope(None, None)
        self._scopes: dict[int, Scope] = {}
        self._declaring: list[Scope] = []
        self._redirects_done = False
        self._register()

    @property
    def walker(self) -> Walker:
        return self._walker

    def _register(self) -> None:
        """Find every def, lambda and class with the scope it sits in, and the names each declares."""
        children = self._walker.children
        stack: list[tuple[cst.CSTNode, Scope]] = [(child, self._module_scope) for child in children(self.module)]
        while stack:
            node, owner = stack.pop()
            node_type = type(node)
            if node_type in _SCOPE_TYPE_SET:
                owner = self._scopes[id(node)] = Scope(node, owner)  # type: ignore[arg-type]
            elif node_type in _DECLARATIONS and owner.node is not None:
                names = {item.name.value for item in node.names}  # type: ignore[attr-defined]
                if not owner.declared_global and not owner.declared_nonlocal:
                    self._declaring.append(owner)
                if node_type is cst.Global:
                    owner.declared_global |= names
                else:
                    owner.declared_nonlocal |= names
            stack.extend((child, owner) for child in children(node))

    def scope(self, node: ScopeNode | None) -> Scope:
        """The scope of a def, lambda or class met in this module (None: the module)."""
        return self._module_scope if node is None else self._scopes[id(node)]

    def enclosing_scope(self, node: ScopeNode) -> ScopeNode | None:
        """The def, lambda or class that `node` is defined in; None at module level."""
        parent = self.scope(node).parent
        assert parent is not None  # only the module's scope has no parent
        return parent.node

    def _own(self, scope: Scope) -> dict[str, list[Binding]]:
        if scope.own is None:
            scope.own = _Collector(scope, self.module).collect(self._walker)
        return scope.own

    def _apply_redirects(self) -> None:
        """Move the bindings of `global` and `nonlocal` names to the scope they bind in."""
        if self._redirects_done:
            return
        self._redirects_done = True
        for scope in self._declaring:
            self._own(scope)
            for binding in scope.redirected:
                target = self._redirect_target(scope, binding.name)
                if target is None:  # `nonlocal` with nothing to refer to: keep it local
                    assert scope.own is not None
                    scope.own.setdefault(binding.name, []).append(binding)
                else:
                    target.incoming.setdefault(binding.name, []).append(binding)

    def _redirect_target(self, scope: Scope, name: str) -> Scope | None:
        if name in scope.declared_global:
            return self._module_scope
        current = scope.parent
        while current is not None and current.node is not None:
            if not current.is_class:
                if name in current.declared_global:
                    return self._module_scope
                if name not in current.declared_nonlocal and name in self._own(current):
                    return current
            current = current.parent
        return None

    def bindings_in(self, node: ScopeNode | None) -> Mapping[str, list[Binding]]:
        """Every binding made in a scope, by name, with those redirected into it."""
        scope = self.scope(node)
        self._apply_redirects()
        own = self._own(scope)
        if not scope.incoming:
            return own
        merged = {name: list(found) for name, found in own.items()}
        for name, found in scope.incoming.items():
            merged.setdefault(name, []).extend(found)
        return merged

    def visible(self, name: str, node: ScopeNode | None) -> tuple[ScopeNode | None, list[Binding]] | None:
        """Where `name`, used in the body of `node` (None: module level), is bound, and by
        what; None when nothing in the module binds it."""
        self._apply_redirects()
        start = current = self.scope(node)
        while current.node is not None:
            if current is start or not current.is_class:
                if name in current.declared_global:
                    break
                if name not in current.declared_nonlocal:
                    found = self._bindings_of(current, name)
                    if found:
                        return current.node, found
            else:
                found = [b for b in self._own(current).get(name, ()) if b.form is Form.TYPE_PARAMETER]
                if found:
                    return current.node, found
            assert current.parent is not None
            current = current.parent
        found = self._bindings_of(self._module_scope, name)
        return (None, found) if found else None

    def _bindings_of(self, scope: Scope, name: str) -> list[Binding]:
        own = self._own(scope).get(name, [])
        incoming = scope.incoming.get(name)
        return [*own, *incoming] if incoming else own

    @property
    def star_import(self) -> bool:
        """Whether the module imports `*` from somewhere: unbound names may come from it."""
        self._own(self._module_scope)
        return self._module_scope.star_import

    def qualify(self, expr: cst.BaseExpression, node: ScopeNode | None = None) -> str | None:
        """The qualified name of a Name or attribute chain used in the body of `node`:
        `req.args` after `from flask import request as req` is `flask.request.args`."""
        dotted = dotted_name(expr)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        found = self.visible(head, node)
        if found is None:
            resolved = None if self.star_import else f"builtins.{head}"
        else:
            imported = {binding.imported for binding in found[1]}
            resolved = imported.pop() if len(imported) == 1 else None
        if resolved is None:
            return None
        return f"{resolved}.{rest}" if rest else resolved

    def sole_binding(self, name: str, node: ScopeNode | None) -> tuple[ScopeNode | None, Binding] | None:
        """The one binding a use of `name` in the body of `node` can see, with the scope it
        binds in; None when there are several, or it was made through `global` / `nonlocal`."""
        found = self.visible(name, node)
        if found is None:
            return None
        where, bindings = found
        values = [binding for binding in bindings if binding.binds_value]
        if len(values) != 1 or values[0].made_in is not where:
            return None
        return where, values[0]
