"""Settings: configuration files, command-line overrides, and which rules are enabled."""
