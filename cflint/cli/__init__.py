"""The command line: argument parsing, the lint command, rule pages, the package command.

`run_command` is the `cflint` process, for the installed script and `python -m cflint` alike."""

import gc
import os
import sys


class CollectionPaused:
    """Importing the command line, and later the rules and LibCST, creates classes and
    objects that live until exit. The cyclic garbage collector would walk them again and
    again, while they are made and in each collection of the run after, and find nothing to
    free: a tenth of a cold run on a small function. So collection pauses while they are
    made (`with CollectionPaused():`), and then they are frozen (left out of collection, and
    shared unchanged with forked workers) until `lint` returns and gives them back. A class,
    not a contextlib generator: this module imports nothing before the first pause."""

    def __enter__(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info: object) -> None:
        gc.freeze()
        if self._was_enabled:
            gc.enable()


def run_command() -> int:
    """Run `cflint` with the process's arguments and give its exit code. This module imports
    nothing of cflint, so that the collector's pause covers all of the command line."""
    with CollectionPaused():
        from cflint.cli.main import EXIT_INTERRUPTED, main

    # A run makes many short-lived objects and few cycles: the default first threshold (700
    # allocations) starts a collection every few hundred microseconds, to find little. mypy
    # raises it for the same reason; at 100,000 a collection holds a few MB more at most.
    gc.set_threshold(100_000, 50, 100)
    code = main()
    if code == EXIT_INTERRUPTED:
        # After Ctrl-C the workers are gone; exit now, so that the interpreter's shutdown does
        # not turn the exit status into "killed by SIGINT" (seen with `python -m`).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
