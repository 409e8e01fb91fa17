"""What binds a name in one scope: the forms a binding takes (`Form`), one binding (`Binding`),
one scope's bindings (`Scope`), and the collector that finds the bindings a scope's own code
makes: assignment targets, augmented and annotated assignments, `for`, `with ... as`,
`except ... as`, imports, `def`, `class`, parameters, walrus, comprehension variables,
`match` captures (`as`, star, mapping rest), `del`, type parameters and `type` aliases.

A binding of a name the scope declares `global` or `nonlocal` is set aside as redirected;
`cflint.analysis.scopes.Scopes` moves it to the scope it binds in.
"""

from __future__ import annotations

import enum
from itertools import repeat

import libcst as cst

from cflint.analysis.names import imported_names, parameters, target_names, type_parameter_names
from cflint.analysis.traversal import Walker
from cflint.record import Record, field

ScopeNode = cst.FunctionDef | cst.Lambda | cst.ClassDef
SCOPE_TYPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_SCOPE_TYPE_SET = frozenset(SCOPE_TYPES)  # LibCST's node classes are final: a type test is exact


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


class Binding(Record, frozen=True, eq=False):
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


class Scope(Record):
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


class Collector:
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
            for local, qualified in imported_names(node):
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
            for name in type_parameter_names(owner.type_parameters):
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
        pop, push, extend, children_of = stack.pop, stack.append, stack.extend, walker.children
        while stack:
            node, enclosing, conditional = pop()
            node_type = type(node)
            if node_type in _STATEMENTS:
                enclosing = node
            if node_type in _SCOPE_TYPE_SET:
                self.enclosing, self.conditional = enclosing, conditional
                children = self._outer_parts(node, walker)  # type: ignore[arg-type]
            else:
                if node_type in _BINDERS:
                    self.enclosing, self.conditional = enclosing, conditional
                    self.bind(node)
                children = children_of(node)
            children.reverse()
            if node_type in _BRANCHING and not conditional:
                for child in children:
                    push((child, enclosing, type(child) in _BLOCKS))
            else:
                extend(zip(children, repeat(enclosing), repeat(conditional)))

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
