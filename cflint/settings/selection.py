"""Which rules are enabled for a file: select, extend-select, ignore, per-file-ignores."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from cflint.settings.config import Settings, setting_patterns
from cflint.settings.values import selector_names

if TYPE_CHECKING:  # protocols for type checkers only: defining one costs a run 80 k instructions

    class SelectableRule(Protocol):
        """What selection reads of a rule (the registry's RuleMeta has it)."""

        @property
        def code(self) -> str: ...
        @property
        def default_enabled(self) -> bool: ...
        @property
        def always_enabled(self) -> bool: ...

    class SelectableRules(Protocol):
        """What selection reads of the rule catalogue (the registry has it)."""

        @property
        def rules(self) -> Sequence[SelectableRule]: ...
        @property
        def always_enabled(self) -> frozenset[str]: ...


def _selected_by(selector: str, rule: SelectableRule) -> bool:
    if selector == "ALL" or selector == rule.code:
        return True
    return rule.default_enabled and rule.code.startswith(selector)


def enabled_codes(settings: Settings, rules: Iterable[SelectableRule]) -> frozenset[str]:
    """Codes enabled by settings: `select` (or the defaults), plus `extend-select`,
    minus `ignore`. A rule that is off by default is enabled only by its exact code or ALL;
    a rule that is always enabled cannot be turned off."""
    enabled = set()
    for rule in rules:
        if settings.select is None:
            chosen = rule.default_enabled
        else:
            chosen = any(_selected_by(s, rule) for s in settings.select)
        chosen = chosen or any(_selected_by(s, rule) for s in settings.extend_select)
        if rule.always_enabled or (chosen and not selector_names(settings.ignore, rule.code)):
            enabled.add(rule.code)
    return frozenset(enabled)


class PerFileIgnores:
    """Per-file-ignores patterns (gitignore syntax, relative to the config's folder)."""

    def __init__(self, settings: Settings) -> None:
        self._base = settings.base_dir
        self._entries = [
            (setting_patterns([pattern], "per-file-ignores"), codes) for pattern, codes in settings.per_file_ignores
        ]

    def ignored_for(self, path: Path) -> tuple[str, ...]:
        if not self._entries:
            return ()
        try:
            relative = path.resolve().relative_to(self._base).as_posix()
        except ValueError:
            relative = path.as_posix()
        ignored: list[str] = []
        for spec, codes in self._entries:
            if spec.match_file(relative):
                ignored.extend(codes)
        return tuple(ignored)


def apply_ignores(enabled: frozenset[str], ignored: Iterable[str], always_enabled: frozenset[str]) -> frozenset[str]:
    """`enabled` without the `ignored` codes and prefixes, except those always enabled."""
    ignored = tuple(ignored)
    if not ignored:
        return enabled
    return frozenset(code for code in enabled if code in always_enabled or not selector_names(ignored, code))


class Selection:
    """The codes enabled for each file: its settings' select, extend-select and ignore, then
    their per-file-ignores for its path; the first part is computed once per settings."""

    def __init__(self, registry: SelectableRules) -> None:
        self._registry = registry
        self._enabled: dict[Settings, frozenset[str]] = {}
        self._ignores: dict[Settings, PerFileIgnores] = {}

    def for_path(self, settings: Settings, path: Path) -> frozenset[str]:
        """The codes enabled for the file (or function root folder) `path` under `settings`."""
        enabled = self._enabled.get(settings)
        if enabled is None:
            enabled = self._enabled[settings] = enabled_codes(settings, self._registry.rules)
            self._ignores[settings] = PerFileIgnores(settings)
        return apply_ignores(enabled, self._ignores[settings].ignored_for(path), self._registry.always_enabled)
