"""`python -m cflint`: the `cflint` command, without importing from the current folder."""

import gc
import os
import sys

# `python -m` puts the current folder first on sys.path; run inside a folder being linted,
# a module there named like a dependency (rich.py, pathspec.py) would be imported and run.
if not getattr(sys.flags, "safe_path", False) and sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

# Importing cflint makes classes and tables that live until exit; the cyclic garbage
# collector, run while they are made or after, would walk them and find nothing to free.
# So collection pauses while they are imported, and they are frozen (as the rules are).
gc.disable()
from cflint.cli.main import EXIT_INTERRUPTED, main  # noqa: E402

gc.freeze()
gc.enable()

code = main()
if code == EXIT_INTERRUPTED:
    # After Ctrl-C the workers are gone; exit now, so that the interpreter's shutdown does
    # not turn the exit status into "killed by SIGINT" (seen with `python -m`).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
raise SystemExit(code)
