"""The corpus manifest parses into the rows the rebuild script writes from."""

from __future__ import annotations

from scripts.rebuild_corpus import MANIFEST, parse_manifest


def test_manifest_rows_name_a_repository_a_path_and_commits() -> None:
    rows = parse_manifest(MANIFEST.read_text(encoding="utf-8"))
    assert len(rows) == 67
    assert all("/" in row.repo and row.path and row.commits.get("") for row in rows)
    sql = next(row for row in rows if row.folder.endswith("functions__sql"))
    assert sql.path == "functions/sql"
    assert sql.entry == "mysql_sample.mysql_demo"
    assert sql.commits["postgres_sample.py"] == "4e4c48d52ce7"
    assert sql.commits["requirements.txt"] == "53719ea975f9"


def test_notes_in_the_path_cell_are_not_part_of_the_path() -> None:
    rows = parse_manifest(MANIFEST.read_text(encoding="utf-8"))
    single = next(row for row in rows if row.folder.endswith("python__stateful_counter"))
    assert single.path == "python/stateful_counter.py"
    scriptless = [row.folder for row in rows if row.entry.startswith("-")]
    assert len(scriptless) == 2
