"""The lint API: one file's source, saved or not, linted as `cflint` lints that file.

`lint_source(path, text)` is what library users, editors and the language server call. The
settings are those of `path`'s folder, the function root is the one `path` is in, the config's
`exclude` applies (an excluded path gives no findings), and the result holds the file's
findings and its function root's (requirement files, entry points). `cflint --stdin-filename
PATH -` calls it too, with its result cache and the package rules (see `LintOptions`).

Positions are 1-based lines and columns counted in code points, the end excluded; lines end at
\\n, \\r\\n or \\r. `lsp_range` converts an edit's range to the Language Server Protocol's
0-based lines and UTF-16 code units.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cflint.engine.registry import INTERNAL_ERROR, Registry, load_registry
from cflint.fix.model import without_unfixable
from cflint.fix.text import UTF16, client_position, source_encoding, split_lines
from cflint.fs.files import read_regular_bytes
from cflint.fs.patterns import PathPatterns
from cflint.model import Finding, TextEdit
from cflint.project import FunctionRoot
from cflint.record import Record, asdict, field
from cflint.run.discovery import PYTHON_SUFFIXES, Discovery, ExcludeMatcher, discover, discover_stdin
from cflint.run.package_checks import PackageChecker
from cflint.run.roots import enclosing_root, root_findings
from cflint.run.runner import file_job
from cflint.settings.config import Settings, SettingsResolver
from cflint.settings.selection import Selection

if TYPE_CHECKING:
    from cflint.engine.linter import FileLinter
    from cflint.knowledge.requirements import Requirements
    from cflint.project import FileJob
    from cflint.run.cache import ResultCache


class LintOptions(Record, frozen=True, kw_only=True):
    """What a command line would give: `overrides` are config keys as the flags of the same
    name set them (`{"select": ["ALL"]}`), `config` a config file to use instead of searching
    for one, `cwd` the folder display paths are relative to (the current one when None), and
    `unsaved` the text of other files as an editor holds them (requirement files), by
    absolute path.

    The rest is what `cflint --stdin-filename` sets: `force_exclude` False lints a path the
    config excludes (the command line's default for a path it names; `--force-exclude`
    excludes it); `package_rules` adds the package rules' findings on the function root to
    `root_findings` (files `cflint package` would pack, such as `.env`, which an editor
    does not show); `cache` answers from a result cache and fills it; `resolve_with_pip` False
    takes a function root's resolution (with `resolve`) from the resolution cache only, as an
    editor must not wait on pip: what the cache has not resolved is judged offline.
    `reparse` keeps the last parse of each of a few files and reparses only the top-level
    statements a new text changed, as an editor linting after every keystroke wants; the
    findings are those of a whole parse."""

    overrides: Mapping[str, Any] = field(default_factory=dict)
    config: Path | None = None
    cwd: Path | None = None
    unsaved: Mapping[Path, bytes] = field(default_factory=dict)
    force_exclude: bool = True
    package_rules: bool = False
    cache: ResultCache | None = None
    resolve_with_pip: bool = True
    reparse: bool = False


class LintResult(Record, frozen=True):
    """A file's lint. `findings`: the file's own, sorted, each with its `fix` (a
    `cflint.fix.model.Fix`) or None (codes the config calls `unfixable` have none).
    `root_findings`: those of its function root's root rules, on requirement files or the
    root folder. `enabled`: the codes enabled for the file. `excluded`: the config excludes
    the file, and nothing was linted."""

    path: Path
    findings: list[Finding]
    root: FunctionRoot | None
    root_findings: list[Finding]
    enabled: frozenset[str]
    excluded: bool = False

    @property
    def all_findings(self) -> list[Finding]:
        """The file's and its root's findings, sorted, as `cflint` would report them together."""
        return sorted(dict.fromkeys([*self.findings, *self.root_findings]))


class BufferedRoot(FunctionRoot, frozen=True, kw_only=True, dict=True):
    """A function root whose files (requirements, modules) are read through `read_bytes`, which
    answers from unsaved text before the disk."""

    read_bytes: Callable[[Path], bytes]

    def read_source_bytes(self, path: Path) -> bytes:
        return self.read_bytes(path)

    @cached_property
    def requirements(self) -> Requirements:
        from cflint.knowledge.requirements import read_requirements  # parsing needs `packaging`

        return read_requirements(self.requirements_path, self.path, self.read_bytes)


def buffer_reader(unsaved: Mapping[Path, bytes]) -> Callable[[Path], bytes]:
    """`Path.read_bytes` that answers from `unsaved` first, then from regular files on disk."""

    def read_bytes(path: Path) -> bytes:
        data = unsaved.get(Path(os.path.abspath(path)))
        return data if data is not None else read_regular_bytes(path)

    return read_bytes


def source_bytes(text: str) -> bytes:
    """The bytes a file with this text would hold: in the encoding its coding cookie
    declares, so that cflint decodes them back to the same text; else UTF-8."""
    data = text.encode("utf-8", "surrogatepass")
    if "coding" not in text[:400]:
        return data
    try:
        encoding = source_encoding(data)
        if codecs.lookup(encoding).name != "utf-8":
            return text.encode(encoding)
    except (SyntaxError, LookupError, UnicodeError):
        pass
    return data


class Linter:
    """Lints one file at a time, keeping what holds across files (the rules, the selection
    per settings, the compiled exclude patterns). Config files are looked up on every call,
    so an edited config takes effect at the next lint."""

    def __init__(
        self, options: LintOptions | None = None, registry: Registry | None = None, debug: bool = False
    ) -> None:
        self.options = options or LintOptions()
        self.registry = registry or load_registry()
        self.cwd = self.options.cwd or Path(os.path.abspath(os.getcwd()))
        self._debug = debug
        # Both keyed by the settings' value, so they hold across lints while the config is unchanged.
        self._selection = Selection(self.registry)
        self._exclude_specs: dict[Settings, PathPatterns] = {}

    @cached_property
    def _linter(self) -> FileLinter:
        """Made on first use: a lint answered from the cache imports no LibCST."""
        from cflint.engine.linter import FileLinter

        return FileLinter(self.registry, debug=self._debug, reparse=self.options.reparse)

    def _lint_job(
        self, job: FileJob, cache: ResultCache | None = None, cancelled: Callable[[], bool] | None = None
    ) -> list[Finding]:
        """The job's findings: from the cache (`cache`, else the options') when it has them,
        else linted (and cached)."""
        cache = self.options.cache if cache is None else cache
        if cache is None or job.source is None:
            return self._linter.lint(job, cancelled)
        from cflint.run.cache import job_description, result_key

        key = result_key(job.source, job_description(job))
        cached = cache.get(key, job.context.display_path, self.registry.codes)
        if cached is not None:
            return cached
        findings = self._linter.lint(job, cancelled)
        if not any(finding.code == INTERNAL_ERROR for finding in findings):
            cache.put(key, findings)
        return findings

    def _resolver(self) -> SettingsResolver:
        return SettingsResolver(self.options.overrides, self.registry.codes, self.options.config)

    def lint_source(
        self,
        path: Path,
        source: str | bytes,
        unsaved: Mapping[Path, bytes] | None = None,
        cache: ResultCache | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> LintResult:
        """Lint `source` as the content of the Python file `path` (which need not exist).
        `unsaved` adds to the options' unsaved text of other files. With a `cache` (else the
        options' cache), the findings are taken from it when it holds them for this text and
        everything it is linted with, as `cflint` takes them, and stored in it otherwise. When
        `cancelled` turns true, the lint stops soon after and raises
        `cflint.model.LintCancelled`."""
        path = Path(os.path.abspath(path))
        data = source_bytes(source) if isinstance(source, str) else source
        read_bytes = buffer_reader({**self.options.unsaved, **(unsaved or {}), path: data})
        resolver = self._resolver()
        settings = resolver.for_folder(path.parent)
        if self.options.force_exclude and ExcludeMatcher(resolver, self._exclude_specs).excluded_by_config(path, False):
            return LintResult(path, [], None, [], frozenset(), excluded=True)
        root = self._root_of(path, resolver, read_bytes)
        job = file_job(path, settings, root, self._selection, self.cwd, data)
        findings = without_unfixable(self._lint_job(job, cache, cancelled), settings.unfixable)
        root_findings = [] if root is None else self._root_findings(root, cache)
        return LintResult(path, sorted(findings), root, root_findings, job.enabled)

    def prepare(self, path: Path, source: str | bytes) -> None:
        """With the `reparse` option, parse `source` as the content of `path` ahead of its
        next lint, and find where its statements start, so that the lint of the next edit
        reparses only what it changed. An editor calls it when a file opens, since a lint
        answered from the cache parses nothing. Nothing is reported: the lint reports."""
        if not self.options.reparse:
            return
        if isinstance(source, bytes):
            from cflint.engine.source import decode_source

            try:
                source = decode_source(source)
            except ValueError:
                return
        self._linter.prepare(Path(os.path.abspath(path)), source)

    def lint_root(self, folder: Path, unsaved: Mapping[Path, bytes] | None = None) -> LintResult | None:
        """The root rules' findings for the function root of `folder` when `folder` holds a
        requirements.txt and is (in) a function root, else None."""
        folder = Path(os.path.abspath(folder))
        if not (folder / "requirements.txt").is_file():
            return None
        found = discover([folder / "requirements.txt"], self._resolver(), self.cwd)
        root = found.roots.get(folder)
        if root is None:
            return None
        buffered = self._buffered(root, buffer_reader({**self.options.unsaved, **(unsaved or {})}))
        enabled = self._selection.for_path(buffered.settings, buffered.path)
        return LintResult(folder, [], buffered, self._root_findings(buffered), enabled)

    def finding_path(self, finding: Finding) -> Path:
        """The absolute path a finding's display path names."""
        return Path(os.path.normpath(self.cwd / finding.path))

    def _root_of(
        self, path: Path, resolver: SettingsResolver, read_bytes: Callable[[Path], bytes]
    ) -> BufferedRoot | None:
        """The function root of `path`, found as `cflint PATH` finds it for a saved Python
        file, else as `cflint --stdin-filename PATH -` does (the file counts as there)."""
        found: Discovery
        if path.suffix in PYTHON_SUFFIXES and path.is_file():
            found = discover([path], resolver, self.cwd)
        else:
            found = discover_stdin(path, resolver, self.cwd)
        root = enclosing_root(path, found.roots)
        return None if root is None else self._buffered(root, read_bytes)

    def _buffered(self, root: FunctionRoot, read_bytes: Callable[[Path], bytes]) -> BufferedRoot:
        fields = {**asdict(root), "resolve_with_pip": self.options.resolve_with_pip}
        return BufferedRoot(**fields, read_bytes=read_bytes)

    def _root_findings(self, root: BufferedRoot, cache: ResultCache | None = None) -> list[Finding]:
        cache = self.options.cache if cache is None else cache
        findings = root_findings(root, self.registry, self._selection, self.cwd, cache, read_bytes=root.read_bytes)
        if self.options.package_rules:
            findings += PackageChecker(self.registry, self._lint_job, self._selection.for_path).check_folder(root)
        return sorted(findings)


def lint_source(
    path: Path, text: str | bytes, *, options: LintOptions | None = None, registry: Registry | None = None
) -> LintResult:
    """The lint of `text` (str, or bytes as a file holds them) as the content of the Python
    file `path`, with the settings and function root `cflint PATH` would find for it. To lint
    many files, make one `Linter` and call its `lint_source`."""
    return Linter(options, registry).lint_source(path, text)


def lsp_range(text: str, edit: TextEdit) -> tuple[tuple[int, int], tuple[int, int]]:
    """An edit's range in `text` as LSP positions: (0-based line, UTF-16 code units from the line's start)."""
    lines = split_lines(text)
    return client_position(lines, edit.start, UTF16), client_position(lines, edit.end, UTF16)


__all__: Sequence[str] = (
    "LintOptions",
    "LintResult",
    "Linter",
    "Selection",
    "lint_source",
    "lsp_range",
    "source_bytes",
)
