"""What a rule proposes as a fix: LibCST node replacements or exact text edits, turned into
text edits of the file by generating the module's code with each replacement in place."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from cflint.fix.model import Fix, Safety, TextEdit
from cflint.fix.text import LineIndex, edit_between


@dataclass(frozen=True)
class Replace:
    """Put `replacement` where `node` is (a node of the parsed module, found by identity)."""

    node: cst.CSTNode
    replacement: cst.CSTNode


Change = Replace | TextEdit


@dataclass(frozen=True)
class FixProposal:
    """A rule's fix for one finding, before its edits are known."""

    safety: Safety
    description: str
    changes: tuple[Change, ...]


class UnplaceableFix(Exception):
    """A replacement whose node is not in the module, or that LibCST refuses."""


class ModuleEditor:
    """Turns replacements in one module into text edits; parents are mapped on first use."""

    def __init__(self, module: cst.Module, source: str) -> None:
        self.module = module
        self.source = source
        self._index = LineIndex(source)
        self._parents: dict[int, cst.CSTNode] | None = None

    def _parent_map(self) -> dict[int, cst.CSTNode]:
        if self._parents is None:
            parents: dict[int, cst.CSTNode] = {}
            stack: list[cst.CSTNode] = [self.module]
            while stack:
                node = stack.pop()
                for child in node.children:
                    parents[id(child)] = node
                    stack.append(child)
            self._parents = parents
        return self._parents

    def replaced(self, node: cst.CSTNode, replacement: cst.CSTNode) -> cst.Module:
        """The module with `replacement` in place of `node`, rebuilding only its ancestors."""
        parents = self._parent_map()
        while node is not self.module:
            parent = parents.get(id(node))
            if parent is None:
                raise UnplaceableFix("the replaced node is not in the module")
            replacement = _with_child(parent, node, replacement)
            node = parent
        if not isinstance(replacement, cst.Module):
            raise UnplaceableFix("a module can only be replaced by a module")
        return replacement

    def edit(self, change: Change) -> TextEdit | None:
        if isinstance(change, TextEdit):
            return change
        new_code = self.replaced(change.node, change.replacement).code
        return edit_between(self.source, new_code, self._index)

    def fix(self, proposal: FixProposal) -> Fix | None:
        """The proposal's fix, or None when it changes nothing or cannot be placed."""
        try:
            edits = tuple(edit for edit in map(self.edit, proposal.changes) if edit is not None)
        except (UnplaceableFix, cst.CSTValidationError):
            return None
        return Fix(proposal.safety, proposal.description, edits) if edits else None


def _with_child(parent: cst.CSTNode, old: cst.CSTNode, new: cst.CSTNode) -> cst.CSTNode:
    for field in dataclasses.fields(parent):
        value = getattr(parent, field.name)
        if value is old:
            return parent.with_changes(**{field.name: new})
        if isinstance(value, Sequence) and not isinstance(value, str) and any(item is old for item in value):
            return parent.with_changes(**{field.name: tuple(new if item is old else item for item in value)})
    raise UnplaceableFix(f"{type(old).__name__} is not a child of {type(parent).__name__}")
