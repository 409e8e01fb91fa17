"""Exit codes, colour and stdout: what every command shares about the terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from cflint.model import Finding, Severity

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def silence_stdout() -> None:
    """After EPIPE: point stdout at /dev/null so that the flush at exit does not fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def exit_code(findings: Sequence[Finding], always_failing: frozenset[str], fail_on: str, exit_zero: bool) -> int:
    if any(f.code in always_failing for f in findings):
        return EXIT_FINDINGS
    failing = [f for f in findings if fail_on == "warning" or f.severity is Severity.ERROR]
    return EXIT_FINDINGS if failing and not exit_zero else EXIT_CLEAN
