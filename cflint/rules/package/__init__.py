"""Package rules: a correctly shaped archive (CF5xx)."""
