"""The ground floor: file-system tools that know nothing of cflint (safe reads and writes,
path patterns, links out of a folder, how a path is shown). Nothing here imports another cflint package."""
