"""Rebuild the real-world corpus of tests/corpus/MANIFEST.md from local git snapshots.

The corpus code is never committed; this script writes it outside the repository:
/tmp/corpus/<folder>/ and /tmp/corpus-entry/<folder>/ (the same files plus a cflint.toml
naming the entry point the source platform calls).

Each repository must be a bare git directory on this machine (for example a snapshot
under /work/.mirror/<owner>+<name>/repo). A folder holds the folder's `.py` files and its
`requirements.txt`; tests, noxfiles and other files are left out, as in the manifest. When a
commit named by the manifest is not in the snapshot, or the file is not at that commit, the
file is taken at the snapshot's HEAD and the script says so on stderr; a file that is at
neither is left out and named on stderr (write it by hand from another copy of the repository,
at the manifest's commit).

    python scripts/rebuild_corpus.py [--mirrors /work/.mirror] [--out /tmp/corpus]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MANIFEST = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "MANIFEST.md"
_COMMIT_WITH_FILES = re.compile(r"([0-9a-f]{7,40})(?:\s*\(([^)]*)\))?")
_LEFT_OUT = re.compile(r"(^|[/_])tests?[_./][^/]*$|(^|/)(conftest|noxfile[^/]*)\.py$")


@dataclass(frozen=True)
class Row:
    folder: str
    repo: str
    path: str
    commits: dict[str, str]  # file name -> commit; "" is the folder's default commit
    entry: str


def _cell(text: str) -> str:
    return text.strip().strip("`").strip()


def parse_manifest(text: str) -> list[Row]:
    rows: list[Row] = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 7 or not cells[0].isdigit():
            continue
        _, folder, repo, path, commit_cell, _licence, entry = cells
        commits: dict[str, str] = {}
        for match in _COMMIT_WITH_FILES.finditer(commit_cell):
            commit, files = match.group(1), match.group(2)
            commits.setdefault("", commit)
            for name in (files or "").split(","):
                if name.strip():
                    commits[name.strip()] = commit
        rows.append(Row(_cell(folder), _cell(repo), _cell(path).split(" (")[0], commits, _cell(entry)))
    return rows


def _git(git_dir: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "--git-dir", str(git_dir), *args], capture_output=True, check=False)


def _resolve(git_dir: Path, commit: str) -> str | None:
    result = _git(git_dir, "rev-parse", "--verify", "-q", f"{commit}^{{commit}}")
    return result.stdout.decode().strip() if result.returncode == 0 else None


def _files_under(git_dir: Path, commit: str, path: str) -> list[str]:
    result = _git(git_dir, "ls-tree", "-r", "--name-only", commit, "--", path)
    names = result.stdout.decode().splitlines() if result.returncode == 0 else []
    return [
        name
        for name in names
        if (name.endswith(".py") or name.rpartition("/")[2] == "requirements.txt") and not _LEFT_OUT.search(name)
    ]


def _read(git_dir: Path, commit: str, name: str) -> bytes | None:
    result = _git(git_dir, "show", f"{commit}:{name}")
    return result.stdout if result.returncode == 0 else None


def rebuild_folder(row: Row, git_dir: Path, out: Path, notes: list[str]) -> int:
    default = _resolve(git_dir, row.commits.get("", "HEAD"))
    if default is None:
        notes.append(f"{row.folder}: commit {row.commits['']} not in the snapshot; folder listed at HEAD")
        default = "HEAD"
    single_file = row.path.endswith(".py")
    folder = row.path.rpartition("/")[0] if single_file else row.path
    prefix = "" if folder in ("", ".") else folder + "/"  # `.` is the repository's root
    names = [row.path] if single_file else _files_under(git_dir, default, row.path)
    for commit in {c for c in row.commits.values() if c != row.commits.get("")}:
        resolved = _resolve(git_dir, commit)
        extra = _files_under(git_dir, resolved, row.path) if resolved and not single_file else []
        names += [name for name in extra if name not in names]
    if not names and default != "HEAD":
        notes.append(f"{row.folder}: {row.path} not at {row.commits['']}; folder listed at HEAD")
        names = [row.path] if single_file else _files_under(git_dir, "HEAD", row.path)
    written = 0
    for name in names:
        relative = name.removeprefix(prefix)
        wanted = row.commits.get(Path(name).name) or row.commits.get(relative) or row.commits.get("", "HEAD")
        at = _resolve(git_dir, wanted)
        content = _read(git_dir, at, name) if at else None
        if content is None:
            content = _read(git_dir, "HEAD", name)
            if content is None:
                notes.append(f"{row.folder}: {name} neither at {wanted} nor at HEAD; left out")
                continue
            notes.append(f"{row.folder}: {name} not at {wanted}; taken at HEAD")
        target = out / row.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written += 1
    if not written:
        notes.append(f"{row.folder}: no file written")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/corpus"))
    parser.add_argument("--entry-out", type=Path, default=Path("/tmp/corpus-entry"))
    args = parser.parse_args(argv)
    rows = parse_manifest(MANIFEST.read_text(encoding="utf-8"))
    notes: list[str] = []
    for out in (args.out, args.entry_out):
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
    files = 0
    for row in rows:
        git_dir = args.mirrors / row.repo.replace("/", "+") / "repo"
        if not git_dir.is_dir():
            notes.append(f"{row.folder}: no snapshot of {row.repo} at {git_dir}; folder skipped")
            continue
        files += rebuild_folder(row, git_dir, args.out, notes)
        entry_folder = args.entry_out / row.folder
        if (args.out / row.folder).is_dir():
            shutil.copytree(args.out / row.folder, entry_folder)
            if not row.entry.startswith("-"):
                (entry_folder / "cflint.toml").write_text(f'entry-points = ["{row.entry}"]\n', encoding="utf-8")
    for note in notes:
        print(note, file=sys.stderr)
    print(f"{len(rows)} folders, {files} files, {len(notes)} notes; written to {args.out} and {args.entry_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
