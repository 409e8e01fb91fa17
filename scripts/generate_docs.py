"""Write what the docs say about each rule from the rule classes, the one place it is kept:
the heading of each page in rules/ (title, Severity/Default table, summary), the docs site's
copy of each page (docs/rules/CODE.md), its rule table (docs/rules/index.md) and its fixes
table (docs/fixes.md), each between their markers. A rule without a page gets one with
empty sections to fill in; rules/ stays the source the tests run. docs/options.md is
written whole from the options table.

    python scripts/generate_docs.py           # rewrite what is stale
    python scripts/generate_docs.py --check   # list what is stale (exit 1), write nothing
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from cflint.engine.registry import Registry, load_registry
from cflint.output.pages import fixes_table, page_heading, rules_table
from scripts.options_page import OPTIONS_PAGE, options_page

REPO = Path(__file__).resolve().parent.parent
RULES_TABLE = "rules-table"
FIXES_TABLE = "fixes-table"
PAGE_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
_HEADING = re.compile(r"\A# CF\d{3}: [^\n]*\n\n\| Severity \| Default \|\n\| --- \| --- \|\n\|[^\n]*\|\n\n[^\n]+\n")


class DocsError(Exception):
    """A file the generator cannot update: its generated part has no recognisable place."""


def _between_markers(path: Path, marker: str, table: str) -> str:
    """`path`'s text with what stands between its `marker` comments replaced by `table`."""
    text = path.read_text(encoding="utf-8")
    start_marker, end_marker = f"<!-- {marker}:start -->\n", f"<!-- {marker}:end -->\n"
    start, end = text.find(start_marker), text.find(end_marker)
    if start < 0 or end < start:
        raise DocsError(f"{path.name}: no {start_marker.strip()} ... {end_marker.strip()} markers")
    return text[: start + len(start_marker)] + table + text[end:]


def _page(path: Path, heading: str) -> str:
    if not path.exists():
        return heading + "".join(f"\n## {section}\n" for section in PAGE_SECTIONS)
    text = path.read_text(encoding="utf-8")
    if not _HEADING.match(text):
        raise DocsError(f"{path.name}: does not start with the standard heading, table and summary")
    return _HEADING.sub(lambda _: heading, text, count=1)


def generated_docs(root: Path, registry: Registry) -> dict[Path, str]:
    """Every generated file under `root` with the text it should have."""
    docs = root / "docs"
    rules_index, fixes = docs / "rules" / "index.md", docs / "fixes.md"
    wanted = {
        rules_index: _between_markers(rules_index, RULES_TABLE, rules_table(registry.rules)),
        fixes: _between_markers(fixes, FIXES_TABLE, fixes_table(registry.rules)),
    }
    for rule in registry.rules:
        page = root / "rules" / f"{rule.code}.md"
        wanted[page] = wanted[docs / "rules" / page.name] = _page(page, page_heading(rule))
    wanted[root / OPTIONS_PAGE] = options_page()
    return wanted


def stale_docs(root: Path, registry: Registry) -> dict[Path, str]:
    """The generated files under `root` whose text differs from what the rules say."""
    return {
        path: text
        for path, text in generated_docs(root, registry).items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="list stale files and exit 1; write nothing")
    parser.add_argument("--root", type=Path, default=REPO, help="the checkout to update (default: this one)")
    args = parser.parse_args(argv)
    try:
        stale = stale_docs(args.root, load_registry())
    except (DocsError, OSError) as exc:
        print(f"generate_docs: error: {exc}", file=sys.stderr)
        return 2
    for path, text in sorted(stale.items()):
        shown = path.relative_to(args.root).as_posix()
        if args.check:
            print(f"{shown}: stale (run python scripts/generate_docs.py)")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"{shown}: written")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
