"""Findings the engine itself makes: unreadable or unparsable files, noqa checks (CF0xx)."""
