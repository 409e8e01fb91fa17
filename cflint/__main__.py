"""`python -m cflint`: the `cflint` command, without importing from the current folder."""

import os
import sys

# `python -m` puts the current folder first on sys.path; run inside a folder being linted,
# a module there named like a dependency (rich.py, pathspec.py) would be imported and run.
if not getattr(sys.flags, "safe_path", False) and sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from cflint.cli import run_command

raise SystemExit(run_command())
