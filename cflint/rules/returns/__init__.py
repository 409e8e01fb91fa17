"""Return-value rules: the entry function returns something Flask can send (CF2xx)."""
