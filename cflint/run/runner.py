"""A whole run: discover files and roots, run root rules and file rules, collect findings.

Files are linted in worker processes when there are several (results are put back in
the files' order, so they equal a serial run's), and answered from the result cache
when nothing they depend on has changed. Nothing here imports LibCST: the engine is
imported only when some file has to be linted.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cflint.engine.registry import Registry
from cflint.fix.model import without_unfixable
from cflint.model import Finding
from cflint.package.checker import PackageChecker
from cflint.project import FileContext, FileJob, FunctionRoot
from cflint.rules.engine.cf002_unreadable_file import UnreadableFileRule
from cflint.rules.engine.cf003_internal_error import InternalErrorRule
from cflint.run.cache import ResultCache, job_description, result_key
from cflint.run.discovery import discover, display_path
from cflint.settings.config import Settings, SettingsResolver
from cflint.settings.selection import PerFileIgnores, apply_ignores, enabled_codes

if TYPE_CHECKING:
    from cflint.engine.linter import FileLinter


@dataclass(frozen=True)
class RunOptions:
    overrides: Mapping[str, Any] = field(default_factory=dict)
    config: Path | None = None
    force_exclude: bool = False
    debug: bool = False
    jobs: int | None = None  # worker processes; None: one per core
    cache: ResultCache | None = None


@dataclass(frozen=True)
class RunResult:
    findings: list[Finding]
    files_checked: int
    files_from_cache: int = 0
    jobs: tuple[FileJob, ...] = ()  # the files linted from disk (not those inside archives)


class _Selection:
    """Enabled codes per settings and per path, computed once per settings."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._enabled: dict[Settings, frozenset[str]] = {}
        self._ignores: dict[Settings, PerFileIgnores] = {}

    def for_path(self, settings: Settings, path: Path) -> frozenset[str]:
        enabled = self._enabled.get(settings)
        if enabled is None:
            enabled = self._enabled[settings] = enabled_codes(settings, self._registry.rules)
            self._ignores[settings] = PerFileIgnores(settings)
        return apply_ignores(enabled, self._ignores[settings].ignored_for(path))


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def run(
    paths: Sequence[Path],
    options: RunOptions,
    registry: Registry,
    cwd: Path | None = None,
    resolver: SettingsResolver | None = None,
) -> RunResult:
    cwd = cwd or Path(os.path.abspath(os.getcwd()))
    resolver = resolver or SettingsResolver(options.overrides, registry.codes, options.config)
    found = discover(paths, resolver, cwd, options.force_exclude)
    selection = _Selection(registry)
    findings: list[Finding] = [
        UnreadableFileRule.finding(display_path(path, cwd), reason=f"cannot read folder: {reason}")
        for path, reason in found.unreadable
    ]
    for root in found.roots.values():
        findings.extend(_check_root_cached(root, registry, selection.for_path(root.settings, root.path), options.cache))
    roots_by_folder = {root.path: root for root in found.roots.values()}
    jobs = [_file_job(source.path, resolver, roots_by_folder, selection, cwd) for source in found.files]
    results, from_cache = _lint_jobs(jobs, registry, options)
    for job, file_findings in zip(jobs, results, strict=True):
        findings.extend(without_unfixable(file_findings, job.context.settings.unfixable))
    with _LazyLinter(registry, options.debug) as lint:
        packages = PackageChecker(registry, lint, selection.for_path)
        for root in found.roots.values():
            findings.extend(packages.check_folder(root))
        files_checked = len(found.files)
        for archive in dict.fromkeys(found.archives):
            linted = packages.lint_archive(archive, display_path(archive, cwd), resolver.for_folder(archive.parent))
            findings.extend(linted.findings)
            files_checked += linted.files_checked
    findings.sort()
    return RunResult(findings, files_checked, from_cache, tuple(jobs))


def _file_job(
    path: Path, resolver: SettingsResolver, roots: Mapping[Path, FunctionRoot], selection: _Selection, cwd: Path
) -> FileJob:
    settings = resolver.for_folder(path.parent)
    context = FileContext.of(path, display_path(path, cwd), settings, _enclosing_root(path, roots))
    return FileJob(context, selection.for_path(settings, path))


class _LazyLinter:
    """A FileLinter made on first use, so that LibCST is imported only when needed."""

    def __init__(self, registry: Registry, debug: bool) -> None:
        self._registry = registry
        self._debug = debug
        self._linter: FileLinter | None = None

    def __call__(self, job: FileJob) -> list[Finding]:
        if self._linter is None:
            from cflint.engine.linter import FileLinter

            self._linter = FileLinter(self._registry, debug=self._debug)
        return self._linter.lint(job)

    def __enter__(self) -> _LazyLinter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._linter is not None:
            self._linter.close()


def _check_root_cached(
    root: FunctionRoot, registry: Registry, enabled: frozenset[str], cache: ResultCache | None
) -> list[Finding]:
    """The root rules' findings; from the cache when the root's requirement files, entry
    modules and settings are as they were (so a cached run parses no requirements)."""
    if cache is None:
        return _check_root(root, registry, enabled)
    facts = (
        "root",
        root.display_path,
        repr(root.settings),
        sorted(enabled),
        [(root.path / ep.module_path).is_file() for ep in root.settings.entry_points],
    )
    key = result_key(root.requirements_digest.encode(), repr(facts))
    cached = cache.get_placed(key)
    if cached is not None:
        return cached
    findings = _check_root(root, registry, enabled)
    if not any(f.code == "CF003" for f in findings):
        cache.put_placed(key, findings)
    return findings


def _check_root(root: FunctionRoot, registry: Registry, enabled: frozenset[str]) -> list[Finding]:
    findings: list[Finding] = []
    for rule_type in registry.root_rules:
        if rule_type.code in enabled:
            try:
                findings.extend(rule_type().check(root))
            except Exception as exc:
                findings.append(
                    InternalErrorRule.finding(root.display_path, where=f"rule {rule_type.code}", detail=repr(exc))
                )
    return findings


def _enclosing_root(path: Path, roots: Mapping[Path, FunctionRoot]) -> FunctionRoot | None:
    for folder in path.parents:
        root = roots.get(folder)
        if root is not None:
            return root
    return None


def _read_for_cache(job: FileJob) -> bytes | None:
    """The file's bytes when it is a regular file of a lintable size, else None."""
    try:
        status = os.stat(job.context.path)
        if not stat.S_ISREG(status.st_mode) or status.st_size > job.context.settings.max_file_size:
            return None
        with open(job.context.path, "rb") as stream:
            return stream.read()
    except OSError:
        return None


def _lint_jobs(jobs: list[FileJob], registry: Registry, options: RunOptions) -> tuple[list[list[Finding]], int]:
    """Findings of each job, in order: from the cache where it has them, else linted."""
    results: list[list[Finding] | None] = [None] * len(jobs)
    pending: list[tuple[int, FileJob, str | None]] = []
    cache = options.cache
    for index, job in enumerate(jobs):
        data = _read_for_cache(job) if cache is not None else None
        if data is None:
            pending.append((index, job, None))
            continue
        key = result_key(data, job_description(job))
        hit = cache.get(key, job.context.display_path)  # type: ignore[union-attr]
        if hit is not None:
            results[index] = hit
        else:
            pending.append((index, replace(job, source=data), key))
    linted = _lint_in_processes([job for _, job, _ in pending], registry, options)
    for (index, _, key), file_findings in zip(pending, linted, strict=True):
        results[index] = file_findings
        if cache is not None and key is not None and not any(f.code == "CF003" for f in file_findings):
            cache.put(key, file_findings)
    return [r or [] for r in results], len(jobs) - len(pending)


def _lint_in_processes(jobs: list[FileJob], registry: Registry, options: RunOptions) -> list[list[Finding]]:
    workers = min(options.jobs or default_jobs(), len(jobs))
    if workers <= 1:
        with _LazyLinter(registry, options.debug) as lint:
            return [lint(job) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    # Largest files first, so that no worker is left alone with a big one at the end.
    order = sorted(range(len(jobs)), key=lambda index: -_size(jobs[index]))
    with ProcessPoolExecutor(workers, context, initializer=_start_worker, initargs=(registry, options.debug)) as pool:
        linted = pool.map(
            _lint_in_worker, [jobs[index] for index in order], chunksize=max(1, len(jobs) // (workers * 8))
        )
        results: list[list[Finding]] = [[] for _ in jobs]
        for index, findings in zip(order, linted, strict=True):
            results[index] = findings
        return results


def _size(job: FileJob) -> int:
    if job.source is not None:
        return len(job.source)
    try:
        return os.stat(job.context.path).st_size
    except OSError:
        return 0


# Each worker process holds one linter for all the files it is given.
_worker_linter: FileLinter | None = None


def _start_worker(registry: Registry, debug: bool) -> None:
    global _worker_linter
    from cflint.engine.linter import FileLinter

    _worker_linter = FileLinter(registry, debug=debug)


def _lint_in_worker(job: FileJob) -> list[Finding]:
    assert _worker_linter is not None
    return _worker_linter.lint(job)
