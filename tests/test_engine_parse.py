"""Parsing without LibCST's per-node validation gives the same trees, and restores it."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import libcst as cst
import pytest

from cflint.engine.source import parser_output_trusted

STDLIB = Path(sysconfig.get_paths()["stdlib"])
VALIDATING = cst.CSTNode.__post_init__


@pytest.mark.parametrize("name", ["argparse.py", "typing.py", "asyncio/tasks.py", "json/decoder.py", "dataclasses.py"])
def test_trusted_parse_gives_the_same_tree(name: str) -> None:
    source = (STDLIB / name).read_text(encoding="utf-8")
    with parser_output_trusted():
        trusted = cst.parse_module(source)
    assert cst.CSTNode.__post_init__ is VALIDATING
    validated = cst.parse_module(source)
    assert trusted.deep_equals(validated)
    assert trusted.code == source


def test_validation_is_back_after_a_parse_error() -> None:
    with pytest.raises(cst.ParserSyntaxError), parser_output_trusted():
        cst.parse_module("def f(:\n")
    assert cst.CSTNode.__post_init__ is VALIDATING
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")


def test_nesting_cost_grows_with_the_square_of_a_chain() -> None:
    from cflint.engine.guards import nesting_cost

    costs = [nesting_cost(ast.parse("x = a" + ".b" * n + "\n")) for n in (100, 200, 400)]
    assert 3.5 < costs[1] / costs[0] < 4.5 and 3.5 < costs[2] / costs[1] < 4.5
    # Ordinary code nests a few levels: its cost is linear in its size, far under the bound.
    stdlib = (STDLIB / "argparse.py").read_text(encoding="utf-8")
    assert nesting_cost(ast.parse(stdlib)) < 20 * len(stdlib)


def test_bracket_cost_weighs_what_libcst_keeps_in_memory() -> None:
    from cflint.engine.guards import MAX_BRACKET_COST, bracket_cost

    def chain(opening: str, closing: str, depth: int) -> str:
        return "x = " + opening * depth + "a" + closing * depth + "\n"

    costs = [bracket_cost(chain("(", ")", n)) for n in (100, 200)]
    assert 3.5 < costs[1] / costs[0] < 4.5  # the square of the depth
    # Parentheses around one expression cost LibCST least; calls, tuples, lists and the rest more.
    grouping = bracket_cost(chain("(", ")", 100))
    for heavier in (
        chain("f(", ")", 100),
        chain("(a, ", ")", 100),
        chain("[", "]", 100),
        chain("(x for x in ", ")", 100),
    ):
        assert bracket_cost(heavier) == 20 * grouping
    # Brackets in strings and comments do not count; ordinary code is far under the bound.
    assert bracket_cost('x = "((((((((" # [[[[[[[[\ny = """\n{{{{{{{{\n"""\n') == 0
    for name in ("argparse.py", "typing.py", "ast.py", "pydoc.py", "turtle.py"):
        assert bracket_cost((STDLIB / name).read_text(encoding="utf-8")) < MAX_BRACKET_COST / 10


def test_longest_string_join_counts_literals_side_by_side() -> None:
    from cflint.engine.guards import longest_string_join

    assert longest_string_join('x = ("a"  # one\n     rb"b" f\'c\' """d""")\ny = "e" + "f"\n') == 4
    assert longest_string_join("x = 1\n") == 0


def test_compile_limit_counts_from_the_top_level_wherever_it_is_called() -> None:
    """The same answer at any call depth: what a fresh interpreter's compile() says."""
    from cflint.engine.guards import compile_limit

    def nested(depth: int, source: str) -> object:
        return compile_limit(source, "x.py") if depth == 0 else nested(depth - 1, source)

    for length in (1400, 1496, 1497, 1600):
        source = "x = a" + ".b()" * length + "\n"
        answers = {nested(depth, source) is None for depth in (0, 50, 300)}
        assert len(answers) == 1, length


def _reference_nesting_cost(tree: ast.AST) -> int:
    """nesting_cost's definition, written plainly with ast.iter_child_nodes."""
    from cflint.engine.guards import _WEIGHTS

    def cost(node: ast.AST, depth: int) -> int:
        if isinstance(node, ast.stmt):
            depth = 0
        weight = _WEIGHTS.get(type(node), 1)
        depth += weight
        return weight * depth + sum(cost(child, depth) for child in ast.iter_child_nodes(node))

    return cost(tree, 0)


@pytest.mark.parametrize("name", ["argparse.py", "typing.py", "asyncio/tasks.py", "json/decoder.py"])
def test_nesting_cost_counts_every_child_node(name: str) -> None:
    from cflint.engine.guards import nesting_cost

    tree = ast.parse((STDLIB / name).read_text(encoding="utf-8"))
    assert nesting_cost(tree) == _reference_nesting_cost(tree) > 0
