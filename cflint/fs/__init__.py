"""The ground floor: file-system tools that know nothing of cflint (safe reads and writes,
path patterns, links out of a folder). Nothing here imports another cflint package."""
