"""The framework knows rules only through the registry, and each rule's facts are written once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cflint
from cflint.engine import registry as registry_module
from cflint.engine.registry import load_registry

PACKAGE = Path(cflint.__file__).resolve().parent
REGISTRY = load_registry()
FRAMEWORK_MODULES = sorted(path for path in PACKAGE.rglob("*.py") if PACKAGE / "rules" not in path.parents)


def _imported_modules(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("path", FRAMEWORK_MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_framework_modules_import_no_rule(path: Path) -> None:
    rule_imports = [name for name in _imported_modules(path) if name.startswith("cflint.rules.")]
    assert not rule_imports, f"{path.name} imports rules: {rule_imports}; make the finding by code from the registry"


def test_the_check_sees_a_rule_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from cflint.rules.engine.cf001_syntax_error import SyntaxErrorRule\n", encoding="utf-8")
    assert _imported_modules(module) == ["cflint.rules.engine.cf001_syntax_error.SyntaxErrorRule"]


@pytest.mark.parametrize(
    ("constant", "kind"),
    [
        ("SYNTAX_ERROR", "engine"),
        ("UNREADABLE_FILE", "engine"),
        ("INTERNAL_ERROR", "engine"),
        ("FILE_TOO_LARGE", "engine"),
        ("INVALID_NOQA", "engine"),
        ("UNUSED_NOQA", "engine"),
        ("ENTRY_MODULE_MISSING", "root"),
        ("UNSAFE_ARCHIVE", "package"),
    ],
)
def test_codes_the_framework_reports_are_rules_of_their_kind(constant: str, kind: str) -> None:
    rule = REGISTRY.by_code(getattr(registry_module, constant))
    assert rule.kind == kind
    assert rule.name.replace("-", "_").upper() == constant


def test_a_finding_made_by_code_equals_the_rule_classes() -> None:
    from cflint.model import Position
    from cflint.rules.engine.cf004_file_too_large import FileTooLargeRule

    by_code = REGISTRY.finding("CF004", "a.py", Position(2, 3), None, size=5, limit=4)
    assert by_code == FileTooLargeRule.finding("a.py", Position(2, 3), size=5, limit=4)
    assert (by_code.message, by_code.severity, by_code.end) == (
        FileTooLargeRule.finding("a.py", size=5, limit=4).message,
        FileTooLargeRule.severity,
        Position(2, 3),
    )


def test_only_syntax_and_read_errors_are_always_enabled() -> None:
    assert REGISTRY.always_enabled == {"CF001", "CF002"}


def test_rule_kinds_come_from_their_base_classes() -> None:
    assert {rule.kind for rule in REGISTRY.rules} == {"engine", "file", "root", "package"}
    for kind, rules in (("file", REGISTRY.file_rules), ("root", REGISTRY.root_rules)):
        assert {rule.code for rule in rules} == {meta.code for meta in REGISTRY.rules if meta.kind == kind}
