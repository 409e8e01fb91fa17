"""Positions computed for reported nodes equal LibCST's PositionProvider's."""

from __future__ import annotations

import random
import sysconfig
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import libcst as cst
import pytest
from libcst._position import CodeRange
from libcst.metadata import MetadataWrapper, PositionProvider

from cflint.analysis.positions import node_positions
from cflint.model import Position

STDLIB = Path(sysconfig.get_paths()["stdlib"])


@cache
def _parsed(name: str) -> tuple[cst.Module, Mapping[cst.CSTNode, CodeRange]]:
    """A stdlib module and LibCST's positions of all its nodes, computed once for the counts
    that sample it: node_positions keeps nothing on the module between calls."""
    module = cst.parse_module((STDLIB / name).read_text(encoding="utf-8"))
    return module, MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


@pytest.mark.parametrize("name", ["argparse.py", "typing.py", "json/decoder.py"])
@pytest.mark.parametrize("count", [1, 3, 50, 400])
def test_positions_match_libcst(name: str, count: int) -> None:
    module, expected = _parsed(name)
    nodes = random.Random(f"{name}{count}").sample(list(expected), count)
    found = node_positions(module, nodes)
    for node in nodes:
        code_range = expected[node]
        assert found[node] == (
            Position(code_range.start.line, code_range.start.column + 1),
            Position(code_range.end.line, code_range.end.column + 1),
        )


def test_no_nodes_no_work() -> None:
    assert node_positions(cst.parse_module("x = 1\n"), []) == {}
