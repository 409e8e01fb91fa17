"""Line and column of reported nodes, computed only for files that have findings."""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst
from libcst.metadata import PositionProvider

from cflint.types import Position


def node_positions(
    module: cst.Module, nodes: Iterable[cst.CSTNode]
) -> dict[cst.CSTNode, tuple[Position, Position]]:
    """1-based (start, end) of each node, from one code-generation pass over `module`.

    MetadataWrapper would deep-copy the whole tree first; the provider's own pass over
    the original tree gives the same ranges for the nodes we hold.
    """
    wanted = list(nodes)
    if not wanted:
        return {}
    provider = PositionProvider()
    provider._gen_impl(module)
    computed = provider._computed
    found: dict[cst.CSTNode, tuple[Position, Position]] = {}
    for node in wanted:
        code_range = computed.get(node)
        if code_range is not None:
            found[node] = (
                Position(code_range.start.line, code_range.start.column + 1),
                Position(code_range.end.line, code_range.end.column + 1),
            )
    return found
