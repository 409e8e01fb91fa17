"""Analyses shared by rules: scopes and names, control flow, value origins, kinds, literals."""
