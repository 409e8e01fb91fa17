"""The engine: parsing with its guards, the one-walk linter, traversal, positions, noqa and the rule registry."""
