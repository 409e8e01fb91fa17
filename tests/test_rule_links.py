"""Rule links come from one declaration, `[project.urls]` in pyproject.toml; without one, no link."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import Message

import pytest

from cflint.output import pages
from tests.helpers import REPO

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib


@pytest.fixture
def fresh_docs_url() -> Iterator[None]:
    pages.docs_url.cache_clear()
    yield
    pages.docs_url.cache_clear()


def _metadata_with(*project_urls: str) -> Message:
    message = Message()
    for entry in project_urls:
        message["Project-URL"] = entry
    return message


def test_the_installed_metadata_carries_what_pyproject_declares(fresh_docs_url: None) -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"].get("urls", {})
    site = declared.get(pages.DOCS_URL_KEY)
    assert pages.docs_url() == (None if site is None else site.rstrip("/") + "/")


def test_no_declared_site_gives_no_link(fresh_docs_url: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importlib.metadata.metadata", lambda name: _metadata_with("Source, https://example.org/src"))
    assert pages.page_url("CF103") is None


def test_a_declared_site_gives_each_rule_its_page(fresh_docs_url: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "importlib.metadata.metadata", lambda name: _metadata_with("Documentation, https://docs.example.org/cflint")
    )
    assert pages.page_url("CF103") == "https://docs.example.org/cflint/rules/CF103.html"


def test_no_link_leads_to_the_unrelated_project_of_the_same_name() -> None:
    """That address (GitHub ignores case) is someone else's ColdFusion linter."""
    tops = ["cflint", "docs", "rules", "tests", "scripts", "bench", "action", "examples"]
    files = [path for top in tops for path in (REPO / top).rglob("*") if path.is_file()]
    files += [REPO / name for name in ("README.md", "CHANGELOG.md", "pyproject.toml", "action.yml", "mkdocs.yml")]
    files += [REPO / ".pre-commit-hooks.yaml"]
    offending = []
    for path in files:
        if path.name == "test_rule_links.py" or path.suffix not in {
            ".py",
            ".md",
            ".toml",
            ".yml",
            ".yaml",
            ".json",
            ".sh",
        }:
            continue
        text = path.read_text(encoding="utf-8", errors="replace").lower()
        if "github.com/cflint/" in text or "uses: cflint/cflint@" in text:
            offending.append(path.relative_to(REPO).as_posix())
    assert offending == []
