"""The catalogue of rules: every RuleInfo subclass defined in `cflint.rules`.

The catalogue is known by metadata (`RuleMeta`) first, read from the generated rule index
(`cflint.engine.rule_index`, written by scripts/generate_rule_index.py from what importing
the rules gives); a rule class is imported only when a file it may fire on is linted, so
that a run answered from the cache never imports LibCST, and a cold run imports only the
rules its files need. The framework makes its own findings (unreadable file, syntax error,
...) from that metadata too, by code, so it imports no rule module.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any, TypeVar

from cflint.model import START_OF_FILE, Finding, Fix, Position, Safety, Severity, TextEdit
from cflint.project import FileContext
from cflint.record import Record, asdict, fields
from cflint.rule import PackageRule, RootRule, Rule, RuleInfo, make_finding, text_applies

RuleT = TypeVar("RuleT", bound=RuleInfo)

# The package the rules are found in, by name: the engine runs rules, it is not built on them.
RULES_PACKAGE = "cflint.rules"

# Codes that existed once and must never be given to a new rule.
RETIRED_CODES: frozenset[str] = frozenset()

# The findings the framework makes itself, by code; their rules are in cflint/rules/engine
# (and CF101, CF506, which the package checker also reports for archives).
SYNTAX_ERROR = "CF001"
UNREADABLE_FILE = "CF002"
INTERNAL_ERROR = "CF003"
FILE_TOO_LARGE = "CF004"
INVALID_NOQA = "CF010"
UNUSED_NOQA = "CF011"
ENTRY_MODULE_MISSING = "CF101"
UNSAFE_ARCHIVE = "CF506"


class RuleMeta(Record, frozen=True):
    """What is known of a rule without importing it."""

    code: str
    name: str
    summary: str
    message: str
    severity: Severity
    default_enabled: bool
    always_enabled: bool
    kind: str  # "file", "root", "package" or "engine"
    module: str
    class_name: str
    fix: str | None = None  # "safe" or "unsafe" when the rule can fix what it finds
    fix_description: str = ""
    # The parts of this rule that check roots, and packages: `module:Class` each.
    root_parts: tuple[str, ...] = ()
    package_parts: tuple[str, ...] = ()
    # A file rule's `requires_text` and `entry_modules_only`, and whether its class decides
    # `applies_to` itself (then it is imported to be asked).
    requires_text: tuple[str, ...] = ()
    entry_modules_only: bool = False
    own_applies_to: bool = False

    @classmethod
    def of(cls, rule: type[RuleInfo], parts: tuple[type[RuleInfo], ...] = ()) -> RuleMeta:
        return cls(
            code=rule.code,
            name=rule.name,
            summary=rule.summary,
            message=rule.message,
            severity=rule.severity,
            default_enabled=rule.default_enabled,
            always_enabled=rule.always_enabled,
            kind=rule.kind,
            module=rule.__module__,
            class_name=rule.__qualname__,
            fix=rule.fix_safety.value if rule.fix_safety is not None else None,
            fix_description=rule.fix_description,
            root_parts=tuple(f"{part.__module__}:{part.__qualname__}" for part in parts if issubclass(part, RootRule)),
            package_parts=tuple(
                f"{part.__module__}:{part.__qualname__}" for part in parts if issubclass(part, PackageRule)
            ),
            **(_file_rule_checks(rule) if issubclass(rule, Rule) else {}),
        )

    def checks(self) -> dict[str, Any]:
        """What a file rule's class declares for `applies_to`, as `_file_rule_checks` reads it."""
        return {
            "requires_text": self.requires_text,
            "entry_modules_only": self.entry_modules_only,
            "own_applies_to": self.own_applies_to,
        }

    def may_apply(self, context: FileContext, source: str) -> bool:
        """False when this file rule cannot fire on `source`, known without importing it."""
        return self.own_applies_to or text_applies(self.requires_text, self.entry_modules_only, context, source)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "severity": self.severity.value}

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> RuleMeta:
        """The metadata `to_json` gave (its fields' types already checked)."""
        return cls.from_row([row[name] for name in RULE_META_FIELDS])

    def to_row(self) -> tuple[Any, ...]:
        """`to_json`'s values in the order of the fields, as the rule index holds them."""
        return tuple(self.to_json().values())

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> RuleMeta:
        """`to_row`'s values: the one place a severity's value becomes a Severity again."""
        values = list(row)
        values[_SEVERITY_FIELD] = Severity(values[_SEVERITY_FIELD])
        return cls(*values)

    def load(self, part: str | None = None) -> type[RuleInfo]:
        """The rule's class (or its part, `module:Class`), imported."""
        module, name = part.split(":") if part else (self.module, self.class_name)
        rule = getattr(importlib.import_module(module), name)
        if not (isinstance(rule, type) and issubclass(rule, RuleInfo)):
            raise TypeError(f"{module}.{name} is not a rule")
        return rule

    def finding(
        self, path: str, start: Position = START_OF_FILE, end: Position | None = None, /, **fields: object
    ) -> Finding:
        """A finding of this rule, as the rule class would make it."""
        return make_finding(self.code, self.message, self.severity, path, start, end, fields)


def _loaded(meta: RuleMeta, base: type[RuleT]) -> type[RuleT]:
    """The class of the rule `meta`, imported; it must derive from `base`."""
    rule = meta.load()
    if not issubclass(rule, base):
        raise TypeError(f"{meta.code}: {meta.class_name} is not a {base.__name__}")
    return rule


def _file_rule_checks(rule: type[Rule]) -> dict[str, Any]:
    return {
        "requires_text": rule.requires_text,
        "entry_modules_only": rule.entry_modules_only,
        "own_applies_to": rule.applies_to.__func__ is not Rule.applies_to.__func__,  # type: ignore[attr-defined]
    }


RULE_META_FIELDS = tuple(each.name for each in fields(RuleMeta))
_SEVERITY_FIELD = RULE_META_FIELDS.index("severity")


class Registry(Record, frozen=True, dict=True):
    """Every rule's metadata, by code; the rule classes are imported on first use."""

    rules: tuple[RuleMeta, ...]

    @cached_property
    def _by_code(self) -> dict[str, RuleMeta]:
        return {rule.code: rule for rule in self.rules}

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self._by_code)

    @property
    def always_enabled(self) -> frozenset[str]:
        """Codes that cannot be turned off and fail a run even with --exit-zero."""
        return frozenset(rule.code for rule in self.rules if rule.always_enabled)

    def by_code(self, code: str) -> RuleMeta:
        return self._by_code[code]

    def finding(
        self, code: str, path: str, start: Position = START_OF_FILE, end: Position | None = None, /, **fields: object
    ) -> Finding:
        """A finding of the rule `code`, made from its metadata (its module is not imported)."""
        return self._by_code[code].finding(path, start, end, **fields)

    def fix(self, code: str, *edits: TextEdit) -> Fix:
        """The fix of the rule `code` made of `edits`, from its metadata."""
        meta = self._by_code[code]
        assert meta.fix is not None, f"{code} declares no fix_safety"
        return Fix(Safety(meta.fix), meta.fix_description, edits)

    def _load(self, base: type[RuleT]) -> tuple[type[RuleT], ...]:
        """The rule classes of `base`'s kind, imported."""
        return tuple(_loaded(meta, base) for meta in self.rules if meta.kind == base.kind)

    @property
    def file_rules(self) -> tuple[type[Rule], ...]:
        return self._load(Rule)

    @cached_property
    def _file_rule_classes(self) -> dict[str, tuple[type[Rule], bool]]:
        """Each file rule imported so far, and whether its `applies_to` must still be asked:
        it decides for itself, or its declarations are not those of the metadata (rules.json
        from another cache); else the metadata's check was the class's."""
        return {}

    def file_rules_for(self, enabled: frozenset[str], context: FileContext, source: str) -> list[type[Rule]]:
        """The enabled file rules that apply to `source`, in code order; a rule that cannot
        fire on it by its metadata is not imported."""
        chosen: list[type[Rule]] = []
        loaded = self._file_rule_classes
        for meta in self.rules:
            if meta.kind != Rule.kind or meta.code not in enabled or not meta.may_apply(context, source):
                continue
            found = loaded.get(meta.code)
            if found is None:
                rule = _loaded(meta, Rule)
                found = loaded[meta.code] = (rule, meta.own_applies_to or _file_rule_checks(rule) != meta.checks())
            rule, ask = found
            if not ask or rule.applies_to(context, source):
                chosen.append(rule)
        return chosen

    def _load_parts(self, base: type[RuleT], names: Callable[[RuleMeta], tuple[str, ...]]) -> tuple[type[RuleT], ...]:
        """The parts of `base`'s kind of rules of other kinds, imported."""
        parts: list[type[RuleT]] = []
        for meta in self.rules:
            for name in names(meta):
                part = meta.load(name)
                if not issubclass(part, base) or part.code != meta.code:
                    raise TypeError(f"{meta.code}: {name} is not a {base.__name__} of {meta.code}")
                parts.append(part)
        return tuple(parts)

    @property
    def root_rules(self) -> tuple[type[RootRule], ...]:
        """The root rules and the root parts of rules of other kinds."""
        return self._load(RootRule) + self._load_parts(RootRule, lambda meta: meta.root_parts)

    @property
    def package_rules(self) -> tuple[type[PackageRule], ...]:
        """The package rules and the package parts of rules of other kinds."""
        return self._load(PackageRule) + self._load_parts(PackageRule, lambda meta: meta.package_parts)


def module_names(folder: str, package: str) -> list[str]:
    """The modules and subpackages in the package `package` at `folder`, at any depth, as
    `pkgutil.walk_packages` names them for a package of source files (rules ship as `.py`):
    listed here rather than by pkgutil, whose import and walk cost a cold run more than the
    listing does."""
    names: list[str] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir():
                if "." not in entry.name and os.path.isfile(os.path.join(entry.path, "__init__.py")):
                    names.append(f"{package}.{entry.name}")
                    names.extend(module_names(entry.path, f"{package}.{entry.name}"))
                continue
            module, suffix = os.path.splitext(entry.name)
            if suffix == ".py" and module != "__init__" and "." not in module:
                names.append(f"{package}.{module}")
    return names


def load_registry() -> Registry:
    """The rules' metadata from the rule index, no rule module imported."""
    from cflint.engine.rule_index import FIELDS, RULES

    if FIELDS != RULE_META_FIELDS:
        raise RuntimeError("cflint/engine/rule_index.py is stale: run scripts/generate_rule_index.py")
    return Registry(tuple(map(RuleMeta.from_row, RULES)))


def scan_registry() -> Registry:
    """Import every rule module and collect its rules: the classes that define a `code`.
    What the rule index is written from, and must equal."""
    found: dict[str, type[RuleInfo]] = {}
    parts: dict[str, list[type[RuleInfo]]] = {}
    rules = importlib.import_module(RULES_PACKAGE)
    for name in sorted(name for folder in rules.__path__ for name in module_names(folder, RULES_PACKAGE)):
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, RuleInfo)
                and value.__module__ == module.__name__
                and "code" in vars(value)
            ):
                if value.part_of is not None:
                    parts.setdefault(value.part_of, []).append(value)
                    continue
                if value.code in found or value.code in RETIRED_CODES:
                    raise RuntimeError(f"rule code {value.code} is defined twice or retired")
                found[value.code] = value
    return Registry(tuple(RuleMeta.of(found[code], tuple(parts.get(code, ()))) for code in sorted(found)))
