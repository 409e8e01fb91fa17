"""Each rule's facts are written once, and the framework makes its own findings by code.

That the framework imports no rule, and the layers of the packages, are import-linter's
contracts in pyproject.toml, checked by `lint-imports` in .ci/run."""

from __future__ import annotations

from pathlib import Path

import pytest

from cflint.engine import registry as registry_module
from cflint.engine.registry import load_registry

REGISTRY = load_registry()


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
    assert {rule.code for rule in REGISTRY.file_rules} == {meta.code for meta in REGISTRY.rules if meta.kind == "file"}
    # A rule of another kind with a root part (CF507 on requirement files) is run with the root rules.
    assert {rule.code for rule in REGISTRY.root_rules} == {
        meta.code for meta in REGISTRY.rules if meta.kind == "root" or meta.root_parts
    }


def test_a_rule_part_reports_under_its_rules_code_and_metadata() -> None:
    parts = [rule for rule in (*REGISTRY.root_rules, *REGISTRY.package_rules) if rule.part_of is not None]
    assert [rule.code for rule in parts] == ["CF507", "CF507"]
    for part in parts:
        assert part.part_of is not None
        rule = REGISTRY.by_code(part.part_of)
        assert (part.code, part.name, part.summary, part.message) == (rule.code, rule.name, rule.summary, rule.message)


def test_the_registry_finds_the_rule_modules_pkgutil_finds(tmp_path: Path) -> None:
    """The registry lists the rule modules itself (pkgutil costs a cold run more); it must
    find what pkgutil.walk_packages finds: modules and subpackages at any depth, nothing
    from a folder that is not a package or from __pycache__."""
    import pkgutil

    import cflint.rules

    package = tmp_path / "pkg"
    for name in ("__init__.py", "a.py", "sub/__init__.py", "sub/b.py", "sub/deep/__init__.py", "sub/deep/c.py"):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text("", encoding="utf-8")
    for name in ("loose/d.py", "__pycache__/a.cpython-311.pyc", "notes.txt", "sub/__init__.py.orig"):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text("", encoding="utf-8")
    walked = sorted(info.name for info in pkgutil.iter_modules([str(package)], "pkg."))
    assert walked == ["pkg.a", "pkg.sub"]
    assert sorted(registry_module.module_names(str(package), "pkg")) == [
        "pkg.a",
        "pkg.sub",
        "pkg.sub.b",
        "pkg.sub.deep",
        "pkg.sub.deep.c",
    ]
    rules = cflint.rules.__path__
    expected = sorted(info.name for info in pkgutil.walk_packages(rules, "cflint.rules."))
    assert sorted(name for folder in rules for name in registry_module.module_names(folder, "cflint.rules")) == expected
