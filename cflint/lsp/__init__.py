"""The language server `cflint server`: diagnostics, code actions and hovers over LSP (needs the `lsp` extra)."""
