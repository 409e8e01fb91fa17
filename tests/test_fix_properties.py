"""Property test of fixes: generated programs (hypothesmith) with fixable patterns inserted
between their top-level statements; `--fix --unsafe-fixes` in memory never raises, never
leaves a file that fails to parse, and a second run finds nothing more to fix.

The fast version tries 100 programs (a check, not a search: the depth is the slow run's); the
`slow` one CFLINT_HYPOTHESIS_EXAMPLES (default 2000; .ci/run asks for 500).
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cflint.engine.linter import FileLinter
from cflint.engine.registry import load_registry
from cflint.fixer.applier import FileFixer, FixPolicy
from cflint.fixer.source import compiles, libcst_parses
from cflint.project import FileContext, FileJob, FunctionRoot
from cflint.settings.config import Settings

EXAMPLES = int(os.environ.get("CFLINT_HYPOTHESIS_EXAMPLES", "2000"))
REPRODUCIBLE = settings(derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))

# Top-level snippets every fix applies to (CF303's edits go to requirements.txt, not tried here).
SNIPPETS = (
    "from . import helpers\n",
    "from .helpers import thing, other as o\n",
    "import requests\nrequests.get(\n    'u',  # c\n)\n",
    "import subprocess\nsubprocess.run(['ls'], timeout=None)\n",
    "import requests\nrequests.post('u', data=requests.get('v'))\n",
    "x = 1  # noqa CF403\n",
    "y = 2  # noqa: CF305, E501\n",
    "import json\ndef main(request):\n    return json.dumps({'a': request.args})\n",
)


def _boundaries(source: str) -> list[int]:
    """0-based indexes of lines where a top-level statement (or its first decorator) starts."""
    tree = ast.parse(source)
    lines = set()
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        if node.col_offset == 0:
            lines.add(first - 1)
    return sorted(lines)


_PROGRAMS = hypothesmith.from_grammar()  # building the grammar strategy is slow: once


@st.composite
def programs_with_fixable_code(draw: st.DrawFn) -> str:
    source = draw(_PROGRAMS)
    assume(compiles(source))
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"
    places = [*_boundaries(source), len(lines)]
    for snippet in draw(st.lists(st.sampled_from(SNIPPETS), min_size=1, max_size=4)):
        at = draw(st.sampled_from(places))
        lines.insert(at, snippet)
        places = [p if p < at else p + 1 for p in places] + [at]
    program = "".join(lines)
    assume(compiles(program))
    return program


def _check(examples: int, tmp_path: Path) -> None:
    registry = load_registry()
    defaults = Settings(extend_select=("CF011", "CF207"))
    root = FunctionRoot(tmp_path, ".", defaults, frozenset({"user", "helpers"}))
    context = FileContext(tmp_path / "user.py", "user.py", defaults, root, "user", frozenset({"main"}))
    job = FileJob(context, frozenset(registry.codes))
    linter = FileLinter(registry)
    fixer = FileFixer(linter.lint, FixPolicy(unsafe=True))
    applied: list[int] = []

    @settings(REPRODUCIBLE, max_examples=examples)
    @given(programs_with_fixable_code())
    def check(program: str) -> None:
        outcome = fixer.fix_text(job, program.encode("utf-8"))
        assert compiles(outcome.after) and libcst_parses(outcome.after), outcome.after
        applied.append(outcome.applied)
        if not outcome.notes:
            again = fixer.fix_text(job, outcome.after.encode("utf-8"))
            assert (again.applied, again.after) == (0, outcome.after)

    check()
    assert sum(applied) >= len(applied)  # every program had at least one fix applied


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
def test_fixing_generated_programs_keeps_them_parsing(tmp_path: Path) -> None:
    _check(100, tmp_path)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::SyntaxWarning")
def test_fixing_generated_programs_keeps_them_parsing_full_count(tmp_path: Path) -> None:
    _check(EXAMPLES, tmp_path)
