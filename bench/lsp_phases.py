"""Where a server lint's time goes: the phases of `Linter.lint_source` on the language-server
benchmark's generated module, timed by wrapping each phase (wall clock, no profiler), and
the time of each rule's callbacks. Prints a markdown table.

`python bench/lsp_phases.py [LINES] [RUNS] [--reparse]` (defaults 5000 and 5), from the
repository root. Each lint is of an edited text: a comment added at the end, or with
`--reparse`, as the language server lints, a comment changed on the first line of `main`'s
body, reparsing what the edit changed.
"""

from __future__ import annotations

import collections
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import libcst as cst

import cflint.engine.linter as engine
import cflint.engine.source as source
from bench.lsp_latency import large_module
from cflint.api import Linter, LintOptions

TIMES: dict[str, float] = collections.defaultdict(float)
RULES: dict[str, float] = collections.defaultdict(float)


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            TIMES[name] += time.perf_counter() - started

    return wrapper


def instrument() -> None:
    source._over_bounds = timed(
        "the parse guards (token count, compile() limit, AST nesting, brackets)", source._over_bounds
    )
    source.cst.parse_module = timed("LibCST's parse", cst.parse_module)  # type: ignore[attr-defined]
    engine.FileLinter._run_rules = timed("the rules' one walk", engine.FileLinter._run_rules)  # type: ignore[method-assign]
    engine.FileLinter._place = staticmethod(timed("placing findings", engine.FileLinter._place))  # type: ignore[method-assign]
    engine.FileLinter._apply_noqa = timed("# noqa", engine.FileLinter._apply_noqa)  # type: ignore[method-assign]
    engine.FileLinter.lint = timed("the engine (its thread included)", engine.FileLinter.lint)  # type: ignore[method-assign]
    engine.reparse = timed("reparsing what changed (LibCST's parse of it included)", engine.reparse)  # type: ignore[attr-defined]
    guarded = engine.FileLinter._guarded

    def guarded_timed(rule: Any, name: str) -> Callable[[cst.CSTNode], object]:
        call = guarded(rule, name)
        code = rule.code

        def timed_call(node: cst.CSTNode) -> object:
            started = time.perf_counter()
            try:
                return call(node)
            finally:
                RULES[code] += time.perf_counter() - started

        return timed_call

    engine.FileLinter._guarded = staticmethod(guarded_timed)  # type: ignore[method-assign]


def main() -> int:
    arguments = [argument for argument in sys.argv[1:] if argument != "--reparse"]
    reparsing = "--reparse" in sys.argv[1:]
    lines = int(arguments[0]) if arguments else 5000
    runs = int(arguments[1]) if len(arguments) > 1 else 5
    text = large_module(lines)
    folder = Path(tempfile.mkdtemp(prefix="cflint-phases-"))
    (folder / "user.py").write_text(text, encoding="utf-8")
    (folder / "requirements.txt").write_text("requests\nflask\n", encoding="utf-8")
    instrument()
    linter = Linter(LintOptions(cwd=folder, reparse=reparsing))
    path = folder / "user.py"
    body = text.index("\n", text.index("\ndef main():") + 1)  # the end of main's first body line
    edited = [text[:body] + f"  # edit {run}" + text[body:] for run in range(runs + 1)]
    linter.lint_source(path, text)
    linter.lint_source(path, edited[-1])  # a reparse's first finds where the statements are
    TIMES.clear()
    RULES.clear()
    totals = []
    for run in range(runs):
        started = time.perf_counter()
        linter.lint_source(path, edited[run] if reparsing else text + f"# {run}\n")
        totals.append(time.perf_counter() - started)
    how = "reparsing what each edit changed" if reparsing else "parsing each text whole"
    print(f"{lines} lines, {how}: `lint_source` median {statistics.median(totals) * 1000:.0f} ms over {runs} lints\n")
    print("| Phase | Time per lint |\n| --- | ---: |")
    for name, seconds in sorted(TIMES.items(), key=lambda item: -item[1]):
        print(f"| {name} | {seconds / runs * 1000:.0f} ms |")
    top = sorted(RULES.items(), key=lambda item: -item[1])[:8]
    print(
        "\nRules' callbacks per lint: " + ", ".join(f"{code} {seconds / runs * 1000:.0f} ms" for code, seconds in top)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
