"""The knowledge tables a run reads are the pre-parsed copies in cflint/knowledge/tables:
each must equal its data file as it parses, and none may be missing or stale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from cflint.knowledge import distributions
from cflint.knowledge.data_files import DATA_DIR, parse_data_file, read_data_file
from cflint.knowledge.distributions import CATALOGUE, canonical_name, read_import_names
from scripts.generate_tables import data_files, main, parsed, stale_copies


@pytest.mark.parametrize("path", data_files(), ids=lambda path: path.name)
def test_each_copy_equals_its_data_file(path: Path) -> None:
    copy = read_import_names(path) if path.suffix == ".tsv" else read_data_file(path)
    assert copy == parsed(path)


def test_every_toml_data_file_is_read_from_its_copy() -> None:
    for path in DATA_DIR.glob("*.toml"):
        assert read_data_file(path) == parse_data_file(path)
        assert read_data_file(path) is read_data_file(path), "parsed again instead of imported"


def test_no_copy_is_stale() -> None:
    stale = sorted(path.name for path in stale_copies())
    assert not stale, f"stale: {stale}; run: python scripts/generate_tables.py"
    assert main(["--check"]) == 0


def test_a_data_file_edited_after_its_copy_is_found_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import scripts.generate_tables as generator

    monkeypatch.setattr(generator, "TABLES_DIR", tmp_path)
    assert main(["--check"]) == 1  # no copy there at all
    assert main([]) == 0
    assert stale_copies() == {}
    (tmp_path / "timeouts.py").write_text("TABLE = {}\n", encoding="utf-8")
    assert sorted(path.name for path in stale_copies()) == ["timeouts.py"]


def test_the_shipped_import_names_are_in_pep_503_form() -> None:
    """Its copy is used without normalising each name again, so the file must hold them normalised."""
    names = CATALOGUE.import_names
    assert len(names) >= 1000
    assert [name for name in names if canonical_name(name) != name] == []


def test_another_import_name_file_is_parsed_and_normalised(tmp_path: Path) -> None:
    path = tmp_path / "names.tsv"
    path.write_text("# header\nScikit_Learn\tsklearn\n", encoding="utf-8")
    assert dict(read_import_names(path)) == {"scikit-learn": ("sklearn",)}


@given(st.text(alphabet="aZ9-_.ǅß", max_size=8))
def test_canonical_names_are_packagings(name: str) -> None:
    assert canonical_name(name) == canonicalize_name(name)


@given(st.text(alphabet="aZ9-_.İß", max_size=8))
def test_squashed_names_keep_only_lowercase_letters_and_digits(name: str) -> None:
    assert distributions._squashed(name) == re.sub("[^a-z0-9]+", "", name.lower())
