"""The corpus manifest parses into the rows the rebuild script writes from."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scripts.rebuild_corpus import MANIFEST, Row, parse_manifest, rebuild_folder


def test_manifest_rows_name_a_repository_a_path_and_commits() -> None:
    rows = parse_manifest(MANIFEST.read_text(encoding="utf-8"))
    assert len(rows) == 90
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


def test_a_folder_at_the_repository_root_keeps_its_file_names(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "tests").mkdir(parents=True)
    (work / "main.py").write_text("def main():\n    return 'ok'\n")
    (work / "secrets.py").write_text("X = 1\n")
    (work / "requirements.txt").write_text("flask\n")
    (work / "tests" / "test_main.py").write_text("")
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    notes: list[str] = []
    row = Row("owner__name", "owner/name", ".", {"": "HEAD"}, "main.main")
    assert rebuild_folder(row, work / ".git", tmp_path / "out", notes) == 3
    written = sorted(path.name for path in (tmp_path / "out" / "owner__name").iterdir())
    assert written == ["main.py", "requirements.txt", "secrets.py"]
    assert notes == []
