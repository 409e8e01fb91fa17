"""Every rule has a page in rules/, and the examples on each page do what they say."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.engine.registry import load_registry
from tests.helpers import RULE_PAGES, CliResult, parse_page, write_example

REGISTRY = load_registry()
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
# Rules whose failing input cannot be written as text in a page.
NOT_RUNNABLE = {"CF002": "needs undecodable bytes", "CF003": "marks a bug in cflint"}


def test_every_rule_has_a_page_and_every_page_a_rule() -> None:
    pages = {path.stem for path in RULE_PAGES.glob("*.md")}
    assert pages == set(REGISTRY.codes)


@pytest.mark.parametrize("rule", REGISTRY.rules, ids=lambda r: r.code)
def test_page_matches_rule(rule: type) -> None:
    page = parse_page(RULE_PAGES / f"{rule.code}.md")
    assert (page.code, page.name, page.summary) == (rule.code, rule.name, rule.summary)
    assert page.severity == rule.severity.value
    assert page.default.startswith(("on", "always on") if rule.default_enabled else ("off",))
    for section in REQUIRED_SECTIONS:
        assert page.sections.get(section, "").strip(), f"{rule.code}: section {section!r} is empty"


def _lint_example(page_code: str, section: str, folder: Path, cflint: Callable[..., CliResult]) -> CliResult:
    page = parse_page(RULE_PAGES / f"{page_code}.md")
    blocks = page.blocks(section)
    assert blocks, f"{page_code}: no code block in {section!r}"
    target = write_example(folder, blocks)
    return cflint("--select", page_code, "--color", "never", target, cwd=folder)


RUNNABLE = [rule.code for rule in REGISTRY.rules if rule.code not in NOT_RUNNABLE]


@pytest.mark.parametrize("code", RUNNABLE)
def test_failing_example_is_reported(code: str, tmp_path: Path, cflint: Callable[..., CliResult]) -> None:
    extra = ("--extend-select", code)
    result = _lint_example(code, "Example", tmp_path, lambda *a, cwd: cflint(*extra, *a, cwd=cwd))
    assert code in result.codes, result.out + result.err


@pytest.mark.parametrize("code", RUNNABLE)
def test_fixed_example_is_clean(code: str, tmp_path: Path, cflint: Callable[..., CliResult]) -> None:
    extra = ("--extend-select", code)
    result = _lint_example(code, "Use instead", tmp_path, lambda *a, cwd: cflint(*extra, *a, cwd=cwd))
    assert code not in result.codes, result.out + result.err


def test_readme_lists_every_rule_with_its_summary() -> None:
    readme = (RULE_PAGES.parent / "README.md").read_text(encoding="utf-8")
    for rule in REGISTRY.rules:
        row = next(
            (line for line in readme.splitlines() if line.startswith(f"| [{rule.code}](rules/{rule.code}.md) ")), None
        )
        assert row is not None, f"README has no row for {rule.code}"
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert cells[1:3] == [rule.name, rule.severity.value]
        assert cells[4].replace("\\|", "|") == rule.summary


FIXABLE = [rule for rule in REGISTRY.rules if rule.fix is not None]


@pytest.mark.parametrize("rule", REGISTRY.rules, ids=lambda r: r.code)
def test_fix_section_states_the_fix_safety(rule: type) -> None:
    page = parse_page(RULE_PAGES / f"{rule.code}.md")
    if rule.fix is None:
        assert "Fix" not in page.sections, f"{rule.code} has no fix but its page has a Fix section"
    else:
        assert re.search(rf"has an? \*\*{rule.fix}\*\* fix", page.sections.get("Fix", "")), rule.code


@pytest.mark.parametrize("rule", FIXABLE, ids=lambda r: r.code)
def test_fix_makes_the_failing_example_clean(rule: type, tmp_path: Path, cflint: Callable[..., CliResult]) -> None:
    code = rule.code
    result = _lint_example(
        code,
        "Example",
        tmp_path,
        lambda *a, cwd: cflint("--extend-select", code, "--fix", "--unsafe-fixes", *a, cwd=cwd),
    )
    assert code not in result.codes, result.out + result.err
    assert "(0 fixed" not in result.out
    for block in parse_page(RULE_PAGES / f"{code}.md").blocks("Fix"):
        assert (tmp_path / (block.title or "user.py")).read_text(encoding="utf-8") == block.text
