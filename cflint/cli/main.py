"""The `cflint` command line: the subcommand of the arguments, and how a run ends."""

from __future__ import annotations

import atexit
import gc
import signal
import sys
from collections.abc import Sequence

from cflint.cli.lint import lint
from cflint.cli.terminal import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_USAGE, silence_stdout
from cflint.model import UsageError

__all__ = ["EXIT_INTERRUPTED", "main"]

SUBCOMMANDS = ("check", "rule", "package", "server")


def main(argv: Sequence[str] | None = None) -> int:
    # At exit the interpreter collects garbage once more and walks every object still alive,
    # LibCST's and the rules' classes among them, to free nothing: an eighth of a cold run on
    # a small function. Frozen just before, they are skipped. Registered once per process.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    command = argv[0] if argv and argv[0] in SUBCOMMANDS else None
    try:
        # A subcommand's name always means the subcommand; `cflint check rule` or `cflint ./rule`
        # lints a folder of that name.
        if command == "check":
            return lint(argv[1:], prog="cflint check")
        if command is not None:
            from cflint.cli.subcommands import package, rule, server

            return {"rule": rule, "package": package, "server": server}[command](argv[1:])
        return lint(argv)
    except UsageError as exc:
        print(f"cflint: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`cflint rule --all | head -1`): say nothing more, as a pipe expects.
        silence_stdout()
        return EXIT_CLEAN if command == "rule" else EXIT_FINDINGS
    except KeyboardInterrupt:
        # A second Ctrl-C while exiting would print a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("cflint: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if debug:
            raise
        print(
            f"cflint: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr
        )
        return EXIT_USAGE
