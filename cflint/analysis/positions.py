"""Line and column of nodes, computed only when asked: for the files that have findings, and
for the lines a message names in another module."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import cast

import libcst as cst
from libcst._position import CodePosition, CodeRange
from libcst.metadata import PositionProvider
from libcst.metadata.base_provider import BaseMetadataProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

from cflint.model import Position


class _AllFound(Exception):
    """Raised to stop code generation once every wanted node has its range."""


def _ranges(provider: BaseMetadataProvider[CodeRange]) -> dict[cst.CSTNode, CodeRange]:
    """The provider's table of ranges, filled in place during code generation. LibCST types
    it as possibly holding lazy values, which the position provider never stores."""
    return cast("dict[cst.CSTNode, CodeRange]", provider._computed)


class _StoppingState(PositionProvidingCodegenState):
    """LibCST's position-tracking code generation, stopped after the last wanted node.

    It extends LibCST's dataclass without being declared one itself: the decorator would
    compile generated methods at every start, and none of them is used."""

    def __init__(self, module: cst.Module, provider: PositionProvider, waiting: set[cst.CSTNode]) -> None:
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline, provider=provider
        )
        self.waiting = waiting

    @contextmanager
    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None, end_node: cst.CSTNode | None = None
    ) -> Iterator[None]:
        """As LibCST's, but records nothing while the pass is being stopped."""
        start = CodePosition(self.line, self.column)
        yield
        computed = _ranges(self.provider)
        end = computed[end_node].end if end_node is not None else CodePosition(self.line, self.column)
        computed[node] = CodeRange(computed[start_node].start if start_node is not None else start, end)

    def after_codegen(self, node: cst.CSTNode) -> None:
        super().after_codegen(node)
        if node in self.waiting:
            self.waiting.discard(node)
            if not self.waiting:
                raise _AllFound


def node_positions(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[cst.CSTNode, tuple[Position, Position]]:
    """1-based (start, end) of each node, from one code-generation pass over `module`
    that ends at the last of them.

    MetadataWrapper would deep-copy the whole tree first and generate all of it; this
    pass runs over the original tree and stops as soon as it has what was asked.
    """
    wanted = set(nodes)
    if not wanted:
        return {}
    provider = PositionProvider()
    state = _StoppingState(module, provider, set(wanted))
    with suppress(_AllFound):
        module._codegen(state)
    computed = _ranges(provider)
    found: dict[cst.CSTNode, tuple[Position, Position]] = {}
    for node in wanted:
        code_range = computed.get(node)
        if code_range is not None:
            found[node] = (
                Position(code_range.start.line, code_range.start.column + 1),
                Position(code_range.end.line, code_range.end.column + 1),
            )
    return found
