"""The `unfixable` setting: which findings keep their fix."""

from __future__ import annotations

from collections.abc import Sequence

from cflint.model import Finding
from cflint.record import replace
from cflint.settings.values import selector_names


def is_unfixable(code: str, unfixable: Sequence[str]) -> bool:
    """Whether the `unfixable` setting (codes, prefixes or ALL) names `code`."""
    return selector_names(unfixable, code)


def without_unfixable(findings: list[Finding], unfixable: Sequence[str]) -> list[Finding]:
    """The findings, those of codes the config calls unfixable without their fix."""
    if not unfixable:
        return findings
    return [replace(f, fix=None) if f.fix is not None and is_unfixable(f.code, unfixable) else f for f in findings]
