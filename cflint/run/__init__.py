"""A lint run: discovery of files and function roots, safe file reads, the runner and its result cache."""
