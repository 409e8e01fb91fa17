"""The function's ZIP package: what a package holds (as package rules see it), archive
reading, junk, and which files of a folder are packed. Running the package rules is
`cflint.run.package_checks`."""
