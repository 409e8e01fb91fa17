"""Compatibility rules: code that works on every target Python version (CF6xx)."""
