"""The rule pages (`rules/CODE.md`): found in the wheel or, in a checkout, beside the package."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cflint.engine.registry import RuleMeta

_PACKAGE_DIR = Path(__file__).resolve().parent.parent
# The key of `[project.urls]` in pyproject.toml naming the documentation site, the one place
# a published address is declared; rule pages are `<site>/rules/CODE.html` under it.
DOCS_URL_KEY = "Documentation"


def pages_dir() -> Path:
    packaged = _PACKAGE_DIR / "rule_pages"
    return packaged if packaged.is_dir() else _PACKAGE_DIR.parent / "rules"


def page_path(code: str) -> Path:
    return pages_dir() / f"{code}.md"


@cache
def docs_url() -> str | None:
    """The documentation site declared in `[project.urls]`, as the installed distribution's
    metadata carries it; None when there is none (or cflint runs from a bare checkout)."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        entries = metadata("cflint").get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    for entry in entries:
        label, _, url = str(entry).partition(",")
        if label.strip() == DOCS_URL_KEY and url.strip():
            return url.strip().rstrip("/") + "/"
    return None


def page_url(code: str) -> str | None:
    """Where a rule's page is published, or None until the project declares a documentation
    site: no link rather than a guessed one (`cflint rule CODE` is the offline page)."""
    site = docs_url()
    return None if site is None else f"{site}rules/{code}.html"


def read_page(code: str) -> str | None:
    try:
        return page_path(code).read_text(encoding="utf-8")
    except OSError:
        return None


def default_text(rule: RuleMeta) -> str:
    """A rule's Default cell on its page: how it is turned on, when it is off."""
    if rule.always_enabled:
        return "always on"
    if rule.default_enabled:
        return "on"
    return f'off (`extend-select = ["{rule.code}"]`)'


def page_heading(rule: RuleMeta) -> str:
    """The opening of a rule's page: title, Severity/Default table and summary, made from
    the rule class (scripts/generate_docs.py writes it; the rest of the page is prose)."""
    return (
        f"# {rule.code}: {rule.name}\n\n"
        "| Severity | Default |\n| --- | --- |\n"
        f"| {rule.severity.value} | {default_text(rule)} |\n\n"
        f"{rule.summary}\n"
    )


def rules_table(rules: Iterable[RuleMeta]) -> str:
    """The docs' table of rules (docs/rules/index.md), one row per rule, linking to its page."""
    lines = ["| code | name | severity | default | what it flags |", "| --- | --- | --- | --- | --- |"]
    for rule in rules:
        default = "always" if rule.always_enabled else "on" if rule.default_enabled else "off"
        cells = [f"[{rule.code}]({rule.code}.md)", rule.name, rule.severity.value, default, _cell(rule.summary)]
        lines.append(f"| {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def fixes_table(rules: Iterable[RuleMeta]) -> str:
    """The docs' table of fixes (docs/fixes.md): each fixable rule's fix and its safety, safe ones first."""
    fixable = sorted((rule for rule in rules if rule.fix is not None), key=lambda rule: (rule.fix != "safe", rule.code))
    lines = ["| code | name | fix | safety |", "| --- | --- | --- | --- |"]
    for rule in fixable:
        lines.append(
            f"| [{rule.code}](rules/{rule.code}.md) | {rule.name} | {_cell(rule.fix_description)} | {rule.fix} |"
        )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
