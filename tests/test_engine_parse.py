"""Parsing without LibCST's per-node validation gives the same trees, and restores it."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import libcst as cst
import pytest

from cflint.engine.linter import parser_output_trusted

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


def test_nesting_past_the_depth_bound_is_not_handed_to_libcst(monkeypatch: pytest.MonkeyPatch) -> None:
    from cflint.engine import linter as engine

    monkeypatch.setattr(engine, "MAX_PARSED_DEPTH", 12)
    source = "x = " + " + ".join(["1"] * 20) + "\n"
    problem = engine.cpython_syntax_error(source)
    assert problem is not None
    assert problem.reason.startswith("nested too deeply for cflint to parse (")
    assert engine.cpython_syntax_error("x = 1 + 2\n") is None
