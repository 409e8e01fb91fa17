"""The command line: argument parsing, the lint command, rule pages, the package command.

`run_command` is the `cflint` process, for the installed script and `python -m cflint` alike."""

import gc
import os
import sys


def run_command() -> int:
    """Run `cflint` with the process's arguments and give its exit code.

    Importing the command line makes classes and tables that live until exit; the cyclic
    garbage collector, run while they are made or after, would walk them and find nothing to
    free. So collection pauses while they are imported, and they are frozen (as the rules
    are). This module imports nothing else, so that the pause covers all of it."""
    gc.disable()
    from cflint.cli.main import EXIT_INTERRUPTED, main

    gc.freeze()
    # A run makes many short-lived objects and few cycles: the default first threshold (700
    # allocations) starts a collection every few hundred microseconds, to find little. mypy
    # raises it for the same reason; at 100,000 a collection holds a few MB more at most.
    gc.set_threshold(100_000, 50, 100)
    gc.enable()
    code = main()
    if code == EXIT_INTERRUPTED:
        # After Ctrl-C the workers are gone; exit now, so that the interpreter's shutdown does
        # not turn the exit status into "killed by SIGINT" (seen with `python -m`).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
