"""The shared fix edits on their own: each applied to a module's text through the same editor
the rules' fixes go through, and what they promise to each other (a name is never joined to an
import line another fix moves)."""

from __future__ import annotations

import libcst as cst
import pytest

from cflint.fix.edits import add_import_name, append_requirement, import_absolute, move_import_names
from cflint.fix.proposal import FixProposal, ModuleEditor, Replace
from cflint.fix.text import LineIndex, apply_edits
from cflint.model import Safety

REQUEST = cst.ImportAlias(cst.Name("request"))


def _applied(module: cst.Module, change: Replace | None) -> str:
    assert change is not None
    source = module.code
    module_editor = ModuleEditor(module, source)
    fix = module_editor.fix(FixProposal(Safety.SAFE, "d", (change,)))
    assert fix is not None
    return apply_edits(source, fix.edits)


def _import_from(module: cst.Module, index: int = 0) -> cst.ImportFrom:
    statement = module.body[index]
    assert isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.ImportFrom)
    return statement.body[0]


def test_an_import_name_joins_the_first_line_from_its_module() -> None:
    source = "import os\nfrom flask import jsonify\nfrom flask import abort\n\n\ndef main():\n    return ''\n"
    module = cst.parse_module(source)
    assert _applied(module, add_import_name(module, "flask", REQUEST)) == source.replace(
        "jsonify\n", "jsonify, request\n"
    )


@pytest.mark.parametrize(
    "first_line",
    [
        "from flask import escape\n",  # CF603 moves escape to markupsafe: request would move with it
        "from flask import (jsonify)\n",
    ],
)
def test_an_import_name_takes_a_line_of_its_own_beside_a_line_it_must_not_join(first_line: str) -> None:
    source = f"{first_line}def main():\n    return ''\n"
    module = cst.parse_module(source)
    expected = f"{first_line}from flask import request\n\n\ndef main():\n    return ''\n"
    assert _applied(module, add_import_name(module, "flask", REQUEST)) == expected


def test_moved_names_keep_the_names_that_stay_on_their_line() -> None:
    source = "try:\n    from flask import escape, jsonify, Markup\nexcept ImportError:\n    pass\n"
    module = cst.parse_module(source)
    statement = module.body[0]
    assert isinstance(statement, cst.Try)
    line = statement.body.body[0]
    assert isinstance(line, cst.SimpleStatementLine) and isinstance(line.body[0], cst.ImportFrom)
    change = move_import_names(module, line.body[0], ["markupsafe", None, "markupsafe"])
    assert _applied(module, change) == (
        "try:\n    from flask import jsonify\n    from markupsafe import escape, Markup\nexcept ImportError:\n    pass\n"
    )


def test_names_that_all_move_to_one_module_keep_their_line() -> None:
    source = "from flask import (escape,  Markup)\n"
    module = cst.parse_module(source)
    change = move_import_names(module, _import_from(module), ["markupsafe", "markupsafe"])
    assert _applied(module, change) == "from markupsafe import (escape,  Markup)\n"


def test_nothing_moves_without_a_target_or_from_a_line_holding_comments() -> None:
    module = cst.parse_module("from flask import escape, jsonify\nfrom flask import (escape,  # c\n    jsonify)\n")
    assert move_import_names(module, _import_from(module), [None, None]) is None
    assert move_import_names(module, _import_from(module, 1), ["markupsafe", None]) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("from .helpers import x\n", "from helpers import x\n"),
        ("from . import a, b\n", "import a, b\n"),
        ("from .. import a\n", None),
        ("from . import (a,  # c\n    b)\n", None),
    ],
)
def test_a_relative_import_made_absolute(line: str, expected: str | None) -> None:
    module = cst.parse_module(line)
    change = import_absolute(_import_from(module))
    assert (None if change is None else _applied(module, change)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("flask\n", "flask\nyaml\n"),
        ("flask", "flask\nyaml\n"),
        ("flask\r\n", "flask\r\nyaml\r\n"),
        ("flask \\\n", "flask \\\n\nyaml\n"),  # pip would join a continued line to the new one
        ("flask\n# note \\\n", "flask\n# note \\\nyaml\n"),  # a comment line does not continue
        ("", "yaml\n"),
    ],
)
def test_a_requirement_line_appended(text: str, expected: str) -> None:
    edits = append_requirement(text, "yaml", "requirements.txt", hash_checking=False)
    assert edits is not None and all(edit.path == "requirements.txt" for edit in edits)
    end = LineIndex(text).position(len(text))
    assert all(edit.start == edit.end == end for edit in edits)  # insertions at the end, in order
    assert text + "".join(edit.new_text for edit in edits) == expected


def test_no_requirement_line_in_hash_checking_mode() -> None:
    assert append_requirement("flask==3.0 --hash=sha256:ab\n", "yaml", "requirements.txt", hash_checking=True) is None
