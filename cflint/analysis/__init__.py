"""Analyses shared by rules: the read-only walk of a syntax tree, scopes and names, control flow,
value origins, kinds, literals."""
