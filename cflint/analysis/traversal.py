"""One read-only walk over a LibCST tree that calls every rule's visit/leave methods.

LibCST's own `visit` rebuilds each node as it goes and recurses in Python; this walk
only reads the tree, skips whitespace and punctuation, and keeps its own stack, so deep
nesting cannot exhaust the interpreter's recursion limit here.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import libcst as cst

NodeCallback = Callable[[cst.CSTNode], object]

_FORMATTING_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "colon",
        "equal",
        "lbrace",
        "rbrace",
        "lbracket",
        "rbracket",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "trailing_whitespace",
        "newline",
        "first_colon",
        "second_colon",
        "dot",
        "empty_lines",
        "leading_whitespace",
        "trailing_comma",
        "default_indent",
        "default_newline",
        "encoding",
        "has_trailing_newline",
    }
)
_LEADING_FIELDS = ("decorators", "asynchronous")


def _child_fields(node_type: type) -> tuple[str, ...]:
    names = [
        f.name
        for f in dataclasses.fields(node_type)
        if f.name not in _FORMATTING_FIELDS and not f.name.startswith("whitespace")
    ]
    leading = [name for name in _LEADING_FIELDS if name in names]
    return (*leading, *(name for name in names if name not in leading))


def _concrete_node_types() -> set[type]:
    found: set[type] = set()
    pending = [cst.CSTNode]
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass not in found:
                found.add(subclass)
                pending.append(subclass)
    return found


class Walker:
    """Walks trees, dispatching `visit_<Node>` / `leave_<Node>` callbacks by node type."""

    def __init__(self) -> None:
        # A node's field values: nodes, sequences of nodes, or anything else (told apart by type).
        self._getters: dict[type, Callable[[cst.CSTNode], tuple[Any, ...]]] = {}
        # `type(x) in` a set is much cheaper than isinstance against the CSTNode ABC.
        self._node_types = frozenset(_concrete_node_types())
        self._stops: dict[tuple[type[cst.CSTNode], ...], frozenset[type]] = {}

    def _getter(self, node_type: type) -> Callable[[cst.CSTNode], tuple[Any, ...]]:
        found = self._getters.get(node_type)
        if found is None:
            names = _child_fields(node_type)
            if len(names) == 1:
                single = operator.attrgetter(names[0])
                found = lambda node: (single(node),)  # noqa: E731
            elif names:
                found = operator.attrgetter(*names)
            else:
                found = lambda node: ()  # noqa: E731
            self._getters[node_type] = found
        return found

    def walk(
        self,
        root: cst.CSTNode,
        visitors: Mapping[str, Sequence[NodeCallback]],
        leavers: Mapping[str, Sequence[NodeCallback]],
    ) -> None:
        """Call `visitors[type name]` before a node's children and `leavers[...]` after."""
        if not visitors and not leavers:
            return
        # Each stack entry is a node to enter, or a (node,) marker to leave it.
        stack: list[cst.CSTNode | tuple[cst.CSTNode]] = [root]
        pop, push, extend = stack.pop, stack.append, stack.extend
        children_of = self.children
        while stack:
            item = pop()
            if type(item) is tuple:  # twice as fast as isinstance here, but mypy cannot narrow by it
                node = item[0]
                for callback in leavers.get(type(node).__name__, ()):
                    callback(node)
                continue
            node = item  # type: ignore[assignment]
            name = type(node).__name__
            for callback in visitors.get(name, ()):
                callback(node)
            if name in leavers:
                push((node,))
            children = children_of(node)
            children.reverse()
            extend(children)

    def children(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        """The node's direct children that are not whitespace or punctuation, in order."""
        found: list[cst.CSTNode] = []
        node_types = self._node_types
        getter = self._getters.get(type(node)) or self._getter(type(node))
        for value in getter(node):
            value_type = type(value)
            if value_type in node_types:
                found.append(value)
            elif value_type is list or value_type is tuple:
                # A field that holds a sequence holds nodes only (LibCST's types say so).
                found.extend(value)
        return found

    def descendants(self, node: cst.CSTNode, stop_at: tuple[type[cst.CSTNode], ...] = ()) -> Iterator[cst.CSTNode]:
        """Nodes below `node`, depth first; a `stop_at` node is yielded but not entered."""
        stops = self._stop_types(stop_at)
        stack = self.children(node)
        stack.reverse()
        while stack:
            current = stack.pop()
            yield current
            if type(current) not in stops:
                below = self.children(current)
                below.reverse()
                stack.extend(below)

    def _stop_types(self, stop_at: tuple[type[cst.CSTNode], ...]) -> frozenset[type]:
        """The concrete node types that are instances of `stop_at`, worked out once."""
        found = self._stops.get(stop_at)
        if found is None:
            # By the classes' own bases: issubclass against LibCST's abstract bases goes through
            # ABCMeta's checks and caches for each pair.
            found = self._stops[stop_at] = frozenset(
                t for t in self._node_types if any(base in t.__mro__ for base in stop_at)
            )
        return found
