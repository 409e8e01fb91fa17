"""The control-flow analysis behind CF203: where control runs off the end of a function."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from cflint.analysis.inference import ValueInference
from cflint.analysis.positions import node_positions
from cflint.analysis.scopes import Scopes
from cflint.analysis.traversal import Walker

# (body of `def main():`, the line of the body where control falls off the end, or None)
CASES = [
    ("return 1", None),
    ("x = 1", 1),
    ("x = 1; return x", None),
    ("if a: return 1", 1),
    ("if a:\n    return 1\nelif b:\n    return 2", 3),
    ("if a:\n    return 1\nelse:\n    x = 2", 4),
    ("if True:\n    return 1", None),
    ("if False:\n    return 1\nelse:\n    return 2", None),
    ("if 0:\n    return 1", 1),
    ("while True:\n    pass", None),
    ("while 1:\n    if a:\n        break", 1),
    ("while True:\n    for x in y:\n        break\n    continue", None),
    ("while a:\n    return 1\nelse:\n    return 2", None),
    ("while a:\n    break\nelse:\n    return 2", 1),
    ("for x in y:\n    return x", 1),
    ("for x in y:\n    pass\nelse:\n    return 2", None),
    ("for x in y:\n    if x:\n        break\nelse:\n    return 2", 1),
    ("try:\n    return 1\nexcept E:\n    return 2", None),
    ("try:\n    return 1\nexcept E:\n    log()", 4),
    ("try:\n    x = 1\nexcept E:\n    return 2\nelse:\n    return 3", None),
    ("try:\n    x = 1\nexcept E:\n    return 2\nelse:\n    y = 3", 6),
    ("try:\n    return 1\nfinally:\n    cleanup()", None),
    ("try:\n    x = 1\nfinally:\n    return 2", None),
    ("try:\n    x = 1\nexcept E:\n    pass\nfinally:\n    cleanup()", 6),
    ("while True:\n    try:\n        break\n    finally:\n        return 1", None),
    ("with open(p) as f:\n    return f.read()", None),
    ("with open(p) as f:\n    x = 1", 2),
    ("with contextlib.suppress(E):\n    return 1", 1),
    ("match a:\n    case 1:\n        return 1\n    case _:\n        return 2", None),
    ("match a:\n    case 1:\n        return 1\n    case x:\n        return 2", None),
    ("match a:\n    case 1:\n        return 1\n    case _ if b:\n        return 2", 1),
    ("match a:\n    case 1 | _:\n        return 1", None),
    ("raise ValueError", None),
    ("assert False, 'never'", None),
    ("assert a", 1),
    ("sys.exit(1)", None),
    ("os._exit(1)", None),
    ("abort(404)", None),
    ("exit()", None),
    ("fail()", None),
    ("stop()", None),
    ("keep_going()", 1),
    ("def inner():\n    return 1", 1),
    ("'''docstring only'''", 1),
    # Shapes that tell apart each comparison and branch of flow.py (a mutation passes none).
    ("while True:\n    break\n    x = 1", 1),
    ("while True:\n    x = 1\n    break\n    return 2", 1),
    ("if True:\n    x = 1", 2),
    ("if 'yes':\n    return 1", None),
    ("if '':\n    return 1", 1),
    ("if None:\n    return 1", 1),
    ("while None:\n    return 1", 1),
    ("while 'forever':\n    pass", None),
    ("for x in y:\n    pass\nelse:\n    z = 1", 1),
    ("while a:\n    pass\nelse:\n    z = 1", 1),
    (
        "while True:\n    try:\n        x = 1\n    except E:\n        pass\n    else:\n        if a:\n            break",
        1,
    ),
    ("while True:\n    try:\n        if a:\n            break\n    finally:\n        cleanup()", 1),
    ("while True:\n    try:\n        x()\n    finally:\n        if a:\n            break", 1),
    ("while True:\n    try:\n        x()\n    except E:\n        if a:\n            break", 1),
    ("while True:\n    if a:\n        continue\n    return 1", None),
    ("match a:\n    case (x as y):\n        return 1", None),
    ("match a:\n    case (1 as y):\n        return 1", 1),
    ("match a:\n    case (1 | _) as y:\n        return 1", None),
]
PRELUDE = """\
import contextlib
import os
import sys
from typing import NoReturn

from flask import abort


def fail():
    raise RuntimeError


def stop() -> NoReturn:
    sys.exit(2)


def keep_going():
    if a:
        raise RuntimeError
"""


@pytest.mark.parametrize(("body", "line"), CASES)
def test_fall_through(body: str, line: int | None) -> None:
    source = PRELUDE + "\n\ndef main():\n" + textwrap.indent(body, "    ") + "\n"
    module = cst.parse_module(source)
    walker = Walker()
    definition = module.body[-1]
    assert isinstance(definition, cst.FunctionDef)
    inference = ValueInference(walker, Scopes(module, walker))
    end = inference.fall_through(definition, (definition, module))
    body_start = source.count("\n", 0, source.index("def main():")) + 2
    found = None if end is None else node_positions(module, [end])[end][0].line - body_start + 1
    assert found == line
