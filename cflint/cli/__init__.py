"""The command line: argument parsing, the lint command, rule pages, the package command."""
