"""Every rule has a page in rules/, and the examples on each page do what they say.

A block titled `NAME.zip` lists an archive's members, one path a line (the members are
empty files); the example then lints that archive instead of the folder."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.registry import load_registry
from tests.helpers import RULE_PAGES, CliResult, parse_page, write_files

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
    archives = [block for block in blocks if (block.title or "").endswith(".zip")]
    write_files(folder, {block.title or "user.py": block.text for block in blocks if block not in archives})
    for block in archives:
        with zipfile.ZipFile(folder / str(block.title), "w") as archive:
            for member in block.text.splitlines():
                archive.writestr(member, b"")
    target = str(archives[0].title) if archives else "."
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
