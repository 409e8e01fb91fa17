"""The rule pages (`rules/CODE.md`): found in the wheel or, in a checkout, beside the package."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent
RULE_PAGE_BASE_URL = "https://github.com/cflint/cflint/blob/main/rules/"


def pages_dir() -> Path:
    packaged = _PACKAGE_DIR / "rule_pages"
    return packaged if packaged.is_dir() else _PACKAGE_DIR.parent / "rules"


def page_path(code: str) -> Path:
    return pages_dir() / f"{code}.md"


def page_url(code: str) -> str:
    """Where a rule's page is published: the same file as `rules/CODE.md` in the repository."""
    return f"{RULE_PAGE_BASE_URL}{code}.md"


def read_page(code: str) -> str | None:
    try:
        return page_path(code).read_text(encoding="utf-8")
    except OSError:
        return None
