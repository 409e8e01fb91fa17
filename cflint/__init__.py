"""cflint: static checks for Python cloud functions before they are uploaded."""

__version__ = "0.1.0"
