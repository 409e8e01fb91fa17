"""Fixes: what a finding's fix is, how edits are made from LibCST nodes, and how they are applied."""
