"""Fixes as rules propose them: text edits, and edits made from LibCST nodes; the `unfixable`
setting. Applying them to files is `cflint.fixer`."""
