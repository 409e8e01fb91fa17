"""A lint run: discovery of files and function roots, the runner and its result cache, and the
package checks of a run (package rules on folders; ZIP archives linted in place)."""
