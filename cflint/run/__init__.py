"""A lint run: discovery of files and function roots, the runner and its result cache."""
