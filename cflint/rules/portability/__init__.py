"""Portability rules: what another platform provided or expected (CF8xx)."""
