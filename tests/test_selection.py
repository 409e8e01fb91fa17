"""One selection: which rules run on a file, and which codes ignore and unfixable name."""

from __future__ import annotations

from pathlib import Path

import pytest

from cflint.engine.registry import load_registry
from cflint.fix.model import is_unfixable
from cflint.settings.config import Settings
from cflint.settings.selection import Selection
from cflint.settings.values import selector_names

REGISTRY = load_registry()


@pytest.mark.parametrize(
    ("selectors", "code", "named"),
    [(("ALL",), "CF403", True), (("CF4",), "CF403", True), (("CF403",), "CF403", True), (("CF40",), "CF501", False)],
)
def test_ignore_and_unfixable_name_the_same_codes(selectors: tuple[str, ...], code: str, named: bool) -> None:
    assert selector_names(selectors, code) is named
    assert is_unfixable(code, selectors) is named
    enabled = Selection(REGISTRY).for_path(Settings(ignore=selectors), Path("user.py"))
    assert (code not in enabled) is named


def test_per_file_ignores_apply_to_their_files_only(tmp_path: Path) -> None:
    settings = Settings(base_dir=tmp_path, per_file_ignores=(("tests/*", ("CF4",)),))
    selection = Selection(REGISTRY)
    assert "CF403" not in selection.for_path(settings, tmp_path / "tests" / "test_x.py")
    assert "CF403" in selection.for_path(settings, tmp_path / "user.py")
    assert {"CF001", "CF002"} <= selection.for_path(Settings(ignore=("ALL",)), tmp_path / "user.py")
