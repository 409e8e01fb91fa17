"""The catalogue of rules: every RuleInfo subclass defined in `cflint.rules`.

The catalogue is known by metadata (`RuleMeta`) first; rule classes are imported only
when a file has to be linted, so that a run answered from the cache never imports LibCST.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import asdict, dataclass
from typing import Any

import cflint.rules
from cflint.model import Severity
from cflint.package.contents import PackageRule
from cflint.rule import EngineRule, RootRule, Rule, RuleInfo

# Codes that existed once and must never be given to a new rule.
RETIRED_CODES: frozenset[str] = frozenset()
_KINDS = ((RootRule, "root"), (Rule, "file"), (PackageRule, "package"), (EngineRule, "engine"))


@dataclass(frozen=True)
class RuleMeta:
    """What is known of a rule without importing it."""

    code: str
    name: str
    summary: str
    severity: Severity
    default_enabled: bool
    kind: str  # "file", "root", "package" or "engine"
    module: str
    class_name: str
    fix: str | None = None  # "safe" or "unsafe" when the rule can fix what it finds

    @classmethod
    def of(cls, rule: type[RuleInfo]) -> RuleMeta:
        kind = next(name for base, name in _KINDS if issubclass(rule, base))
        return cls(
            rule.code,
            rule.name,
            rule.summary,
            rule.severity,
            rule.default_enabled,
            kind,
            rule.__module__,
            rule.__qualname__,
            rule.fix_safety.value if rule.fix_safety is not None else None,
        )

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "severity": self.severity.value}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RuleMeta:
        return cls(**{**data, "severity": Severity(data["severity"])})

    def load(self) -> type[RuleInfo]:
        return getattr(importlib.import_module(self.module), self.class_name)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Registry:
    rules: tuple[RuleMeta, ...]

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(rule.code for rule in self.rules)

    def by_code(self, code: str) -> RuleMeta:
        for rule in self.rules:
            if rule.code == code:
                return rule
        raise KeyError(code)

    @property
    def file_rules(self) -> tuple[type[Rule], ...]:
        return tuple(rule.load() for rule in self.rules if rule.kind == "file")  # type: ignore[misc]

    @property
    def root_rules(self) -> tuple[type[RootRule], ...]:
        return tuple(rule.load() for rule in self.rules if rule.kind == "root")  # type: ignore[misc]

    @property
    def package_rules(self) -> tuple[type[PackageRule], ...]:
        return tuple(rule.load() for rule in self.rules if rule.kind == "package")  # type: ignore[misc]


def load_registry() -> Registry:
    """Import every rule module and collect its rules."""
    found: dict[str, type[RuleInfo]] = {}
    prefix = f"{cflint.rules.__name__}."
    for module_info in sorted(pkgutil.walk_packages(cflint.rules.__path__, prefix), key=lambda m: m.name):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, RuleInfo)
                and value not in (RuleInfo, Rule, RootRule, PackageRule, EngineRule)
                and value.__module__ == module.__name__
                and "code" in vars(value)
            ):
                if value.code in found or value.code in RETIRED_CODES:
                    raise RuntimeError(f"rule code {value.code} is defined twice or retired")
                found[value.code] = value
    return Registry(tuple(RuleMeta.of(found[code]) for code in sorted(found)))
