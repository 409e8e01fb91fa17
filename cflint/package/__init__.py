"""The function's ZIP package: archive reading, contents, junk, package checks, pack sets."""
