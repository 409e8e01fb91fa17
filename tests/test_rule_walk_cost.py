"""What the rules' walk costs, counted rather than timed: how often the shared analyses and
the rules go over a file's nodes, how many position passes and how many parses of the root's
other modules one finding costs. Timings drift with the machine; these counts do not.
(`python bench/lsp_phases.py` gives the timings.)"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest

import cflint.analysis.callgraph as callgraph
from bench.lsp_latency import large_module
from cflint.analysis.literals import literal_value
from cflint.analysis.traversal import Walker
from cflint.api import Linter, LintOptions, LintResult
from cflint.engine.modules import ModuleStore
from tests.helpers import write_files


def _lint(folder: Path, name: str = "user.py", ignore: list[str] | None = None) -> LintResult:
    path = folder / name
    overrides = {"select": ["ALL"], "ignore": ignore or []}
    return Linter(LintOptions(cwd=folder, overrides=overrides)).lint_source(path, path.read_bytes())


@pytest.fixture
def children_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the calls of Walker.children: one per node each walk enters."""
    count = [0]
    children = Walker.children

    def counted(self: Walker, node: cst.CSTNode) -> list[cst.CSTNode]:
        count[0] += 1
        return children(self, node)

    monkeypatch.setattr(Walker, "children", counted)
    yield count


def test_the_rules_and_their_analyses_enter_each_node_of_a_large_module_about_three_times(
    tmp_path: Path, children_calls: list[int]
) -> None:
    """The rules' one walk, the scopes' walk and the bindings' walk, and little more: no rule
    walks the whole file again (CF701 walked it twice more, CF601 each if test twice)."""
    text = large_module(1000)  # the language-server benchmark's module: 65 handlers and a main
    write_files(tmp_path, {"user.py": text, "requirements.txt": "requests\nflask\n"})
    nodes = sum(1 for _ in Walker().descendants(cst.parse_module(text))) + 1
    children_calls[0] = 0
    result = _lint(tmp_path)
    assert [finding.code for finding in result.findings] == []
    assert children_calls[0] <= 3 * nodes


def test_cf701_reads_the_type_checking_imports_in_one_walk_only_where_the_file_names_type_checking(
    tmp_path: Path, children_calls: list[int]
) -> None:
    use = "from flask import request\ndef main():\n    return request.args.get('x', '')\n"
    for source, walks in ((use, 0), ("import typing\nTYPE_CHECKING = typing.TYPE_CHECKING\n" + use, 1)):
        write_files(tmp_path, {"user.py": source, "requirements.txt": "flask\n"})
        counts = []
        for ignore in ([], ["CF701"]):
            children_calls[0] = 0
            assert _lint(tmp_path, ignore=ignore).findings == []
            counts.append(children_calls[0])
        nodes = sum(1 for _ in Walker().descendants(cst.parse_module(source))) + 1
        assert counts[0] - counts[1] <= walks * nodes


def _cf403_root(tmp_path: Path, others: dict[str, str], calls_at_import: int) -> Path:
    """A root whose helpers.py runs `calls_at_import` module-level calls of its own functions and
    has a call without a timeout inside a function: CF403 asks what runs at import."""
    helpers = "import requests\n\ndef setup():\n    return 1\n\n"
    helpers += "".join("setup()\n" for _ in range(calls_at_import))
    helpers += "\ndef fetch(url):\n    return requests.get(url)\n"
    files = {"user.py": "def main():\n    return 'ok'\n", "helpers.py": helpers, "requirements.txt": "requests\n"}
    write_files(tmp_path, {**files, **others})
    return tmp_path


def test_cf403_finds_the_lines_of_the_calls_at_import_in_one_position_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    passes = [0]
    positions = callgraph.node_positions

    def counted(module: cst.Module, nodes: object) -> object:
        passes[0] += 1
        return positions(module, nodes)  # type: ignore[arg-type]

    monkeypatch.setattr(callgraph, "node_positions", counted)
    folder = _cf403_root(tmp_path, {}, calls_at_import=40)
    result = _lint(folder, "helpers.py")
    messages = [finding.message for finding in result.findings if finding.code == "CF403"]
    assert messages == [
        "requests.get() without a timeout can wait past the function's execution time limit; pass timeout= in seconds"
    ]
    assert passes[0] <= 1


def test_cf403_parses_no_other_module_of_the_root_when_none_names_the_linted_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[Path] = []
    store_parsed = ModuleStore.parsed

    def counted(self: ModuleStore, root: object, path: Path) -> object:
        parsed.append(path)
        return store_parsed(self, root, path)  # type: ignore[arg-type]

    monkeypatch.setattr(ModuleStore, "parsed", counted)
    others = {f"tool_{i}.py": f"def tool_{i}():\n    return {i}\n\ntool_{i}()\n" for i in range(5)}
    folder = _cf403_root(tmp_path, others, calls_at_import=1)
    result = _lint(folder, "helpers.py")
    assert [finding.code for finding in result.findings] == ["CF403"]
    assert parsed == []


def test_cf403_still_follows_a_call_at_import_from_a_module_that_names_the_linted_one(tmp_path: Path) -> None:
    others = {
        "tool_0.py": "def tool_0():\n    return 0\n",
        "boot.py": "import helpers\n\nhelpers.fetch('https://example.com')\n",
    }
    folder = _cf403_root(tmp_path, others, calls_at_import=0)
    (message,) = [finding.message for finding in _lint(folder, "helpers.py").findings if finding.code == "CF403"]
    assert "runs when the module is imported (fetch() at boot.py:3 reaches it)" in message


@pytest.mark.parametrize(
    "literal",
    [
        "''",
        '""',
        "''''''",
        '""""""',
        "'a'",
        "r'a\\d'",
        "R'x'",
        "u'x'",
        "U'x'",
        "b'x'",
        "rb'\\x00'",
        "'\\n'",
        "'\\x41'",
        "'\\N{BULLET}'",
        "'''a\nb'''",
        "'''a\r\nb'''",
        '"""""a"""',
        "'\"'",
        "'é'",
        "'a' 'b'",
        "'a' \"b\" '''c'''",
        "b'a' b'b'",
        "'a' f'{x}'",
        "f'{x}' 'a'",
        "'a' 'b' f'c'",
        "'\\t' 'a'",
    ],
)
def test_literal_value_is_libcsts_evaluated_value(literal: str) -> None:
    node = cst.parse_expression(literal)
    assert isinstance(node, (cst.SimpleString, cst.ConcatenatedString))
    value = literal_value(node)
    assert value == node.evaluated_value
    assert type(value) is type(node.evaluated_value)
    if value is not None and "\r" not in literal:
        assert value == ast.literal_eval(literal)


@pytest.mark.parametrize("literal", ["'\\N{NO SUCH NAME}'", "'a' '\\N{NO SUCH NAME}'"])
def test_literal_value_raises_what_libcst_raises(literal: str) -> None:
    node = cst.parse_expression(literal)
    assert isinstance(node, (cst.SimpleString, cst.ConcatenatedString))
    errors: list[type[BaseException]] = []
    for read in (lambda: node.evaluated_value, lambda: literal_value(node)):
        with pytest.raises((SyntaxError, ValueError)) as caught:
            read()
        errors.append(caught.type)
    assert errors[0] is errors[1]


def test_a_long_chain_of_implicitly_concatenated_strings_is_read_without_recursing() -> None:
    parts = 3000
    node = cst.parse_expression("(" + " ".join(f"'{i % 10}'" for i in range(parts)) + ")")
    assert isinstance(node, cst.ConcatenatedString)
    assert literal_value(node) == "".join(str(i % 10) for i in range(parts))
