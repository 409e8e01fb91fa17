"""What a rule proposes as a fix: LibCST node replacements or exact text edits, turned into
text edits of the file.

A replaced node's code is generated on its own, with the indentation of the blocks around it
(taken from one code-generation pass over the module that stops at the last replaced node),
and must equal the file's text at its place; otherwise (and for a replaced module) the whole
module's code is generated with the replacement in place, and compared with the file's.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable, Sequence

import libcst as cst
from libcst._nodes.internal import CodegenState

from cflint.fix.text import LineIndex, edit_between
from cflint.model import Fix, Safety, TextEdit
from cflint.record import Record


class Replace(Record, frozen=True):
    """Put `replacement` where `node` is (a node of the parsed module, found by identity)."""

    node: cst.CSTNode
    replacement: cst.CSTNode


Change = Replace | TextEdit


class FixProposal(Record, frozen=True):
    """A rule's fix for one finding, before its edits are known."""

    safety: Safety
    description: str
    changes: tuple[Change, ...]


class UnplaceableFix(Exception):
    """A replacement whose node is not in the module, or that LibCST refuses."""


class _Extent(Record, frozen=True):
    start: int  # offsets in the module's code
    end: int
    indent: tuple[str, ...]  # the indentation of the blocks around the node


class _AllFound(Exception):
    pass


class _ExtentState(CodegenState):
    """Code generation that notes where wanted nodes start and end, and stops after the last."""

    __slots__ = ("_counted", "_offset", "found", "open", "wanted")

    def start(self, wanted: Iterable[cst.CSTNode]) -> None:
        self.wanted = {id(node) for node in wanted}
        self.open: dict[int, tuple[int, tuple[str, ...]]] = {}
        self.found: dict[int, _Extent] = {}
        self._counted = 0
        self._offset = 0

    def _advance(self) -> int:
        tokens = self.tokens
        self._offset += sum(len(token) for token in tokens[self._counted :])
        self._counted = len(tokens)
        return self._offset

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.wanted:
            self.open[id(node)] = (self._advance(), tuple(self.indent_tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        opened = self.open.pop(id(node), None)
        if opened is not None:
            self.found[id(node)] = _Extent(opened[0], self._advance(), opened[1])
            self.wanted.discard(id(node))
            if not self.wanted:
                raise _AllFound


class ModuleEditor:
    """Turns replacements in one module into text edits; `prepare` places the replaced nodes
    in one pass, and parents are mapped only when a replacement needs the whole module."""

    def __init__(self, module: cst.Module, source: str) -> None:
        self.module = module
        self.source = source
        self._index = LineIndex(source)
        self._parents: dict[int, cst.CSTNode] | None = None
        self._extents: dict[int, _Extent] = {}
        self._module_code: str | None = None

    def prepare(self, proposals: Iterable[FixProposal]) -> None:
        """Find where every node the proposals replace stands in the file, in one pass."""
        nodes = [
            change.node
            for proposal in proposals
            for change in proposal.changes
            if isinstance(change, Replace) and change.node is not self.module
        ]
        if not nodes:
            return
        state = _ExtentState(default_indent=self.module.default_indent, default_newline=self.module.default_newline)
        state.start(nodes)
        with contextlib.suppress(_AllFound):
            self.module._codegen(state)
        self._extents.update(state.found)

    def _code(self, node: cst.CSTNode, indent: tuple[str, ...]) -> str:
        state = CodegenState(
            default_indent=self.module.default_indent,
            default_newline=self.module.default_newline,
            indent_tokens=list(indent),
        )
        node._codegen(state)
        return "".join(state.tokens)

    def _local_edit(self, change: Replace) -> tuple[bool, TextEdit | None]:
        """(trusted, the edit) from the node's own code; not trusted when it is not the file's text."""
        extent = self._extents.get(id(change.node))
        if extent is None:
            return False, None
        old = self.source[extent.start : extent.end]
        if self._code(change.node, extent.indent) != old:
            return False, None
        new = self._code(change.replacement, extent.indent)
        edit = edit_between(old, new)
        if edit is None:
            return True, None
        local = LineIndex(old)
        start = self._index.position(extent.start + local.offset(edit.start))
        end = self._index.position(extent.start + local.offset(edit.end))
        return True, TextEdit(start, end, edit.new_text)

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
        trusted, local = self._local_edit(change)
        if trusted:
            return local
        new_code = self.replaced(change.node, change.replacement).code
        return edit_between(self._unchanged_code(), new_code, self._index)

    def _unchanged_code(self) -> str:
        """The module's code as LibCST generates it, to compare a replaced module's code with.
        LibCST drops the last line break of a file whose lines end in CR alone; the rest is the
        file's text, so offsets in it are offsets in the file. Any other difference: no fix."""
        if self._module_code is None:
            code = self.module.code
            if not self.source.startswith(code):
                raise UnplaceableFix("LibCST does not generate the file's text")
            self._module_code = code
        return self._module_code

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
