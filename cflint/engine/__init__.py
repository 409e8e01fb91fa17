"""The engine: parsing with its guards, the one-walk linter, positions, noqa and the rule registry."""
