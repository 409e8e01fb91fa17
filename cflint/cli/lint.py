"""`cflint [check] PATH...`: lint, then report, fix or inspect."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cflint.cli import CollectionPaused
from cflint.cli.parser import lint_parser, overrides
from cflint.cli.terminal import EXIT_CLEAN, exit_code, silence_stdout, use_color
from cflint.fs.paths import display_path
from cflint.model import Finding, UsageError
from cflint.record import Record
from cflint.settings.config import SettingsResolver

if TYPE_CHECKING:
    from cflint.cli.source_lines import SourceLines
    from cflint.engine.registry import Registry
    from cflint.output import Reporter, ReportOptions
    from cflint.run.cache import ResultCache
    from cflint.run.runner import Progress, RunResult


def lint(argv: Sequence[str], prog: str = "cflint") -> int:
    try:
        return _lint_command(argv, prog)
    finally:
        gc.unfreeze()


def _lint_command(argv: Sequence[str], prog: str) -> int:
    with CollectionPaused():
        from cflint.run.runner import RunOptions, run

    args = lint_parser(prog).parse_args(argv)
    if args.problem_matcher is not None:
        from cflint.output.matchers import matcher_text

        sys.stdout.write(matcher_text(args.problem_matcher))
        return EXIT_CLEAN
    if args.config is not None and not args.config.is_file():
        raise UsageError(f"{args.config}: config file not found")
    stdin = _stdin_source(args)
    cwd = Path(os.path.abspath(os.getcwd()))
    cache = None if args.no_cache else _cache(cwd)
    registry = _registry(cache)
    given = overrides(args)
    resolver = SettingsResolver(given, registry.codes, args.config)
    paths = [stdin.path] if stdin is not None else args.paths or [Path(".")]
    if args.show_settings is not None or args.show_files:
        return _inspect(args, paths, resolver, registry, cwd, cache)
    if cache is None:
        # Without a cache every file is linted: the engine and LibCST are imported now, while
        # collection pauses, rather than on the first file (the rules load as files need them).
        with CollectionPaused():
            import cflint.engine.linter  # noqa: F401
    here = resolver.for_folder(Path.cwd())
    fixing = bool(args.diff or args.fix_only or here.fix)
    if fixing:
        _check_fixable(paths, stdin)
    if stdin is not None:
        result = _lint_stdin(stdin, args, given, registry, cache, cwd)
    else:
        options = RunOptions(
            overrides=given,
            config=args.config,
            force_exclude=args.force_exclude,
            debug=args.debug,
            jobs=args.jobs,
            cache=cache,
            progress=_progress(),
        )
        result = run(paths, options, registry, resolver=resolver)
    if fixing:
        from cflint.cli.fixing import fix_and_report

        return fix_and_report(args, result, registry, here.unsafe_fixes, here.output_format)
    return _report(args, result, registry, here.output_format, paths, stdin, cwd)


class StdinSource(Record, frozen=True):
    """Source read from stdin, linted as if it were the file at `path`."""

    path: Path
    data: bytes


def _lint_stdin(
    stdin: StdinSource,
    args: argparse.Namespace,
    overrides: Mapping[str, Any],
    registry: Registry,
    cache: ResultCache | None,
    cwd: Path,
) -> RunResult:
    """`--stdin-filename PATH -`: the lint API's lint of the source as the file PATH, with
    this run's cache and the package rules, as a run's result."""
    from cflint.api import Linter, LintOptions
    from cflint.run.runner import RunResult

    options = LintOptions(
        overrides=overrides,
        config=args.config,
        cwd=cwd,
        force_exclude=args.force_exclude,
        package_rules=True,
        cache=cache,
    )
    linted = Linter(options, registry, debug=args.debug).lint_source(stdin.path, stdin.data)
    if linted.excluded:
        return RunResult([], 0)
    return RunResult(linted.all_findings, 1, roots_checked=int(linted.root is not None))


def _cache(cwd: Path) -> ResultCache:
    from cflint.run.cache import ResultCache, default_cache_dir

    return ResultCache(default_cache_dir(cwd))


def _registry(cache: ResultCache | None) -> Registry:
    """The rules' metadata: from the cache when it holds them, else from the rule modules."""
    from cflint.engine.registry import load_registry

    registry = cache.load_registry() if cache is not None else None
    if registry is None:
        with CollectionPaused():
            registry = load_registry()
        if cache is not None:
            cache.store_registry(registry)
    return registry


def _inspect(
    args: argparse.Namespace,
    paths: list[Path],
    resolver: SettingsResolver,
    registry: Registry,
    cwd: Path,
    cache: ResultCache | None,
) -> int:
    """--show-settings or --show-files: print what a run would use instead of linting."""
    from cflint.cli.show import show_files, show_settings

    if args.show_settings is not None:
        return show_settings(args.show_settings, resolver, registry, cwd, cache.base if cache else None, sys.stdout)
    return show_files(paths, resolver, cwd, args.force_exclude, sys.stdout)


def _check_fixable(paths: Sequence[Path], stdin: StdinSource | None) -> None:
    if stdin is not None:
        raise UsageError("--fix and --diff change files: they cannot be used with --stdin-filename")
    archives = [path for path in paths if path.suffix.lower() == ".zip" and path.is_file()]
    if archives:
        raise UsageError(f"{archives[0]}: files inside a .zip archive are never modified; fix the function folder")


def _stdin_source(args: argparse.Namespace) -> StdinSource | None:
    reads_stdin = Path("-") in args.paths
    if args.stdin_filename is None:
        if reads_stdin:
            raise UsageError("reading the source from stdin ('-') needs --stdin-filename PATH")
        return None
    if args.paths not in ([], [Path("-")]):
        raise UsageError("--stdin-filename lints stdin only: give '-' or no path")
    return StdinSource(args.stdin_filename, sys.stdin.buffer.read())


def _progress() -> Progress | None:
    """A progress bar on stderr when it is a terminal (shown only for runs over a second)."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    from cflint.cli.progress import TerminalProgress

    return TerminalProgress(sys.stderr)


def _report(
    args: argparse.Namespace,
    result: RunResult,
    registry: Registry,
    output_format: str,
    paths: Sequence[Path],
    stdin: StdinSource | None,
    cwd: Path,
) -> int:
    """Write the findings of a run in `output_format`, to stdout or --output-file; the exit code."""
    from cflint.cli.source_lines import SourceLines
    from cflint.output import ReportOptions, get_reporter

    if not result.findings and not result.files_checked and not result.roots_checked:
        # As ruff does: a run that looked at nothing says so, so that a wrong path is noticed.
        print(f"cflint: No Python files found under {', '.join(map(str, paths))}", file=sys.stderr)
    color = use_color(args.color)
    report_options = ReportOptions(
        color=color and args.output_file is None,
        show_source=args.show_source,
        statistics=args.statistics,
        quiet=args.quiet,
        files_checked=result.files_checked,
    )
    source_lines = SourceLines({display_path(stdin.path, cwd): stdin.data} if stdin is not None else {})
    reporter = get_reporter(output_format, registry)
    code = exit_code(result.findings, registry.always_enabled, args.fail_on, args.exit_zero)
    try:
        if args.output_file is None:
            reporter.write(result.findings, sys.stdout, report_options, source_lines)
        else:
            _write_report_file(args.output_file, reporter, result.findings, report_options, source_lines)
            if not args.quiet:
                _print_summary(result.findings, args.output_file, color)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`cflint . | head -1`): the findings decide the exit code still.
        silence_stdout()
    return code


def _write_report_file(
    path: Path, reporter: Reporter, findings: list[Finding], options: ReportOptions, source_lines: SourceLines
) -> None:
    try:
        with path.open("w", encoding="utf-8", newline="\n") as stream:
            reporter.write(findings, stream, options, source_lines)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the report: {exc.strerror or exc}") from None


def _print_summary(findings: Sequence[Finding], output_file: Path, color: bool) -> None:
    from cflint.output.default import summary_line

    line = f"{summary_line(findings)} Report written to {output_file}."
    if color:
        from rich.console import Console

        Console(file=sys.stdout, force_terminal=True, highlight=False, soft_wrap=True).print(line, style="bold")
    else:
        print(line)
