"""The resource rules never fail, whatever nesting of scopes and bindings they meet."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cflint.engine.linter import FileJob, FileLinter
from cflint.engine.registry import load_registry
from cflint.project import FileContext
from cflint.settings.config import Settings

REGISTRY = load_registry()
CODES = frozenset({"CF401", "CF402", "CF403", "CF701", "CF003"})
NAMES = st.sampled_from(["r", "s", "f", "requests", "request", "open", "data", "p"])
EXPRESSIONS = st.sampled_from(
    [
        "requests.get('u')",
        "requests.Session()",
        "open('x')",
        "{n}.read()",
        "{n}.content",
        "{n}.get('u', stream=True)",
        "request.args",
        "request.files['f']",
        "io.BytesIO({n}.content)",
        "subprocess.Popen(['ls'])",
        "{n}.communicate()",
        "[{n} for {n} in {n}]",
        "lambda {n}: {n}.read()",
        "({n} := open('y'))",
        "pathlib.Path({n}).parent / 'z'",
        "{n}['Body']",
    ]
)
STATEMENTS = st.sampled_from(
    [
        "{n} = {e}",
        "{n}, {n} = {e}, {e}",
        "{n} += {e}",
        "with {e} as {n}:\n    {e}",
        "for {n} in {e}:\n    {e}",
        "global {n}",
        "nonlocal {n}",
        "del {n}",
        "try:\n    {e}\nexcept Exception as {n}:\n    {e}",
        "import {n}",
        "from requests import {n}",
        "from flask import request as {n}",
        "{e}",
        "match {e}:\n    case {{'k': {n}, **rest}}:\n        {e}",
    ]
)
SCOPES = st.sampled_from(["def {n}({n}=None):", "class C:", "async def main():", "def main():"])


@st.composite
def _programs(draw: st.DrawFn) -> str:
    lines = ["import io, pathlib, subprocess, requests", "from flask import request"]
    depth = 0
    for _ in range(draw(st.integers(1, 14))):
        if draw(st.booleans()) and depth < 3:
            lines.append("    " * depth + draw(SCOPES).format(n=draw(NAMES)))
            depth += 1
            lines.append("    " * depth + "pass")
        elif depth and draw(st.integers(0, 4)) == 0:
            depth -= 1
        template = draw(STATEMENTS)
        text = template.format(n=draw(NAMES), e=draw(EXPRESSIONS).format(n=draw(NAMES)))
        lines.extend("    " * depth + line for line in text.split("\n"))
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None)
@given(_programs())
def test_no_internal_error(source: str) -> None:
    context = FileContext(Path("user.py"), "user.py", Settings(), entry_functions=frozenset({"main"}))
    findings = FileLinter(REGISTRY).lint(FileJob(context, CODES, source.encode()))
    assert [f for f in findings if f.code == "CF003"] == [], source
