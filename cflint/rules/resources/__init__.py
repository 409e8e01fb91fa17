"""Resource rules: memory and time limits (CF4xx)."""
