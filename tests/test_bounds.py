"""Every file up to the default max-file-size is linted, or given CF001/CF004, within 10 s
of CPU time and 500 MiB of peak RSS per worker; within the token bound (100,000), CF001
exactly when the running Python's compile() raises; over it, CF004 and nothing else.

Each case runs `cflint --jobs 1` in a child process, which lints a small file itself and a
larger one in a forked worker, and reads the CPU time spent from the call of `main()` on (its
own and the worker's) and the peak RSS of either, with resource.getrusage; CPU time rather
than wall time, since the test machine is shared. The peak RSS includes the imports. The
oracle is `compile()` in a fresh interpreter, at its top level, as the runtime imports the
function.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import REPO

MIB = 1024 * 1024
MAX_FILE_SIZE = 10 * MIB  # the default
MAX_TOKENS = 100_000
CPU_BOUND_SECONDS = 10.0
RSS_BOUND_MIB = 500
EXAMPLES = int(os.environ.get("CFLINT_BOUNDS_EXAMPLES", "12"))

_MEASURE = """
import contextlib, io, json, resource, sys
from cflint.cli.main import main
def cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
before = cpu(resource.RUSAGE_SELF)
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(["--select", "ALL", "--no-cache", "--jobs", "1", "--color", "never", "-q", sys.argv[1]])
# A small file is linted in this process, a larger one in a forked worker: count both.
rss = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"code": code, "out": out.getvalue(),
                  "cpu": cpu(resource.RUSAGE_SELF) - before + cpu(resource.RUSAGE_CHILDREN), "rss_mib": rss / 1024}))
"""
# Exit 3: the file does not compile (IndentationError and TabError are SyntaxErrors); any
# other failure is the oracle's own and fails the test.
_ORACLE = """
import sys
source = open(sys.argv[1], encoding='utf-8').read()
try:
    compile(source, 'x.py', 'exec')
except (SyntaxError, RecursionError, MemoryError):
    sys.exit(3)
"""


@dataclass(frozen=True)
class Measured:
    code: int
    out: str
    cpu: float
    rss_mib: float

    @property
    def codes(self) -> list[str]:
        return [line.split()[1] for line in self.out.splitlines() if line.strip()]


def _environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "CFLINT_CACHE_DIR": tempfile.mkdtemp(prefix="cflint-cache-")}


def measure(path: Path) -> Measured:
    completed = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        cwd=path.parent,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return Measured(**json.loads(completed.stdout.splitlines()[-1]))


def compiles(path: Path) -> bool:
    completed = subprocess.run(
        [sys.executable, "-c", _ORACLE, str(path)], capture_output=True, text=True, timeout=600, env=_environment()
    )
    assert completed.returncode in (0, 3), completed.stderr
    return completed.returncode == 0


def check_within_bounds(source: str) -> Measured:
    data = source.encode()
    assert len(data) <= MAX_FILE_SIZE
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.py"
        path.write_bytes(data)
        measured = measure(path)
        over_token_bound = "tokens, over the 100000 cflint lints within its bounds" in measured.out
        expected_cf001 = None if over_token_bound else not compiles(path)
    print(
        f"\n{len(data):>9} bytes  {measured.cpu:5.2f} s CPU  {measured.rss_mib:6.1f} MiB  "
        f"{','.join(sorted(set(measured.codes))) or 'clean'}"
    )
    assert measured.cpu < CPU_BOUND_SECONDS
    assert measured.rss_mib < RSS_BOUND_MIB
    if over_token_bound:
        # Not compiled (CPython can take minutes on such a file): CF004 alone.
        assert measured.codes == ["CF004"] and len(source) > MAX_TOKENS, measured.out
    else:
        assert ("CF001" in measured.codes) == expected_cf001, measured.out
    assert not {"CF002", "CF003"} & set(measured.codes), measured.out
    return measured


# Expression forms that nest without brackets or operators, and some that use them; each
# takes the nesting depth n.
CHAINS = {
    "attribute": lambda n: "a" + ".b" * n,
    "call": lambda n: "a" + ".b()" * n,
    "subscript": lambda n: "a" + "[0]" * n,
    "mixed trailers": lambda n: "a" + ".b(1)[0]" * (n // 2),
    "not": lambda n: "not " * n + "a",
    "unary minus": lambda n: "-" * n + "a",
    "sum": lambda n: " + ".join(["a"] * (n + 1)),
    "power": lambda n: " ** ".join(["a"] * (n + 1)),
    "lambda": lambda n: "lambda: " * n + "a",
    "conditional": lambda n: "a if b else " * n + "a",
    "parentheses": lambda n: "(" * n + "a" + ")" * n,
    "lists": lambda n: "[" * n + "]" * n,
    "calls nested": lambda n: "f(" * n + ")" * n,
}


def _statement(kind: str, depth: int) -> str:
    if kind == "elif":
        return "if a:\n    pass\n" + "elif a:\n    pass\n" * depth
    if kind == "nested blocks":
        return "".join("    " * level + "for x in y:\n" for level in range(depth)) + "    " * depth + "pass\n"
    return f"x = {CHAINS[kind](depth)}\n"


@st.composite
def deep_files(draw: st.DrawFn) -> str:
    """One to three deep statements, the whole repeated up to the size limit."""
    kinds = [*CHAINS, "elif", "nested blocks"]
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(kinds))
        bound = 130 if kind == "nested blocks" else 260 if kind in ("parentheses", "lists", "calls nested") else 6000
        parts.append(_statement(kind, draw(st.integers(1, bound))))
    unit = "".join(parts)
    repeat = draw(st.integers(1, max(1, min(2000, MAX_FILE_SIZE // len(unit.encode())))))
    return unit * repeat


@st.composite
def long_files(draw: st.DrawFn) -> str:
    """Ordinary code or data, from a few KiB up to the size limit."""
    size = draw(st.integers(1024, MAX_FILE_SIZE - 1024))
    kind = draw(st.sampled_from(["functions", "list literal", "dict literals", "long lines"]))
    if kind == "functions":
        unit = "def f(a, b):\n    x = a + b * 2\n    return {'k': x, 'v': [a, b]}\n\n"
        return unit * (size // len(unit))
    if kind == "list literal":
        return "DATA = [" + "1234, " * (size // 6) + "]\n"
    if kind == "dict literals":
        return "DATA = [\n" + '    {"id": 1, "name": "n1"},\n' * (size // 29) + "]\n"
    return ("x = " + " + ".join(["value"] * 2000) + "\n") * (size // 16_000 + 1)


@pytest.mark.slow
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(source=st.one_of(deep_files(), long_files()))
def test_generated_files_stay_within_bounds(source: str) -> None:
    check_within_bounds(source)


# The worst cases found while choosing the bounds, run every time: each just under or
# just over a limit.
WORST_CASES = {
    "99,000 tokens of small functions": "".join(
        f"def f{index}(a, b):\n    x = a + b * 2\n    return {{'k': x, 'v': [a, b]}}\n\n" for index in range(3300)
    ),
    "99,000 tokens of dict literals": "DATA = [\n" + '    {"id": 1, "name": "n1"},\n' * 9_900 + "]\n",
    "10 MiB of one small function defined over and over (over the token bound)": (
        "def f(a, b):\n    x = a + b * 2\n    return {'k': x, 'v': [a, b]}\n\n" * (MAX_FILE_SIZE // 71)
    ),
    "3,300 definitions of one function (CPython's compile time grows with their square)": (
        "def f(a, b):\n    x = a + b * 2\n    return {'k': x, 'v': [a, b]}\n\n" * 3300
    ),
    "an attribute chain just under the nesting bound": "x = a" + ".b" * 1995 + "\n",
    "a call chain just under the nesting bound": "x = a" + ".b()" * 815 + "\n",
    "a subscript chain just under the nesting bound": "x = a" + "[0]" * 725 + "\n",
    "26 lines of 199 nested parentheses, just under the bracket bound": ("x = " + "(" * 199 + "a" + ")" * 199 + "\n")
    * 26,
    "two calls 150 deep with an argument at each level, just under the bracket bound": (
        "x = " + "f(a, " * 150 + ")" * 150 + "\n"
    )
    * 2,
    "99,000 tokens of lists 60 deep (over the bracket bound)": ("x = " + "[" * 60 + "]" * 60 + "\n") * 800,
}


@pytest.mark.slow
@pytest.mark.parametrize("source", WORST_CASES.values(), ids=WORST_CASES.keys())
def test_worst_cases_stay_within_bounds(source: str) -> None:
    check_within_bounds(source)


# Files past LibCST's limits that CPython compiles, run every time: LibCST's parse of the first
# needs more than twice the memory bound.
def test_deep_parentheses_that_compile_stay_within_bounds() -> None:
    measured = check_within_bounds(("x = " + "(" * 199 + "a" + ")" * 199 + "\n") * 245)
    assert measured.codes == ["CF004"] and "brackets nest too deeply" in measured.out


def test_joined_string_literals_past_libcst_stay_within_bounds() -> None:
    measured = check_within_bounds("x = (" + " ".join(['"a"'] * 5000) + ")\n")
    assert measured.codes == ["CF004"] and "string literals joined side by side" in measured.out
