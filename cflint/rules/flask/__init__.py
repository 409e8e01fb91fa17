"""Flask rules: the request object is Flask's (CF7xx)."""
