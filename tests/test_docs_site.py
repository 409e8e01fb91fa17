"""The README stays short and true, and the docs site's pages are all reachable from its nav."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import yaml  # pre-commit's own dependency

from tests.helpers import REPO, CliResult, write_files

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_readme_is_at_most_250_lines() -> None:
    assert README.count("\n") <= 250


def test_the_readme_tour_shows_what_cflint_prints(tmp_path: Path, cflint: Callable[..., CliResult]) -> None:
    (source,) = re.findall(r"```python\n(.*?)```", README, re.S)
    (console,) = re.findall(r"```console\n\$ cflint fn\n(.*?)```", README, re.S)
    write_files(tmp_path, {"fn/user.py": source, "fn/requirements.txt": "requests\n"})
    result = cflint("fn", "--color", "never")
    assert (result.code, result.out) == (1, console)


def test_the_readme_links_to_files_that_exist() -> None:
    targets = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", README)
    assert targets and [target for target in targets if not (REPO / target).exists()] == []


def _nav_pages(entries: list[object]) -> list[str]:
    pages: list[str] = []
    for entry in entries:
        if isinstance(entry, str):
            pages.append(entry)
        elif isinstance(entry, dict):
            for value in entry.values():
                pages.extend(_nav_pages(value) if isinstance(value, list) else [value])
    return pages


def test_every_docs_page_is_in_the_nav_and_every_rule_has_one() -> None:
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = _nav_pages(config["nav"])
    docs = REPO / "docs"
    assert sorted(nav) == sorted(path.relative_to(docs).as_posix() for path in docs.rglob("*.md"))
    rule_pages = {path.name for path in (REPO / "rules").glob("CF*.md")}
    assert {path.name for path in (docs / "rules").glob("CF*.md")} == rule_pages
