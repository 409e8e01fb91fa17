"""Every rule has a page in rules/, and the examples on each page do what they say."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cflint.engine.registry import RuleMeta, load_registry
from scripts.generate_docs import main as generate_docs_main
from scripts.generate_docs import stale_docs
from tests.helpers import REPO, RULE_PAGES, CliResult, CodeBlock, parse_page, write_example

REGISTRY = load_registry()
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
# Rules whose failing input cannot be written as text in a page.
NOT_RUNNABLE = {
    "CF002": "needs undecodable bytes",
    "CF003": "marks a bug in cflint",
    "CF307": "needs --resolve and a package index (tests/test_resolve.py runs the page against one it builds)",
    "CF508": "needs a symbolic link (tests/test_package_links.py)",
}
# Each family's codes share their first digit.
FAMILIES = {
    "engine": "0",
    "entry": "1",
    "returns": "2",
    "imports": "3",
    "resources": "4",
    "package": "5",
    "compat": "6",
    "flask": "7",
    "portability": "8",
}


def test_every_rule_has_a_page_and_every_page_a_rule() -> None:
    pages = {path.stem for path in RULE_PAGES.glob("*.md")}
    assert pages == set(REGISTRY.codes)


@pytest.mark.parametrize("rule", REGISTRY.rules, ids=lambda r: r.code)
def test_page_has_the_standard_heading_and_sections(rule: RuleMeta) -> None:
    page = parse_page(RULE_PAGES / f"{rule.code}.md")
    assert (page.code, page.name, page.summary) == (rule.code, rule.name, rule.summary)
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
    """No finding at all: CF001 and CF002 stay on beside the page's rule, so a fixed example
    that does not parse fails here too."""
    extra = ("--extend-select", code)
    result = _lint_example(code, "Use instead", tmp_path, lambda *a, cwd: cflint(*extra, *a, cwd=cwd))
    assert (result.code, result.codes) == (0, []), result.out + result.err


def _variants() -> list[tuple[str, str]]:
    """(code, variant) for each page's extra example pairs: `## Example (through calls)`."""
    found = []
    for code in RUNNABLE:
        for section in parse_page(RULE_PAGES / f"{code}.md").sections:
            match = re.fullmatch(r"Example \((.+)\)", section)
            if match:
                found.append((code, match.group(1)))
    return found


@pytest.mark.parametrize(("code", "variant"), _variants())
def test_each_variant_example_is_reported_and_its_fix_clean(
    code: str, variant: str, tmp_path: Path, cflint: Callable[..., CliResult]
) -> None:
    extra = ("--extend-select", code)
    failing = _lint_example(
        code, f"Example ({variant})", tmp_path / "failing", lambda *a, cwd: cflint(*extra, *a, cwd=cwd)
    )
    assert code in failing.codes, failing.out + failing.err
    fixed = _lint_example(
        code, f"Use instead ({variant})", tmp_path / "fixed", lambda *a, cwd: cflint(*extra, *a, cwd=cwd)
    )
    assert (fixed.code, fixed.codes) == (0, []), fixed.out + fixed.err


@pytest.mark.parametrize("code", sorted(REGISTRY.codes))
def test_python_in_fixed_examples_compiles(code: str) -> None:
    """CPython's own compiler is the judge of the fixed examples' syntax."""
    page = parse_page(RULE_PAGES / f"{code}.md")
    fixed = [section for section in page.sections if section.startswith("Use instead")]
    for block in (block for section in fixed for block in page.blocks(section)):
        if block.language == "python":
            compile(block.text, block.title or "user.py", "exec", dont_inherit=True)


def test_a_fixed_example_with_a_syntax_error_fails(tmp_path: Path, cflint: Callable[..., CliResult]) -> None:
    """The check above catches what the old one let through: a page whose fixed example
    does not parse. A broken copy of a page's fixed example is linted as the test does."""
    write_example(tmp_path, [CodeBlock("python", "user.py", "def main(:\n    return 'ok'\n")])
    result = cflint("--select", "CF403", "--extend-select", "CF403", "--color", "never", ".", cwd=tmp_path)
    assert "CF403" not in result.codes  # what the old assertion checked: it passed
    assert (result.code, result.codes) != (0, [])  # what the test checks now: it fails


def test_docs_tables_and_page_headings_are_generated_from_the_rules() -> None:
    stale = [path.relative_to(REPO).as_posix() for path in stale_docs(REPO, REGISTRY)]
    assert not stale, f"stale: {stale}; run: python scripts/generate_docs.py"


def test_generator_finds_and_rewrites_a_stale_summary_and_tables(tmp_path: Path) -> None:
    shutil.copytree(REPO / "rules", tmp_path / "rules")
    shutil.copytree(REPO / "docs", tmp_path / "docs")
    page = tmp_path / "rules" / "CF403.md"
    page.write_text(page.read_text(encoding="utf-8").replace("| error | on |", "| warning | on |"), encoding="utf-8")
    rules_index = tmp_path / "docs" / "rules" / "index.md"
    rules_index.write_text(
        rules_index.read_text(encoding="utf-8").replace("| call-without-timeout | error |", "| x | error |")
    )
    fixes = tmp_path / "docs" / "fixes.md"
    fixes.write_text(fixes.read_text(encoding="utf-8").replace("| safe |", "| unsafe |", 1))
    (tmp_path / "rules" / "CF701.md").unlink()
    (tmp_path / "docs" / "rules" / "CF701.md").unlink()
    with (tmp_path / "docs" / "rules" / "CF102.md").open("a", encoding="utf-8") as drifted_copy:
        drifted_copy.write("An edit made to the copy, not to rules/CF102.md.\n")
    stale = sorted(p.relative_to(tmp_path).as_posix() for p in stale_docs(tmp_path, REGISTRY))
    assert stale == [
        "docs/fixes.md",
        "docs/rules/CF102.md",
        "docs/rules/CF701.md",
        "docs/rules/index.md",
        "rules/CF403.md",
        "rules/CF701.md",
    ]
    assert generate_docs_main(["--check", "--root", str(tmp_path)]) == 1
    assert generate_docs_main(["--root", str(tmp_path)]) == 0
    assert stale_docs(tmp_path, REGISTRY) == {}
    for name in ("rules/CF403.md", "docs/rules/CF102.md", "docs/fixes.md", "docs/rules/index.md"):
        expected = REPO / name
        assert (tmp_path / name).read_text(encoding="utf-8") == expected.read_text(encoding="utf-8"), name
    assert (tmp_path / "docs" / "rules" / "CF701.md").read_text(encoding="utf-8") == (
        tmp_path / "rules" / "CF701.md"
    ).read_text(encoding="utf-8")
    new_page = parse_page(tmp_path / "rules" / "CF701.md")
    assert (new_page.code, new_page.name, new_page.severity) == ("CF701", "request-not-flask", "error")
    assert set(new_page.sections) == set(REQUIRED_SECTIONS)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


@pytest.mark.parametrize("rule", REGISTRY.rules, ids=lambda r: r.code)
def test_module_and_class_are_named_after_the_rule(rule: RuleMeta) -> None:
    """cflint/rules/<family>/cf<digits>_<name, - as _>.py defines <CamelCaseName>, which may
    end in `Rule` (the engine's rules do: `SyntaxErrorRule` would otherwise shadow a builtin)."""
    package, family, module = rule.module.rsplit(".", 2)
    assert package == "cflint.rules"
    assert module == f"cf{rule.code[2:].lower()}_{rule.name.replace('-', '_')}"
    assert rule.class_name in (_camel(rule.name), _camel(rule.name) + "Rule")
    assert family in FAMILIES
    assert rule.code[2] == FAMILIES[family], f"{rule.code} is not in the {family} family's range"


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
