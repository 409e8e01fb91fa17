"""A whole run: discover files and roots, run root rules and file rules, collect findings.

Files are linted in worker processes when there are several (results are put back in
the files' order, so they equal a serial run's), and answered from the result cache
when nothing they depend on has changed. Nothing here imports LibCST: the engine is
imported only when some file has to be linted.
"""

from __future__ import annotations

import os
import signal
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cflint.engine.registry import INTERNAL_ERROR, UNREADABLE_FILE, Registry
from cflint.fix.model import without_unfixable
from cflint.fs.paths import display_path
from cflint.model import Finding
from cflint.project import FileContext, FileJob, FunctionRoot
from cflint.record import Record, field, replace
from cflint.run.discovery import discover
from cflint.run.package_checks import PackageChecker
from cflint.run.roots import enclosing_root, root_findings
from cflint.settings.config import Settings, SettingsResolver
from cflint.settings.selection import Selection

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from cflint.engine.linter import FileLinter
    from cflint.run.cache import ResultCache


class Progress(Protocol):
    """Told how many files are to be linted, then of each one done."""

    def start(self, total: int) -> None: ...

    def advance(self) -> None: ...

    def stop(self) -> None: ...


class RunOptions(Record, frozen=True):
    """How to run: the command line's overrides and flags, the cache and progress."""

    overrides: Mapping[str, Any] = field(default_factory=dict)
    config: Path | None = None
    force_exclude: bool = False
    debug: bool = False
    jobs: int | None = None  # worker processes; None: one per core
    cache: ResultCache | None = None
    progress: Progress | None = None


class RunResult(Record, frozen=True):
    """A run's findings, sorted, and what it checked."""

    findings: list[Finding]
    files_checked: int
    files_from_cache: int = 0
    roots_checked: int = 0
    jobs: tuple[FileJob, ...] = ()  # the files linted from disk (not those inside archives)


IN_PROCESS_BYTES = 64 * 1024
# Function roots resolved at once with --resolve (each runs one pip per target version).
_RESOLVING_ROOTS = 4


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
    selection = Selection(registry)
    findings: list[Finding] = [
        registry.finding(UNREADABLE_FILE, display_path(path, cwd), reason=f"cannot read folder: {reason}")
        for path, reason in found.unreadable
    ]
    _resolve_roots(found.roots.values())
    for root in found.roots.values():
        findings.extend(root_findings(root, registry, selection, cwd, options.cache))
    roots_by_folder = {root.path: root for root in found.roots.values()}
    jobs = [_file_job(path, resolver, roots_by_folder, selection, cwd) for path in found.files]
    results, from_cache = _lint_jobs(jobs, registry, options)
    for job, file_findings in zip(jobs, results, strict=True):
        findings.extend(without_unfixable(file_findings, job.context.settings.unfixable))
    packages = PackageChecker(registry, _LazyLinter(registry, options.debug), selection.for_path)
    for root in found.roots.values():
        findings.extend(packages.check_folder(root))
    files_checked = len(found.files)
    if found.archives:
        from cflint.run.archive_lint import ArchiveLinter  # zipfile too: only for a run that meets a ZIP

        archives = ArchiveLinter(packages)
        for archive in dict.fromkeys(found.archives):
            linted = archives.lint(archive, display_path(archive, cwd), resolver)
            findings.extend(linted.findings)
            files_checked += linted.files_checked
    # A folder that cannot be listed is found both by discovery and by the package rules.
    findings = sorted(dict.fromkeys(findings))
    return RunResult(findings, files_checked, from_cache, roots_checked=len(found.roots), jobs=tuple(jobs))


def _resolve_roots(roots: Iterable[FunctionRoot]) -> None:
    """With --resolve: each root's resolution, made here once, side by side, before the rules
    read it (worker processes read it from the resolution cache). Raises UsageError when pip
    is missing."""
    resolving = [root for root in roots if root.settings.resolve]
    if len(resolving) == 1:
        resolving[0].resolution  # noqa: B018 - made and kept by the root
    elif resolving:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(len(resolving), _RESOLVING_ROOTS)) as pool:
            list(pool.map(lambda root: root.resolution, resolving))


def _file_job(
    path: Path, resolver: SettingsResolver, roots: Mapping[Path, FunctionRoot], selection: Selection, cwd: Path
) -> FileJob:
    return file_job(path, resolver.for_folder(path.parent), enclosing_root(path, roots), selection, cwd)


def file_job(
    path: Path,
    settings: Settings,
    root: FunctionRoot | None,
    selection: Selection,
    cwd: Path,
    source: bytes | None = None,
) -> FileJob:
    """What a lint of the file `path` needs: its context, the codes enabled for it, and its
    source (None: read from disk when linted)."""
    context = FileContext.of(path, display_path(path, cwd), settings, root)
    return FileJob(context, selection.for_path(settings, path), source)


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
    if cache is not None:  # not imported by a --no-cache run
        from cflint.run.cache import job_description, result_key
    for index, job in enumerate(jobs):
        data = (job.source if job.source is not None else _read_for_cache(job)) if cache is not None else None
        if cache is None or data is None:
            pending.append((index, job, None))
            continue
        key = result_key(data, job_description(job))
        hit = cache.get(key, job.context.display_path, registry.codes)
        if hit is not None:
            results[index] = hit
        else:
            pending.append((index, replace(job, source=data), key))
    linted = _lint_in_processes([job for _, job, _ in pending], registry, options)
    for (index, _, pending_key), file_findings in zip(pending, linted, strict=True):
        results[index] = file_findings
        if cache is not None and pending_key is not None and not any(f.code == INTERNAL_ERROR for f in file_findings):
            cache.put(pending_key, file_findings)
    return [r or [] for r in results], len(jobs) - len(pending)


def _lint_in_processes(jobs: list[FileJob], registry: Registry, options: RunOptions) -> list[list[Finding]]:
    progress = options.progress
    if progress is None:
        return _lint_all(jobs, registry, options, lambda: None)
    progress.start(len(jobs))
    try:
        return _lint_all(jobs, registry, options, progress.advance)
    finally:
        progress.stop()


def _lint_all(
    jobs: list[FileJob], registry: Registry, options: RunOptions, advance: Callable[[], None]
) -> list[list[Finding]]:
    """Lint in worker processes, even for --jobs 1 where processes can be forked: LibCST's
    parser holds the GIL for the whole parse of a file, so a process that parses cannot
    act on Ctrl-C until the parse ends, while a parent that only waits stops at once.

    A small run (IN_PROCESS_BYTES in all: a function folder, a pre-commit batch, an
    editor's file) is linted here instead: starting a worker would cost more than the lint
    itself, and Ctrl-C waits for one file's parse at most, which the guards keep near a
    second for the worst file that small."""
    if not jobs:
        return []
    sizes = [_size(job) for job in jobs]
    if sum(sizes) <= IN_PROCESS_BYTES:
        return _lint_here(jobs, registry, options, advance)
    import multiprocessing

    workers = min(options.jobs or default_jobs(), len(jobs))
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 and not can_fork:  # pragma: no cover - not on Linux: a spawned worker starts slowly
        return _lint_here(jobs, registry, options, advance)
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if can_fork else None)
    # Largest files first, so that no worker is left alone with a big one at the end.
    order = sorted(range(len(jobs)), key=lambda index: -sizes[index])
    pool = ProcessPoolExecutor(workers, context, initializer=_start_worker, initargs=(registry, options.debug))
    try:
        linted = pool.map(
            _lint_in_worker, [jobs[index] for index in order], chunksize=max(1, len(jobs) // (workers * 8))
        )
        results: list[list[Finding]] = [[] for _ in jobs]
        for index, findings in zip(order, linted, strict=True):
            results[index] = findings
            advance()
    except BaseException:
        _stop_workers(pool)
        raise
    pool.shutdown()
    return results


def _lint_here(
    jobs: list[FileJob], registry: Registry, options: RunOptions, advance: Callable[[], None]
) -> list[list[Finding]]:
    results = []
    lint = _LazyLinter(registry, options.debug)
    for job in jobs:
        results.append(lint(job))
        advance()
    return results


def _stop_workers(pool: Executor) -> None:
    """Stop at once (on Ctrl-C): the workers are killed, not waited for, so that
    none is left running a long parse after cflint exits."""
    import multiprocessing

    pool.shutdown(wait=False, cancel_futures=True)
    for child in multiprocessing.active_children():
        child.kill()
    for child in multiprocessing.active_children():
        child.join(timeout=1)


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

    # Ctrl-C reaches the whole process group: the parent stops the workers, so that an
    # idle one does not print a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    _worker_linter = FileLinter(registry, debug=debug)


def _lint_in_worker(job: FileJob) -> list[Finding]:
    assert _worker_linter is not None
    return _worker_linter.lint(job)
