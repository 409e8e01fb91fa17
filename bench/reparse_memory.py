"""Memory of a linter that reparses (`LintOptions(reparse=True)`, the language server's) over
many edits of the language-server benchmark's generated module: the process's resident
memory after the first edit and after the last. Each edit changes a different handler's line.

`python bench/reparse_memory.py [EDITS] [LINES]` (defaults 1000 and 5000), from the
repository root.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lsp_latency import large_module
from cflint.api import Linter, LintOptions


def resident_mib() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 2**20


def main() -> int:
    edits = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    lines = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    text = large_module(lines)
    folder = Path(tempfile.mkdtemp(prefix="cflint-reparse-memory-"))
    (folder / "requirements.txt").write_text("requests\nflask\n", encoding="utf-8")
    linter = Linter(LintOptions(cwd=folder, reparse=True, resolve_with_pip=False))
    path = folder / "user.py"
    marker = "total = 0"
    places = [index for index in range(len(text)) if text.startswith(marker, index)]
    started = time.perf_counter()
    first = 0.0
    for edit in range(edits):
        at = places[(edit * 7) % len(places)]
        text = text[:at] + f"total = {edit % 10}" + text[at + len(marker) :]
        linter.lint_source(path, text)
        if edit == 0:
            first = resident_mib()
    last = resident_mib()
    print(
        f"{edits} edits of {lines} lines in {time.perf_counter() - started:.0f} s: "
        f"{first:.0f} MiB after the first, {last:.0f} MiB after the last ({last / first:.2f} x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
