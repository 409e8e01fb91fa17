"""The result cache: findings of a file, keyed by everything they depend on.

Layout: `<cache dir>/<fingerprint>/`, one entry folder per cflint install state: the
fingerprint names the cflint version and the size and modification time of each of its own
files, so results are never trusted across versions (nor across edits of cflint itself).
Inside: `rules.json` (the rule catalogue, so a fully cached run needs no rule module),
`results/<xx>/<key>.json`, one file per linted file, written atomically (temporary file,
then rename) so concurrent runs never see half a file, and the marker file `cflint-cache`
whose modification time is the entry's last use.

What cflint may delete, and where it writes:
- It creates each entry folder itself, whole (marker, `CACHEDIR.TAG`, `.gitignore` written
  in a temporary folder that is then renamed into place), and uses an entry folder only
  when it carries the marker. It never writes into a folder without it.
- The cache folder itself gets a `CACHEDIR.TAG` and a `.gitignore` only when cflint creates
  it; a folder that already existed (`CFLINT_CACHE_DIR=.`) is left as it is, beside the
  entry folders cflint adds.
- Several installs (a project's venv, pre-commit's environment, an editor's server) each
  have an entry folder and keep it warm. Entries are pruned by age, never by "not mine":
  an entry folder whose marker names cflint and was not used for `MAX_UNUSED_DAYS` days is
  removed, and so are those past the `MAX_ENTRIES` most recently used. Nothing without the
  marker is ever removed. Pruning looks at the cache folder's children only, and runs when
  an entry folder is created or when a run refreshes its marker (at most once a day), so a
  warm run costs one `stat`.

Entries are data, not trusted input: each is decoded against a typed schema (lines and
columns >= 1, a known rule code and severity, a fix whose edits change only the finding's
file or a requirements.txt of a folder holding it), and anything else is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import posixpath
import re
import stat
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, get_type_hints

import msgspec

import cflint
from cflint.engine.registry import Registry, RuleMeta
from cflint.knowledge.environment import environment_fingerprint
from cflint.model import Finding, Fix, Position, Safety, Severity, TextEdit
from cflint.project import FileJob, FunctionRoot
from cflint.record import Record, fields, replace
from cflint.settings.config import Settings

CACHE_DIR_NAME = ".cflint_cache"
MARKER_NAME = "cflint-cache"
MAX_UNUSED_DAYS = 30
MAX_ENTRIES = 10
_REFRESH_SECONDS = 24 * 3600
_MARKER = "cflint result cache entry: cflint may delete this folder once it has not been used for a while\n"
_PACKAGE_DIR = Path(cflint.__file__).resolve().parent
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by cflint.\n"
_RULE_KINDS = frozenset({"file", "root", "package", "engine"})

Count = Annotated[int, msgspec.Meta(ge=1)]
_CODE_FORM = "^CF[0-9]{3}$"
Code = Annotated[str, msgspec.Meta(pattern=_CODE_FORM)]
EditRow = tuple[Count, Count, Count, Count, str, str | None]
FixRow = tuple[Safety, str, list[EditRow]]
FindingRow = tuple[Count, Count, Count, Count, Code, str, Severity, FixRow | None]
PlacedRow = tuple[str, Count, Count, Count, Count, Code, str, Severity, FixRow | None]
_FINDINGS = msgspec.json.Decoder(list[FindingRow])
_PLACED = msgspec.json.Decoder(list[PlacedRow])


def _rows_of(record: type[Record]) -> type[msgspec.Struct]:
    """A msgspec struct with the record's fields, so that decoding checks each field's type."""
    hints = get_type_hints(record)
    return msgspec.defstruct(
        f"{record.__name__}Row",
        [
            (each.name, hints[each.name]) if each.required else (each.name, hints[each.name], each.default)
            for each in fields(record)
        ],
    )


_RULES = msgspec.json.Decoder(tuple[_rows_of(RuleMeta), ...])  # type: ignore[misc]  # a type made at run time


class CorruptEntryError(ValueError):
    """A cache entry that decodes but says what cflint cannot have written."""


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
    """The cflint version and the size and modification time of each of its files, by
    their path inside the package (two copies made with their times share a fingerprint)."""
    digest = hashlib.sha256(cflint.__version__.encode())
    for folder, dirs, files in os.walk(_PACKAGE_DIR):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        inside = os.path.relpath(folder, _PACKAGE_DIR)
        for name in sorted(files):
            if name.endswith((".py", ".toml", ".json", ".md")):
                status = os.stat(os.path.join(folder, name))
                digest.update(f"{inside}/{name}:{status.st_size}:{status.st_mtime_ns}\n".encode())
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


def _inside(path: str, folder: str) -> bool:
    """Whether the display path `path` names `folder` or a file below it, with no `..` step
    after it (display paths are POSIX-style and normalized)."""
    if posixpath.normpath(path) != path:
        return False
    if folder in ("", "."):
        return not posixpath.isabs(path) and path != ".." and not path.startswith("../")
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _edit_target_allowed(target: str | None, finding_path: str) -> bool:
    """An edit changes the finding's own file, or a requirements.txt in a folder holding it
    (the only other file a fix edits)."""
    if target is None:
        return True
    folder, name = posixpath.split(target)
    return name == "requirements.txt" and _inside(posixpath.dirname(finding_path) or ".", folder or ".")


def _fix_from_row(row: FixRow | None, finding_path: str) -> Fix | None:
    if row is None:
        return None
    safety, description, edit_rows = row
    edits = []
    for line, column, end_line, end_column, new_text, target in edit_rows:
        start, end = Position(line, column), Position(end_line, end_column)
        if end < start or not _edit_target_allowed(target, finding_path):
            raise CorruptEntryError(target)
        edits.append(TextEdit(start, end, new_text, target))
    return Fix(safety, description, tuple(edits))


def _finding_from_row(path: str, row: FindingRow, codes: frozenset[str]) -> Finding:
    line, column, end_line, end_column, code, message, severity, fix = row
    start, end = Position(line, column), Position(end_line, end_column)
    if end < start or code not in codes:
        raise CorruptEntryError(code)
    return Finding(path, start, code, message, severity, end, _fix_from_row(fix, path))


def _valid_part(part: str) -> bool:
    """A rule part's `module:Class`, in cflint's rules package."""
    module, _, class_name = part.partition(":")
    return (
        module.startswith("cflint.rules.")
        and all(name.isidentifier() for name in module.split("."))
        and class_name.isidentifier()
    )


def _valid_rule(rule: RuleMeta) -> bool:
    return (
        re.fullmatch(_CODE_FORM, rule.code) is not None
        and rule.kind in _RULE_KINDS
        and rule.module.startswith("cflint.rules.")
        and all(part.isidentifier() for part in rule.module.split("."))
        and rule.class_name.isidentifier()
        and all(_valid_part(part) for part in (*rule.root_parts, *rule.package_parts))
        and rule.fix in (None, Safety.SAFE.value, Safety.UNSAFE.value)
    )


def _is_marked(folder: Path) -> bool:
    """Whether `folder` is an entry folder cflint made: a real folder holding its marker."""
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return False
        marker = folder / MARKER_NAME
        if not stat.S_ISREG(os.lstat(marker).st_mode):
            return False
        return marker.read_text(encoding="utf-8") == _MARKER
    except (OSError, UnicodeDecodeError):
        return False


def prune(base: Path, keep: Path, now: float) -> None:
    """Remove entry folders of `base` that carry cflint's marker and were not used for
    MAX_UNUSED_DAYS days, or are past the MAX_ENTRIES most recently used; never `keep`,
    never a folder without the marker."""
    try:
        children = list(base.iterdir())
    except OSError:
        return
    entries: list[tuple[float, Path]] = []
    for child in children:
        if child != keep and _is_marked(child):
            try:
                entries.append((os.lstat(child / MARKER_NAME).st_mtime, child))
            except OSError:
                continue
    entries.sort(reverse=True)
    oldest_kept = now - MAX_UNUSED_DAYS * 86400
    for rank, (last_used, folder) in enumerate(entries, start=1):
        if last_used < oldest_kept or rank >= MAX_ENTRIES:  # `keep` is one of the MAX_ENTRIES
            import shutil  # a run with nothing to remove does not import it

            shutil.rmtree(folder, ignore_errors=True)


class ResultCache:
    def __init__(self, directory: Path, fingerprint: str | None = None) -> None:
        self.base = directory
        self.directory = directory / (fingerprint or code_fingerprint())
        self._usable: bool | None = None

    def _is_usable(self) -> bool:
        """Whether the entry folder may be read and written: it carries the marker, or does
        not exist yet (the first write creates it). Checked once per run."""
        if self._usable is None:
            self._usable = self._check_marker()
        return self._usable

    def _check_marker(self) -> bool:
        """Whether the marker is there; one refreshed a day ago or more is refreshed, and then
        the cache folder is pruned."""
        marker = self.directory / MARKER_NAME
        try:
            status = os.lstat(marker)
        except FileNotFoundError:
            return not os.path.lexists(self.directory)
        except OSError:
            return False
        if not stat.S_ISREG(status.st_mode):
            return False
        now = time.time()
        if now - status.st_mtime >= _REFRESH_SECONDS:
            with contextlib.suppress(OSError):
                os.utime(marker)
            prune(self.base, self.directory, now)
        return True

    def _write(self, path: Path, text: str) -> None:
        import tempfile  # a warm run that writes nothing does not import it

        if not self._is_usable():
            return
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
        """Create the entry folder whole: made as a temporary folder beside it, then renamed,
        so no run ever sees it without its marker. Raises OSError."""
        import tempfile

        self._create_base()
        made = Path(tempfile.mkdtemp(dir=self.base, prefix=".tmp-"))
        try:
            for name, text in ((MARKER_NAME, _MARKER), ("CACHEDIR.TAG", _TAG), (".gitignore", "*\n")):
                (made / name).write_text(text, encoding="utf-8")
            os.rename(made, self.directory)
        except OSError:
            import shutil

            shutil.rmtree(made, ignore_errors=True)
            if not _is_marked(self.directory):  # another run made it meanwhile: use theirs
                raise
        prune(self.base, self.directory, time.time())

    def _create_base(self) -> None:
        """Make the cache folder; tag it only when this call made it (never a folder the
        user had)."""
        self.base.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.base.mkdir()
        except FileExistsError:
            return
        (self.base / "CACHEDIR.TAG").write_text(_TAG, encoding="utf-8")
        (self.base / ".gitignore").write_text("*\n", encoding="utf-8")

    def _read(self, path: Path) -> bytes | None:
        if not self._is_usable():
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None

    def load_registry(self) -> Registry | None:
        data = self._read(self.directory / "rules.json")
        if data is None:
            return None
        try:
            rules = tuple(RuleMeta.from_json(msgspec.structs.asdict(row)) for row in _RULES.decode(data))
        except msgspec.MsgspecError:
            return None
        if not rules or len({rule.code for rule in rules}) != len(rules) or not all(map(_valid_rule, rules)):
            return None
        return Registry(rules)

    def store_registry(self, registry: Registry) -> None:
        self._write(self.directory / "rules.json", json.dumps([rule.to_json() for rule in registry.rules]))

    def _entry(self, key: str) -> Path:
        return self.directory / "results" / key[:2] / f"{key}.json"

    def get(self, key: str, path: str, codes: frozenset[str]) -> list[Finding] | None:
        """The findings stored for `key`, at `path`; None when there are none or the entry
        is not one cflint wrote (`codes`: the rule codes that exist)."""
        data = self._read(self._entry(key))
        if data is None:
            return None
        try:
            return [_finding_from_row(path, row, codes) for row in _FINDINGS.decode(data)]
        except (msgspec.MsgspecError, CorruptEntryError):
            return None

    def put(self, key: str, findings: Sequence[Finding]) -> None:
        self._write(self._entry(key), json.dumps([_finding_to_json(f) for f in findings]))

    def get_placed(self, key: str, root_display: str, codes: frozenset[str]) -> list[Finding] | None:
        """Findings stored with their own paths (those of a function root's checks); a
        finding with a fix must lie in the root (`root_display`)."""
        data = self._read(self._entry(key))
        if data is None:
            return None
        try:
            findings = [_finding_from_row(row[0], row[1:], codes) for row in _PLACED.decode(data)]
        except (msgspec.MsgspecError, CorruptEntryError):
            return None
        if any(f.fix is not None and not _inside(f.path, root_display) for f in findings):
            return None
        return findings

    def put_placed(self, key: str, findings: Sequence[Finding]) -> None:
        self._write(self._entry(key), json.dumps([[f.path, *_finding_to_json(f)] for f in findings]))


def result_key(data: bytes, context_description: str) -> str:
    """The cache key of one file: its bytes and a description of all it is linted with."""
    digest = hashlib.sha256(data)
    digest.update(b"\0")
    digest.update(context_description.encode("utf-8", errors="surrogateescape"))
    return digest.hexdigest()


# Settings that say what to do with the findings (fix them, print them how), not which
# findings a file has: a `--fix` run after a plain one finds the plain run's results.
_ACTION_SETTINGS = ("fix", "unsafe_fixes", "output_format")


def finding_settings(settings: Settings) -> Settings:
    """`settings` with those that do not change which findings a file has at their defaults."""
    defaults = type(settings)()
    return replace(settings, **{name: getattr(defaults, name) for name in _ACTION_SETTINGS})


def resolution_fact(root: FunctionRoot) -> str | None:
    """With --resolve, a digest of pip's answers for the root (which a root's and a file's
    findings depend on: an index that could not be reached may answer on the next run)."""
    if root.resolution is None:
        return None
    return hashlib.sha256(msgspec.json.encode(root.resolution)).hexdigest()


def job_description(job: FileJob) -> str:
    """Everything besides a file's bytes that its findings depend on (the root's own modules
    too: the call graph reads them)."""
    context, root = job.context, job.context.root
    # CF303 reads the modules of listed distributions installed where cflint runs.
    root_facts = (
        (
            str(root.path),
            sorted(root.local_modules),
            root.requirements_digest,
            root.own_modules_digest,
            environment_fingerprint(),
            resolution_fact(root),
        )
        if root
        else None
    )
    return repr(
        (
            context.display_path,
            context.module_name,
            sorted(context.entry_functions),
            sorted(job.enabled),
            repr(finding_settings(context.settings)),
            root_facts,
        )
    )
