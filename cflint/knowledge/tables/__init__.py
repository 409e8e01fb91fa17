"""Pre-parsed copies of the data files in cflint/knowledge/data, one module each, written by
scripts/generate_tables.py (a test holds each equal to its file); read through
`cflint.knowledge.data_files`."""
