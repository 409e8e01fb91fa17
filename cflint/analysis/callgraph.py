"""The call graph of a function root: which function of the root's own code a call runs,
what runs when a module is imported, and which values reach a helper's parameter.

How a rule gets it: `self.file.call_graph` (`ParsedFile.call_graph`), built on first use and
shared by every rule of the file. Its home is the file being linted, as the rules see it (an
editor's unsaved buffer wins); the root's other modules are read through the `ModuleSource`
the engine gives, which parses each once per run and shares it between the root's files.
Building it costs nothing until a rule asks: a module is read only when a call is resolved
into it, and a root with one module reads nothing else.

What it answers, from the root's own code only (`FunctionRoot.own_modules`):
- `callee(call, place)`: the `Function` a call runs, when the code shows it: a function of
  the same file (`f()`), one imported from a module of the root (`from helpers import f`,
  `import helpers; helpers.f()`), or a method of a module-level instance of a class of the
  root (`store = Store()` ... `store.get()`), or `self.helper()` in a method of such a
  class (only when no class of the root derives from it and nothing assigns
  `self.helper`). A call of it must run its own body and give its result: an `async`
  function, one with a decorator that is not transparent (`cflint.analysis.decorators`,
  asked through the `transparency` the graph is given; only for a function at the top of
  its module), a name bound more than once, anything imported from elsewhere: None.
- `calls_in(function)`: the calls of a function's own body that run a `Function`.
- `reach(function)`: every function a function's calls reach, with the chain of calls
  that gets there, each function once (recursion ends the chain).
- `import_time(module)`: the calls into the root's functions that run when the module is
  imported: its top-level statements (not under `if __name__ == "__main__":`), decorators
  (`@register` calls `register` itself), default values, base classes and class bodies,
  and `Config()` of a class of the root, which runs the `__init__` the class defines.
- `parameter_values(function, name)`: every value a parameter can have: its default, and
  the argument each call in the root passes; None when a use of the function is not a
  plain call (passed along, stored, called with `*args`), so that the callers are unknown.
- `line(function)`: the line of a function's `def` in its own module; `location(function)`,
  `location_of(module, node)`: where a `def` or a node is, for messages (`line 12` in the
  file being linted, `helpers.py:12` in another module).

Bounds, so that a large root stays cheap: a chain is at most MAX_DEPTH calls long, a reach
visits at most MAX_FUNCTIONS functions, a root's own modules are at most
`cflint.project.MAX_OWN_MODULES` (`MAX_OWN_MODULE_DEPTH` package levels deep); past a
bound the graph answers "unknown", and rules then say nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import libcst as cst

from cflint.analysis.bindings import SCOPE_TYPES, Form, ScopeNode
from cflint.analysis.names import parameters
from cflint.analysis.positions import node_positions
from cflint.analysis.runtime import is_main_guard
from cflint.analysis.scopes import Scopes
from cflint.analysis.traversal import Walker
from cflint.project import FunctionRoot
from cflint.record import Record

MAX_DEPTH = 8
MAX_FUNCTIONS = 200


if TYPE_CHECKING:  # a protocol for type checkers only: defining one costs a run 80 k instructions

    class ModuleSource(Protocol):
        """Reads and parses a module of a root; None when it cannot be read or parsed."""

        def parsed(self, root: FunctionRoot, path: Path) -> tuple[str, cst.Module] | None: ...


class OwnModule(Record, frozen=True, eq=False):
    """A parsed module of the function root (`name` None: the file is in no root)."""

    name: str | None
    path: Path
    source: str
    module: cst.Module
    scopes: Scopes


class Function(Record, frozen=True, eq=False):
    """A plain function of the root's own code."""

    module: OwnModule
    definition: cst.FunctionDef

    @property
    def name(self) -> str:
        return self.definition.name.value


class Place(Record, frozen=True, eq=False):
    """Where code is evaluated: a module, and its def, lambda or class body (None: top level)."""

    module: OwnModule
    scope: ScopeNode | None = None


class CallEdge(Record, frozen=True, eq=False):
    """A call (or a decorator, which calls its function) that runs `callee`; `made`: the
    class whose instance the call makes, when `callee` is that class's `__init__`."""

    node: cst.CSTNode
    place: Place
    callee: Function
    made: cst.ClassDef | None = None

    @property
    def called(self) -> str:
        """The call as messages name it: `setup()`, or `Config()` for a class's `__init__`."""
        return f"{(self.made.name if self.made is not None else self.callee.definition.name).value}()"


class Reached(Record, frozen=True, eq=False):
    """A function reached through `chain`, the calls from the start to it, in order."""

    function: Function
    chain: tuple[CallEdge, ...]


class ArgumentValue(Record, frozen=True, eq=False):
    """A value a parameter can have: an argument of a call, or the parameter's default."""

    value: cst.BaseExpression
    place: Place


# Made with the graph: whether every decorator of a decorated function hands its result on unchanged.
Transparency = Callable[["CallGraph"], Callable[[Function], bool]]


def is_plain(definition: cst.FunctionDef) -> bool:
    """Whether what a call of the function runs is its own body: no decorator, not async."""
    return not definition.decorators and definition.asynchronous is None


class CallGraph:
    """The call graph of the function root of one file; get it through `ParsedFile.call_graph`."""

    def __init__(
        self,
        home: OwnModule,
        walker: Walker,
        root: FunctionRoot | None = None,
        source: ModuleSource | None = None,
        transparency: Transparency | None = None,
    ) -> None:
        self.home = home
        self.walker = walker
        self._root = root
        self._source = source
        self._transparent = transparency(self) if transparency is not None else None
        self._modules: dict[str, OwnModule | None] = {}
        if home.name is not None:
            self._modules[home.name] = home
        self._calls: dict[int, list[CallEdge]] = {}
        self._uses_of: dict[tuple[int, int], list[tuple[cst.Call, Place]] | None] = {}
        self._derived: dict[int, bool] = {}  # a class of the root: whether another may derive from it
        self._assigned: dict[int, frozenset[str]] = {}  # a class of the root: the attributes its body assigns

    # Modules

    def module(self, name: str) -> OwnModule | None:
        """The root's own module `name` (`helpers`, `lib.db`), parsed; None when it is not one."""
        if name in self._modules:
            return self._modules[name]
        found = None
        root, source = self._root, self._source
        path = root.own_modules.get(name) if root is not None else None
        if path is not None and root is not None and source is not None:
            if path == self.home.path:
                found = self.home
            else:
                parsed = source.parsed(root, path)
                if parsed is not None:
                    text, module = parsed
                    found = OwnModule(name, path, text, module, Scopes(module, self.walker))
        self._modules[name] = found
        return found

    def named_elsewhere(self) -> bool:
        """Whether another module of the root may call into the home module: one whose text
        holds the home module's last name, which each import the graph follows spells (or one
        that cannot be read). Reads no module's tree: False means no other module calls it."""
        if self._root is None or self.home.name is None:
            return False
        naming = self._paths_naming(self.home.name.rpartition(".")[2])
        return naming is None or any(path != self.home.path for path in naming)

    def _paths_naming(self, name: str) -> set[Path] | None:
        """The paths of the root's own modules whose text holds `name`, read as bytes, no tree
        parsed; None when one cannot be read, or `name` is not ASCII (a module may spell it in
        its own encoding)."""
        if self._root is None or not name.isascii():
            return None
        spelled = name.encode()
        found = set()
        for path in self._root.own_modules.values():
            try:
                if spelled in self._root.read_source_bytes(path):
                    found.add(path)
            except OSError:
                return None
        return found

    def modules(self) -> list[OwnModule] | None:
        """Every own module of the root (the home module alone when it is in none); None when
        one cannot be read or parsed, or the root has more than its bound, so that what they
        hold is not known."""
        if self._root is None or self.home.name is None:
            return [self.home]
        if not self._root.own_modules:
            return None
        found = []
        for name in self._root.own_modules:
            module = self.module(name)
            if module is None:
                return None
            found.append(module)
        if self.home.name not in self._root.own_modules:
            found.append(self.home)
        return found

    def modules_naming(self, name: str) -> list[OwnModule] | None:
        """The own modules of the root whose text holds `name`, in the order of `modules`:
        only they can call a function or derive from a class of that name (code that builds a
        name from pieces is not followed), so only they are parsed. None as for `modules`,
        when one of them cannot be parsed, or when a module cannot be read."""
        root = self._root
        paths = None if root is None or self.home.name is None or not root.own_modules else self._paths_naming(name)
        if root is None or paths is None:
            modules = self.modules()
            return None if modules is None else [module for module in modules if name in module.source]
        found = []
        for module_name, path in root.own_modules.items():
            if path == self.home.path:
                module: OwnModule | None = self.home if name in self.home.source else None
            else:
                module = self.module(module_name) if path in paths else None
                if path in paths and module is None:
                    return None
            if module is not None:
                found.append(module)
        if self.home.name not in root.own_modules and name in self.home.source:
            found.append(self.home)
        return found

    # Callees

    def runs_its_body(self, function: Function) -> bool:
        """Whether a call of the function runs its own body and gives its result: it is not
        `async`, and has no decorator or (at the top of its module) only transparent ones."""
        definition = function.definition
        if definition.asynchronous is not None:
            return False
        if not definition.decorators:
            return True
        if self._transparent is None or function.module.scopes.enclosing_scope(definition) is not None:
            return False
        return self._transparent(function)

    def callee(self, call: cst.Call, place: Place) -> Function | None:
        """The function of the root that `call`, evaluated at `place`, runs; None when unknown."""
        return self._callee_of(call.func, place)

    def _callee_of(self, func: cst.BaseExpression, place: Place) -> Function | None:
        scopes = place.module.scopes
        if isinstance(func, cst.Name):
            return self._named(place.module, func.value, place.scope, 0)
        if not isinstance(func, cst.Attribute):
            return None
        qualified = scopes.qualify(func, place.scope)
        if qualified is not None:
            return self._imported(qualified, 0)
        receiver = func.value
        if not isinstance(receiver, cst.Name):
            return None
        own_class = self._class_of_self(receiver, place)
        if own_class is not None:
            return self._own_method(place.module, own_class, func.attr.value)
        found = scopes.sole_binding(receiver.value, place.scope)
        if found is None or found[0] is not None or not isinstance(found[1].value, cst.Call):
            return None  # only module-level instances: `store = Store()`
        binding = found[1]
        if binding.form is not Form.ASSIGNMENT or binding.item or binding.conditional:
            return None
        assert isinstance(binding.value, cst.Call)
        made = self._class_of(binding.value.func, place.module)
        if made is None:
            return None
        module, definition = made
        return _method(module, definition, func.attr.value)

    def _named(self, module: OwnModule, name: str, scope: ScopeNode | None, depth: int) -> Function | None:
        found = module.scopes.sole_binding(name, scope)
        if found is None or (found[0] is None and module.scopes.star_import):
            return None
        binding = found[1]
        if binding.form is Form.DEF and binding.definition is not None:
            function = Function(module, binding.definition)
            return function if self.runs_its_body(function) else None
        if binding.form is Form.IMPORT and binding.imported is not None:
            return self._imported(binding.imported, depth + 1)
        return None

    def _imported(self, qualified: str, depth: int) -> Function | None:
        """The function `helpers.f` names: `f` defined (or imported) at the top of `helpers`."""
        if depth > MAX_DEPTH or qualified.startswith("."):
            return None
        module_name, _, name = qualified.rpartition(".")
        if not module_name:
            return None
        module = self.module(module_name)
        return None if module is None else self._named(module, name, None, depth)

    def _class_of_self(self, receiver: cst.Name, place: Place) -> cst.ClassDef | None:
        """The class at the top of its module whose plain method `place` is, when `receiver`
        is that method's first parameter, bound nowhere else."""
        method, scopes = place.scope, place.module.scopes
        if not isinstance(method, cst.FunctionDef) or not is_plain(method):
            return None
        owner = scopes.enclosing_scope(method)
        if not isinstance(owner, cst.ClassDef) or scopes.enclosing_scope(owner) is not None:
            return None
        positional = [*method.params.posonly_params, *method.params.params]
        if not positional or positional[0].name.value != receiver.value:
            return None
        found = scopes.sole_binding(receiver.value, method)
        return owner if found is not None and found[0] is method and found[1].form is Form.PARAMETER else None

    def _own_method(self, module: OwnModule, owner: cst.ClassDef, name: str) -> Function | None:
        """`self.name` in a method of `owner`: its own plain method `name`, unless a class of
        the root may derive from it (and override it) or an attribute of that name is assigned."""
        if owner.keywords:
            return None  # a metaclass may give the class other methods
        derived = self._derived.get(id(owner))
        if derived is None:
            modules = self.modules_naming(owner.name.value)
            derived = modules is None or any(_names_class(other, owner.name.value, self.walker) for other in modules)
            self._derived[id(owner)] = derived
        if derived:
            return None
        assigned = self._assigned.get(id(owner))
        if assigned is None:
            assigned = self._assigned[id(owner)] = _assigned_attributes(owner, self.walker)
        if name in assigned:
            return None
        return _method(module, owner, name)

    def _class_of(self, func: cst.BaseExpression, module: OwnModule) -> tuple[OwnModule, cst.ClassDef] | None:
        """The class of the root a module-level call makes an instance of."""
        if isinstance(func, cst.Name):
            found = module.scopes.sole_binding(func.value, None)
            if found is None:
                return None
            binding = found[1]
            if binding.form is Form.CLASS:
                statement = binding.statement
                if isinstance(statement, cst.ClassDef) and statement.name is binding.target:
                    return module, statement
                return None
            if binding.form is not Form.IMPORT or binding.imported is None:
                return None
            qualified = binding.imported
        else:
            qualified = module.scopes.qualify(func) or ""
        module_name, _, name = qualified.rpartition(".")
        other = self.module(module_name) if module_name and not qualified.startswith(".") else None
        if other is None or other is module:
            return None
        return self._class_of(cst.Name(name), other)

    # Calls and reach

    def calls_in(self, function: Function) -> list[CallEdge]:
        """The calls of the function's own body (not of functions nested in it) that run a
        function of the root, in the order they are written."""
        key = id(function.definition)
        found = self._calls.get(key)
        if found is None:
            place = Place(function.module, function.definition)
            found = []
            for node in self.walker.descendants(function.definition.body, stop_at=SCOPE_TYPES):
                if type(node) is cst.Call:
                    callee = self.callee(node, place)
                    if callee is not None:
                        found.append(CallEdge(node, place, callee))
            self._calls[key] = found
        return found

    def reach(self, start: Function, first: CallEdge | None = None) -> Iterator[Reached]:
        """`start` and every function its calls reach, breadth first, each once, within the
        bounds (`first`: the call that runs `start`, to begin each chain with)."""
        chain0 = (first,) if first is not None else ()
        seen = {id(start.definition)}
        queue = [Reached(start, chain0)]
        index = 0
        while index < len(queue) and index < MAX_FUNCTIONS:
            current = queue[index]
            index += 1
            yield current
            if len(current.chain) >= MAX_DEPTH:
                continue
            for edge in self.calls_in(current.function):
                if id(edge.callee.definition) not in seen:
                    seen.add(id(edge.callee.definition))
                    queue.append(Reached(edge.callee, (*current.chain, edge)))

    def import_time(self, module: OwnModule) -> list[CallEdge]:
        """The calls into the root's functions that run when `module` is imported, in order."""
        found: list[CallEdge] = []
        blocks: list[tuple[list[cst.CSTNode], ScopeNode | None]] = [(list(module.module.body), None)]
        while blocks:
            statements, scope = blocks.pop(0)
            place = Place(module, scope)
            for statement in statements:
                for node, inner in self._runs_at_import(statement, scope):
                    if inner is not None:
                        blocks.append((list(inner.body.body), inner))
                    elif type(node) is cst.Decorator:
                        callee = self._callee_of(node.decorator, place)
                        if callee is not None and not isinstance(node.decorator, cst.Call):
                            found.append(CallEdge(node, place, callee))
                    elif type(node) is cst.Call:
                        callee = self.callee(node, place)
                        if callee is not None:
                            found.append(CallEdge(node, place, callee))
                        else:
                            found.extend(self._instantiation(node, place))
        return found

    def _instantiation(self, call: cst.Call, place: Place) -> list[CallEdge]:
        """`Config()` of a class of the root: the call runs the `__init__` its own body defines.
        Not when `__new__` or a metaclass may decide otherwise."""
        func = call.func
        if isinstance(func, cst.Name):
            found = place.module.scopes.sole_binding(func.value, place.scope)
            if found is None or found[0] is not None:
                return []  # only a module-level name is resolved by `_class_of`
        made = self._class_of(func, place.module)
        if made is None:
            return []
        module, definition = made
        if definition.keywords or _defines(definition, "__new__"):
            return []
        init = _method(module, definition, "__init__")
        return [] if init is None else [CallEdge(call, place, init, definition)]

    def _runs_at_import(
        self, statement: cst.CSTNode, scope: ScopeNode | None
    ) -> Iterator[tuple[cst.CSTNode, cst.ClassDef | None]]:
        """The nodes of a statement run when it runs: not function and lambda bodies, nor
        `if __name__ == "__main__":` blocks; a class body is given as the class (a block of its own)."""
        stack: list[cst.CSTNode] = [statement]
        while stack:
            node = stack.pop()
            if type(node) is cst.If and is_main_guard(node.test):
                if node.orelse is not None:
                    stack.append(node.orelse)
                continue
            yield node, None
            if type(node) is cst.Lambda:
                stack.extend(reversed([p.default for p in parameters(node.params) if p.default is not None]))
                continue
            if type(node) is cst.FunctionDef or type(node) is cst.ClassDef:
                outer = [child for child in self.walker.children(node) if child is not node.body]
                stack.extend(reversed(outer))
                if isinstance(node, cst.ClassDef):
                    yield node, node
                continue
            stack.extend(reversed(self.walker.children(node)))

    # Parameters

    def parameter_values(self, function: Function, name: str) -> list[ArgumentValue] | None:
        """Every value the parameter `name` of `function` can have: its default and each call's
        argument; None when a caller is not known or passes it in a way not shown."""
        definition = function.definition
        if not is_plain(definition) or function.module.scopes.enclosing_scope(definition) is not None:
            return None  # a nested function or a method: its callers are not all plain calls
        positional = [*definition.params.posonly_params, *definition.params.params]
        param = next((p for p in parameters(definition.params, stars=False) if p.name.value == name), None)
        if param is None:
            return None
        index = next((i for i, p in enumerate(positional) if p is param), None)
        keyword_allowed = param not in definition.params.posonly_params
        values: list[ArgumentValue] = []
        if param.default is not None:
            values.append(ArgumentValue(param.default, Place(function.module, None)))
        modules = self.modules_naming(function.name)
        if modules is None:
            return None
        for module in modules:
            uses = self._uses(module, function)
            if uses is None:
                return None
            for call, place in uses:
                if any(arg.star for arg in call.args):
                    return None
                passed = None
                positionals = [arg for arg in call.args if arg.keyword is None]
                if index is not None and index < len(positionals):
                    passed = positionals[index].value
                for arg in call.args:
                    if keyword_allowed and arg.keyword is not None and arg.keyword.value == name:
                        passed = arg.value
                if passed is not None:
                    values.append(ArgumentValue(passed, place))
        return values

    def _uses(self, module: OwnModule, function: Function) -> list[tuple[cst.Call, Place]] | None:
        """The calls of `function` in `module`; None when its name is used otherwise there."""
        key = (id(module), id(function.definition))
        if key not in self._uses_of:
            self._uses_of[key] = self._find_uses(module, function)
        return self._uses_of[key]

    def _find_uses(self, module: OwnModule, function: Function) -> list[tuple[cst.Call, Place]] | None:
        name = function.name
        calls: list[tuple[cst.Call, Place]] = []
        called: set[int] = set()
        names = 0
        for node, scope in _nodes_with_scopes(module.module, self.walker):
            if type(node) is cst.Call:
                call: cst.Call = node
                func = call.func
                if (isinstance(func, cst.Name) and func.value == name) or (
                    isinstance(func, cst.Attribute) and func.attr.value == name
                ):
                    place = Place(module, scope)
                    callee = self.callee(call, place)
                    if callee is not None and callee.definition is function.definition:
                        calls.append((call, place))
                        called.add(id(func.attr if isinstance(func, cst.Attribute) else func))
            elif type(node) is cst.Attribute and node.attr.value == name:
                qualified = module.scopes.qualify(node, scope)
                if qualified is None or qualified != f"{function.module.name}.{name}":
                    called.add(id(node.attr))  # another object's attribute of the same name
            elif type(node) is cst.Name and node.value == name:
                names += id(node) not in called and node is not function.definition.name
        return calls if names == 0 else None

    # Messages

    def line(self, function: Function) -> int:
        """The line of the function's name in its `def`, in its own module."""
        name = function.definition.name
        return node_positions(function.module.module, [name])[name][0].line

    def location(self, function: Function) -> str:
        """Where a function is defined, for messages: `line 12` in the home module,
        `helpers.py:12` in another (its path from the home module's folder)."""
        return self.location_of(function.module, function.definition.name)

    def location_of(self, module: OwnModule, node: cst.CSTNode) -> str:
        """Where a node of a module starts, for messages, as `location` words it."""
        return self.locations_of(module, [node])[node]

    def locations_of(self, module: OwnModule, nodes: Sequence[cst.CSTNode]) -> dict[cst.CSTNode, str]:
        """`location_of` for several nodes of one module, from one pass over its code."""
        positions = node_positions(module.module, nodes)
        if module is self.home:
            return {node: f"line {positions[node][0].line}" for node in nodes}
        path = os.path.relpath(module.path, self.home.path.parent)
        return {node: f"{path}:{positions[node][0].line}" for node in nodes}


def _nodes_with_scopes(module: cst.Module, walker: Walker) -> Iterator[tuple[cst.CSTNode, ScopeNode | None]]:
    """Every node of a module (not inside imports) with the scope its code is evaluated in."""
    stack: list[tuple[cst.CSTNode, ScopeNode | None]] = [(child, None) for child in reversed(walker.children(module))]
    while stack:
        node, scope = stack.pop()
        yield node, scope
        if type(node) in (cst.Import, cst.ImportFrom):
            continue
        if isinstance(node, SCOPE_TYPES):
            inner: cst.CSTNode = node.body
            children = [(child, node if child is inner else scope) for child in walker.children(node)]
        else:
            children = [(child, scope) for child in walker.children(node)]
        stack.extend(reversed(children))


def _names_class(module: OwnModule, name: str, walker: Walker) -> bool:
    """Whether a class of the module lists a base named `name` (`Base`, `models.Base`)."""
    if name not in module.source:
        return False
    for node in walker.descendants(module.module):
        if isinstance(node, cst.ClassDef):
            for base in node.bases:
                value = base.value
                if (isinstance(value, cst.Name) and value.value == name) or (
                    isinstance(value, cst.Attribute) and value.attr.value == name
                ):
                    return True
    return False


def _assigned_attributes(definition: cst.ClassDef, walker: Walker) -> frozenset[str]:
    """The attribute names a class's body assigns anywhere (`self.fetch = ...`), whatever the object."""
    names = set()
    for node in walker.descendants(definition.body):
        if isinstance(node, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign)):
            target = node.target
            if isinstance(target, cst.Attribute):
                names.add(target.attr.value)
    return frozenset(names)


def _defines(definition: cst.ClassDef, name: str) -> bool:
    """Whether a class's own body defines a method `name`."""
    body = definition.body.body if isinstance(definition.body, cst.IndentedBlock) else ()
    return any(isinstance(statement, cst.FunctionDef) and statement.name.value == name for statement in body)


def _method(module: OwnModule, definition: cst.ClassDef, name: str) -> Function | None:
    """The plain method `name` a class defines in its own body."""
    if definition.decorators or not isinstance(definition.body, cst.IndentedBlock):
        return None
    found = [
        statement
        for statement in definition.body.body
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name
    ]
    if len(found) != 1 or not is_plain(found[0]):
        return None
    return Function(module, found[0])
