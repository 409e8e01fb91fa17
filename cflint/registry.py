"""The catalogue of rules: every RuleInfo subclass defined in `cflint.rules`."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

import cflint.rules
from cflint.rule import EngineRule, RootRule, Rule, RuleInfo

# Codes that existed once and must never be given to a new rule.
RETIRED_CODES: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Registry:
    rules: tuple[type[RuleInfo], ...]

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(rule.code for rule in self.rules)

    def by_code(self, code: str) -> type[RuleInfo]:
        for rule in self.rules:
            if rule.code == code:
                return rule
        raise KeyError(code)

    @property
    def file_rules(self) -> tuple[type[Rule], ...]:
        return tuple(r for r in self.rules if issubclass(r, Rule))

    @property
    def root_rules(self) -> tuple[type[RootRule], ...]:
        return tuple(r for r in self.rules if issubclass(r, RootRule))


def load_registry() -> Registry:
    found: dict[str, type[RuleInfo]] = {}
    for module_info in sorted(pkgutil.iter_modules(cflint.rules.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"cflint.rules.{module_info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, RuleInfo)
                and value not in (RuleInfo, Rule, RootRule, EngineRule)
                and value.__module__ == module.__name__
            ):
                if value.code in found or value.code in RETIRED_CODES:
                    raise RuntimeError(f"rule code {value.code} is defined twice or retired")
                found[value.code] = value
    return Registry(tuple(found[code] for code in sorted(found)))
