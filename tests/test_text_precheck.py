"""The cheap text pre-checks (`Rule.requires_text`) never change what is found: on the guide's
examples and the rule pages' examples, where every pre-checked rule finds something, and (in
the slow run: linting them twice costs half a minute) on those beside parts of the standard
library, where most files fail the pre-checks."""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

import pytest

from cflint.engine.registry import Registry, load_registry
from cflint.project import FileContext
from cflint.record import replace
from cflint.rule import Rule
from cflint.run.runner import RunOptions, run
from tests.helpers import GUIDE_EXAMPLES, RULE_PAGES, guide_function, parse_page, write_files

REGISTRY = load_registry()
STDLIB = Path(sysconfig.get_paths()["stdlib"])
STDLIB_PARTS = ("http", "urllib", "json", "email", "subprocess.py", "tarfile.py", "zipfile", "shutil.py", "pathlib.py")


def _corpus(root: Path, with_stdlib: bool) -> Path:
    for example in GUIDE_EXAMPLES:
        guide_function(root / "guide" / example, example)
    for page in sorted(RULE_PAGES.glob("*.md")):
        parsed = parse_page(page)
        for section in ("Example", "Use instead"):
            blocks = [b for b in parsed.blocks(section) if not (b.title or "").endswith(".zip")]
            if blocks:
                write_files(
                    root / "pages" / f"{page.stem}-{section[:3]}", {b.title or "user.py": b.text for b in blocks}
                )
    for part in STDLIB_PARTS if with_stdlib else ():
        source = STDLIB / part
        if source.is_dir():
            shutil.copytree(source, root / "stdlib" / part, ignore=shutil.ignore_patterns("__pycache__", "test*"))
        elif source.is_file():
            (root / "stdlib").mkdir(parents=True, exist_ok=True)
            shutil.copy(source, root / "stdlib" / part)
    return root


def _findings(root: Path, registry: Registry = REGISTRY) -> list[str]:
    options = RunOptions(overrides={"select": ["ALL"]}, jobs=1)
    return [
        f"{f.path}:{f.start.line}:{f.start.column}: {f.code} {f.message}"
        for f in run([root], options, registry, cwd=root).findings
    ]


@pytest.mark.parametrize(
    "with_stdlib", [pytest.param(False, id="examples"), pytest.param(True, id="with-stdlib", marks=pytest.mark.slow)]
)
def test_requires_text_is_only_a_shortcut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_stdlib: bool) -> None:
    root = _corpus(tmp_path, with_stdlib)
    with_precheck = _findings(root)

    def without_precheck(cls: type[Rule], context: FileContext, source: str) -> bool:
        return not (cls.entry_modules_only and not context.is_entry_module)

    monkeypatch.setattr(Rule, "applies_to", classmethod(without_precheck))
    # The registry checks the same text before it imports a rule: that check goes too.
    unchecked = Registry(tuple(replace(meta, requires_text=()) for meta in REGISTRY.rules))
    assert _findings(root, unchecked) == with_precheck
    checked = {line.split(" ")[1] for line in with_precheck}
    prechecked = {rule.code for rule in REGISTRY.file_rules if rule.requires_text}
    assert prechecked <= checked, f"no finding in the corpus for {sorted(prechecked - checked)}"
