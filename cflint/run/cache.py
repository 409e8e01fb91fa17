"""The result cache: findings of a file, keyed by everything they depend on.

Layout: `<cache dir>/<fingerprint>/` where the fingerprint names the cflint version and
the state of its own source files, so results are never trusted across versions (nor
across edits of cflint itself). Inside: `rules.json` (the rule catalogue, so a fully cached
run needs no rule module) and `results/<xx>/<key>.json`, one file per linted file, written
atomically (temporary file, then rename) so concurrent runs never see half a file. A file
that cannot be read or decoded is a miss and is written again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cflint
from cflint.engine.registry import Registry, RuleMeta
from cflint.fix.model import Fix
from cflint.model import Finding, Position, Severity
from cflint.project import FileJob

CACHE_DIR_NAME = ".cflint_cache"
_PROJECT_MARKERS = (".git", "pyproject.toml", "cflint.toml", ".cflint.toml")
_PACKAGE_DIR = Path(cflint.__file__).resolve().parent
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by cflint.\n"


def default_cache_dir(cwd: Path) -> Path:
    """Where the result cache lives: `CFLINT_CACHE_DIR`; else `.cflint_cache` in the
    repository root (the nearest folder up from `cwd` holding `.git`) unless that root
    could itself be a function folder (it holds `.py` files or a requirements.txt, which
    `zip -r` would ship with the cache); else the user's cache folder (platformdirs:
    `~/.cache/cflint` on Linux). A run never creates files in a function folder or in an
    unrelated current folder."""
    configured = os.environ.get("CFLINT_CACHE_DIR")
    if configured:
        return Path(configured)
    for folder in (cwd, *cwd.parents):
        if (folder / ".git").exists():
            if not _may_be_function_folder(folder):
                return folder / CACHE_DIR_NAME
            break
    import platformdirs

    return Path(platformdirs.user_cache_dir("cflint", appauthor=False))


def _may_be_function_folder(folder: Path) -> bool:
    try:
        return (folder / "requirements.txt").exists() or any(folder.glob("*.py"))
    except OSError:
        return True


def code_fingerprint() -> str:
    """The cflint version and the size and modification time of each of its files."""
    digest = hashlib.sha256(cflint.__version__.encode())
    for folder, dirs, files in os.walk(_PACKAGE_DIR):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".toml", ".json", ".md")):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return f"{cflint.__version__}-{digest.hexdigest()[:16]}"


def _finding_to_json(finding: Finding) -> list[Any]:
    return [
        finding.start.line,
        finding.start.column,
        finding.end.line,
        finding.end.column,
        finding.code,
        finding.message,
        finding.severity.value,
        finding.fix.to_json() if finding.fix is not None else None,
    ]


def _finding_from_json(path: str, row: list[Any]) -> Finding:
    line, column, end_line, end_column, code, message, severity, fix = row
    return Finding(
        path,
        Position(line, column),
        code,
        message,
        Severity(severity),
        Position(end_line, end_column),
        Fix.from_json(fix) if fix is not None else None,
    )


class ResultCache:
    def __init__(self, directory: Path, fingerprint: str | None = None) -> None:
        self.base = directory
        self.directory = directory / (fingerprint or code_fingerprint())

    def _write(self, path: Path, text: str) -> None:
        import tempfile  # a warm run that writes nothing does not import it

        try:
            if not self.directory.exists():
                self._create()
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def _create(self) -> None:
        import shutil

        self.base.mkdir(parents=True, exist_ok=True)
        for stale in self.base.iterdir():
            if stale.is_dir() and stale != self.directory:
                shutil.rmtree(stale, ignore_errors=True)
        (self.base / "CACHEDIR.TAG").write_text(_TAG, encoding="utf-8")
        (self.base / ".gitignore").write_text("*\n", encoding="utf-8")
        self.directory.mkdir(exist_ok=True)

    def _read_json(self, path: Path) -> Any:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def load_registry(self) -> Registry | None:
        data = self._read_json(self.directory / "rules.json")
        try:
            return Registry(tuple(RuleMeta.from_json(item) for item in data))
        except (TypeError, KeyError, ValueError):
            return None

    def store_registry(self, registry: Registry) -> None:
        self._write(self.directory / "rules.json", json.dumps([rule.to_json() for rule in registry.rules]))

    def _entry(self, key: str) -> Path:
        return self.directory / "results" / key[:2] / f"{key}.json"

    def get(self, key: str, path: str) -> list[Finding] | None:
        rows = self._read_json(self._entry(key))
        if not isinstance(rows, list):
            return None
        try:
            return [_finding_from_json(path, row) for row in rows]
        except (TypeError, ValueError):
            return None

    def put(self, key: str, findings: Sequence[Finding]) -> None:
        self._write(self._entry(key), json.dumps([_finding_to_json(f) for f in findings]))

    def get_placed(self, key: str) -> list[Finding] | None:
        """Findings stored with their own paths (those of a function root's checks)."""
        rows = self._read_json(self._entry(key))
        if not isinstance(rows, list):
            return None
        try:
            return [_finding_from_json(row[0], row[1:]) for row in rows]
        except (TypeError, ValueError, IndexError):
            return None

    def put_placed(self, key: str, findings: Sequence[Finding]) -> None:
        self._write(self._entry(key), json.dumps([[f.path, *_finding_to_json(f)] for f in findings]))


def result_key(data: bytes, context_description: str) -> str:
    """The cache key of one file: its bytes and a description of all it is linted with."""
    digest = hashlib.sha256(data)
    digest.update(b"\0")
    digest.update(context_description.encode("utf-8", errors="surrogateescape"))
    return digest.hexdigest()


def job_description(job: FileJob) -> str:
    """Everything besides a file's bytes that its findings depend on."""
    context, root = job.context, job.context.root
    root_facts = (str(root.path), sorted(root.local_modules), root.requirements_digest) if root else None
    return repr(
        (
            context.display_path,
            context.module_name,
            sorted(context.entry_functions),
            sorted(job.enabled),
            repr(context.settings),
            root_facts,
        )
    )
