"""Applying fixes to files (`--fix`, `--diff`): each fixed text is checked to parse, to compile
and to keep every token outside the edits, then written safely; the run lints again until
nothing changes. What a fix is, and how a rule proposes one, is `cflint.fix`."""
