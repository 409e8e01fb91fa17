"""Import and dependency rules: every import is installable and declared (CF3xx)."""
