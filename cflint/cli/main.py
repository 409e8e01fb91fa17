"""The `cflint` command line."""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import re
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from cflint import __version__
from cflint.fs.files import read_regular_file
from cflint.model import Finding, Severity, UsageError
from cflint.run.discovery import display_path
from cflint.settings.config import OUTPUT_FORMATS, SettingsResolver

if TYPE_CHECKING:
    from cflint.engine.registry import Registry
    from cflint.output import Reporter, ReportOptions
    from cflint.run.runner import Progress, RunResult, StdinSource

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
SUBCOMMANDS = ("check", "rule", "package", "server")
LSP_INSTALL_HINT = "cflint server needs the lsp extra: pip install 'cflint[lsp]'"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


_FORMATTER_FOR_CHECKS = partial(argparse.HelpFormatter, width=80)


def _lint_parser(prog: str) -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog,
        description="Check Python cloud functions before you upload them. 'cflint check PATH...' is the same as "
        "'cflint PATH...' (use it to lint a folder named check, rule or package).",
        epilog="Other commands: 'cflint rule CODE' prints a rule's page, 'cflint rule --all' lists the rules, "
        "'cflint package [DIR] [-o OUT.zip]' lints a function folder and writes its ZIP, "
        "'cflint server' runs the language server for editors. "
        "Exit codes: 0 no findings, 1 findings, 2 usage or configuration error, 130 interrupted.",
        # argparse checks each argument it is given with a help formatter, which by default
        # asks for the terminal's width and so imports shutil (with bz2 and lzma), which a cold
        # run needs for nothing else. A fixed width does for those checks; the terminal's is asked for when help is
        # printed, by the default formatter set below.
        formatter_class=_FORMATTER_FOR_CHECKS,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="function folders, .py files, .zip archives, or folders of functions (default: .)",
    )
    parser.add_argument("--version", action="version", version=f"cflint {__version__}")
    parser.add_argument("--config", type=Path, metavar="FILE", help="use this config file instead of searching for one")
    group = parser.add_argument_group("rule selection (each replaces the config key of the same name)")
    for flag, meta, text in (
        ("--select", "CODES", "rule codes or prefixes to enable, comma-separated (ALL for every rule)"),
        ("--ignore", "CODES", "rule codes or prefixes to disable"),
        ("--extend-ignore", "CODES", "codes to disable on top of the config's ignore"),
        ("--extend-select", "CODES", "codes to enable on top of select, e.g. off-by-default rules"),
        ("--per-file-ignores", "PATTERN:CODES", "codes to ignore in files matching PATTERN (repeatable)"),
        ("--extend-per-file-ignores", "PATTERN:CODES", "per-file-ignores added to the config's (repeatable)"),
        ("--exclude", "PATTERNS", "gitignore-style patterns of paths not to lint (replaces the defaults)"),
        ("--extend-exclude", "PATTERNS", "patterns to exclude on top of the defaults"),
        ("--entry-points", "NAMES", "entry points as module.function, comma-separated (default: user.main)"),
        ("--target-versions", "VERSIONS", "Python versions the function must run on (default: 3.11,3.12,3.13)"),
    ):
        repeatable = flag in ("--per-file-ignores", "--extend-per-file-ignores")
        group.add_argument(flag, metavar=meta, help=text, action="append" if repeatable else "store")
    output = parser.add_argument_group("output")
    output.add_argument(
        "--output-format",
        "--format",
        dest="format",
        choices=OUTPUT_FORMATS,
        help="output format (default: output-format of the config, else default)",
    )
    output.add_argument(
        "--output-file",
        type=Path,
        metavar="FILE",
        help="write the report to FILE; the terminal gets a one-line summary",
    )
    output.add_argument(
        "--show-source", action="store_true", help="print the source line and a caret under each finding"
    )
    output.add_argument("--statistics", action="store_true", help="print the number of findings of each code")
    output.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the output (default: auto; NO_COLOR is honoured)",
    )
    output.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary")
    output.add_argument(
        "--problem-matcher",
        choices=("github", "vscode"),
        help="print the GitHub Actions problem matcher or the VS Code tasks.json snippet, and exit",
    )
    fixes = parser.add_argument_group("fixes (see 'Fixes' in the README)")
    fixes.add_argument("--fix", action="store_true", default=None, help="apply safe fixes in place (config: fix)")
    fixes.add_argument("--no-fix", action="store_false", dest="fix", help="do not fix, even when the config says fix")
    fixes.add_argument(
        "--unsafe-fixes",
        action="store_true",
        default=None,
        help="apply fixes that change behaviour too (config: unsafe-fixes)",
    )
    fixes.add_argument(
        "--diff", action="store_true", help="print a unified diff of what --fix would change, write nothing"
    )
    fixes.add_argument("--fix-only", action="store_true", help="apply fixes and report nothing but the summary")
    behaviour = parser.add_argument_group("behaviour")
    behaviour.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even with findings (CF001/CF002 still exit 1)"
    )
    behaviour.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="warning",
        help="the lowest severity whose findings make the exit code 1 (default: warning)",
    )
    behaviour.add_argument(
        "--stdin-filename",
        type=Path,
        metavar="PATH",
        help="read the source from stdin (give '-' as the path) and lint it as PATH, with PATH's config and root",
    )
    inspection = parser.add_argument_group("inspection (print and exit)")
    inspection.add_argument(
        "--show-settings", type=Path, metavar="PATH", help="print the settings that apply to PATH and their config file"
    )
    inspection.add_argument(
        "--show-files", action="store_true", help="list the files that would be linted, each with its function root"
    )
    behaviour.add_argument(
        "--force-exclude", action="store_true", help="apply exclude patterns to paths named on the command line too"
    )
    behaviour.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    behaviour.add_argument(
        "--jobs", "-j", type=_positive_int, metavar="N", help="worker processes (default: one per core)"
    )
    behaviour.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the result cache ($CFLINT_CACHE_DIR, else .cflint_cache in the repository "
        "root, else the user's cache folder)",
    )
    parser.formatter_class = argparse.HelpFormatter
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for key in (
        "select",
        "ignore",
        "extend_ignore",
        "extend_select",
        "exclude",
        "extend_exclude",
        "entry_points",
        "target_versions",
    ):
        value = getattr(args, key)
        if value is not None:
            overrides[key.replace("_", "-")] = value
    for key in ("per_file_ignores", "extend_per_file_ignores"):
        if getattr(args, key):
            overrides[key.replace("_", "-")] = list(getattr(args, key))
    if args.format is not None:
        overrides["output-format"] = args.format
    return overrides


def _use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


class _SourceLines:
    """Source lines for --show-source, each file read once; lines end as the parser
    counts them (\\n, \\r\\n or \\r). Only regular files are read, so a FIFO never blocks;
    a finding inside an archive (`fn.zip/user.py`) reads that member, as linting did."""

    def __init__(self, unsaved: dict[str, bytes]) -> None:
        self._lines: dict[str, list[str] | None] = {path: _split_lines(data) for path, data in unsaved.items()}

    def __call__(self, finding: Finding) -> str | None:
        if finding.path not in self._lines:
            self._lines[finding.path] = self._read(Path(finding.path))
        lines = self._lines[finding.path]
        if lines is None or not 1 <= finding.start.line <= len(lines):
            return None
        return lines[finding.start.line - 1]

    @staticmethod
    def _read(path: Path) -> list[str] | None:
        if path.suffix == ".zip":
            return None  # a finding on an archive itself has no source line
        try:
            data = _read_archive_member(path)
            if data is None:
                data, _ = read_regular_file(path)
        except OSError:
            return None
        return _split_lines(data)


def _split_lines(data: bytes) -> list[str]:
    return re.split(r"\r\n|\r|\n", data.decode("utf-8", errors="replace"))


def _stdin_source(args: argparse.Namespace) -> StdinSource | None:
    from cflint.run.runner import StdinSource

    reads_stdin = Path("-") in args.paths
    if args.stdin_filename is None:
        if reads_stdin:
            raise UsageError("reading the source from stdin ('-') needs --stdin-filename PATH")
        return None
    if args.paths not in ([], [Path("-")]):
        raise UsageError("--stdin-filename lints stdin only: give '-' or no path")
    return StdinSource(args.stdin_filename, sys.stdin.buffer.read())


def _read_archive_member(path: Path) -> bytes | None:
    """The bytes of `path` when it names a member of a ZIP archive on disk (`fn.zip/lib/x.py`),
    read with the limits a lint run uses; None when no parent of `path` is an archive.
    Raises OSError when the member cannot be read."""
    from cflint.package.archive import UNPACKED_SIZE_FACTOR, Archive, ArchiveError
    from cflint.settings.config import Settings

    for archive_path in path.parents:
        if archive_path.suffix == ".zip" and archive_path.is_file():
            break
    else:
        return None
    limits = Settings()
    member = path.relative_to(archive_path).as_posix()
    try:
        with Archive.open(archive_path, UNPACKED_SIZE_FACTOR * limits.max_package_size) as archive:
            return archive.read_head(member, limits.max_file_size)
    except ArchiveError as exc:
        raise OSError(str(exc)) from None


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Loading the rules imports LibCST and creates some 300 classes and their objects, which
    live until exit. The cyclic garbage collector would walk them again and again, while they
    are made and in each collection of the run after, and find nothing to free, a noticeable
    part of a cold run on a small function. So collection pauses while they load, and then they are
    frozen (left out of collection, and shared unchanged with forked workers) until `_lint`
    returns and gives them back."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _lint(argv: Sequence[str], prog: str = "cflint") -> int:
    try:
        return _lint_command(argv, prog)
    finally:
        gc.unfreeze()


def _lint_command(argv: Sequence[str], prog: str) -> int:
    from cflint.engine.registry import load_registry
    from cflint.output import ReportOptions, get_reporter
    from cflint.run.runner import RunOptions, run

    args = _lint_parser(prog).parse_args(argv)
    if args.problem_matcher is not None:
        from cflint.output.matchers import matcher_text

        sys.stdout.write(matcher_text(args.problem_matcher))
        return EXIT_CLEAN
    if args.config is not None and not args.config.is_file():
        raise UsageError(f"{args.config}: config file not found")
    stdin = _stdin_source(args)
    cwd = Path(os.path.abspath(os.getcwd()))
    cache = None
    if not args.no_cache:
        from cflint.run.cache import ResultCache, default_cache_dir

        cache = ResultCache(default_cache_dir(cwd))
    registry = cache.load_registry() if cache is not None else None
    if registry is None:
        with _collection_paused():
            registry = load_registry()
        if cache is not None:
            cache.store_registry(registry)
    overrides = _overrides(args)
    resolver = SettingsResolver(overrides, registry.codes, args.config)
    paths = [stdin.path] if stdin is not None else args.paths or [Path(".")]
    if args.show_settings is not None:
        from cflint.cli.show import show_settings

        return show_settings(args.show_settings, resolver, registry, cwd, cache.base if cache else None, sys.stdout)
    if args.show_files:
        from cflint.cli.show import show_files

        return show_files(paths, resolver, cwd, args.force_exclude, sys.stdout)
    output_format = args.format or resolver.for_folder(Path.cwd()).output_format
    options = RunOptions(
        overrides=overrides,
        config=args.config,
        force_exclude=args.force_exclude,
        debug=args.debug,
        jobs=args.jobs,
        cache=cache,
        stdin=stdin,
        progress=_progress(),
    )
    here = resolver.for_folder(Path.cwd())
    fixing = bool(args.diff or args.fix_only or (here.fix if args.fix is None else args.fix))
    if fixing:
        if stdin is not None:
            raise UsageError("--fix and --diff change files: they cannot be used with --stdin-filename")
        archives = [path for path in paths if path.suffix.lower() == ".zip" and path.is_file()]
        if archives:
            raise UsageError(f"{archives[0]}: files inside a .zip archive are never modified; fix the function folder")
    result = run(paths, options, registry, resolver=resolver)
    if fixing:
        return _fix(args, result, registry, here.unsafe_fixes, output_format)
    if not result.findings and not result.files_checked and not result.roots_checked:
        # As ruff does: a run that looked at nothing says so, so that a wrong path is noticed.
        print(f"cflint: No Python files found under {', '.join(map(str, paths))}", file=sys.stderr)
    color = _use_color(args.color)
    report_options = ReportOptions(
        color=color and args.output_file is None,
        show_source=args.show_source,
        statistics=args.statistics,
        quiet=args.quiet,
        files_checked=result.files_checked,
    )
    source_lines = _SourceLines({display_path(stdin.path, cwd): stdin.data} if stdin is not None else {})
    reporter = get_reporter(output_format, registry)
    exit_code = _exit_code(result.findings, registry.always_enabled, args.fail_on, args.exit_zero)
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
        _silence_stdout()
    return exit_code


def _progress() -> Progress | None:
    """A progress bar on stderr when it is a terminal (shown only for runs over a second)."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    from cflint.cli.progress import TerminalProgress

    return TerminalProgress(sys.stderr)


def _write_report_file(
    path: Path, reporter: Reporter, findings: list[Finding], options: ReportOptions, source_lines: _SourceLines
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


def _exit_code(findings: Sequence[Finding], always_failing: frozenset[str], fail_on: str, exit_zero: bool) -> int:
    if any(f.code in always_failing for f in findings):
        return EXIT_FINDINGS
    failing = [f for f in findings if fail_on == "warning" or f.severity is Severity.ERROR]
    return EXIT_FINDINGS if failing and not exit_zero else EXIT_CLEAN


def _write_stdout_bytes(data: bytes) -> None:
    """Write bytes as they are (a diff is in each file's own encoding) to stdout."""
    sys.stdout.flush()
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(data.decode("utf-8", errors="replace"))
        return
    stream.write(data)
    stream.flush()


def _fix(args: argparse.Namespace, result: RunResult, registry: Registry, unsafe: bool, output_format: str) -> int:
    """--fix, --diff and --fix-only over a run's result: fix, then report what is left."""
    from cflint.engine.linter import FileLinter
    from cflint.fixer.applier import FixPolicy
    from cflint.fixer.session import fix_findings
    from cflint.output import ReportOptions, get_reporter

    policy = FixPolicy(unsafe=bool(unsafe if args.unsafe_fixes is None else args.unsafe_fixes))
    linter = FileLinter(registry, debug=args.debug)
    fixed = fix_findings(result.findings, result.jobs, linter.lint, policy, write=not args.diff)
    for note in fixed.notes:
        print(f"cflint: {note}", file=sys.stderr)
    if args.diff:
        _write_stdout_bytes(b"".join(fixed.diffs))
        if not args.quiet:
            count = fixed.fixed
            print(f"Would fix {count} problem{'s' if count != 1 else ''}.", file=sys.stderr)
        return EXIT_FINDINGS if fixed.changed else EXIT_CLEAN
    findings = fixed.findings
    summary_stream = sys.stdout if output_format == "default" else sys.stderr
    if not args.fix_only:
        report_options = ReportOptions(
            color=False if output_format != "default" else _use_color(args.color),
            show_source=args.show_source,
            statistics=args.statistics,
            quiet=True,
            files_checked=result.files_checked,
        )
        get_reporter(output_format, registry).write(findings, sys.stdout, report_options, _SourceLines({}))
    if not args.quiet:
        total = fixed.fixed + len(findings)
        print(
            f"Found {total} problem{'s' if total != 1 else ''} ({fixed.fixed} fixed, {len(findings)} remaining).",
            file=summary_stream,
        )
    if fixed.unwritten:  # the user asked for a change that was not made
        return EXIT_FINDINGS
    if args.fix_only:
        return EXIT_CLEAN
    return _exit_code(findings, registry.always_enabled, args.fail_on, args.exit_zero)


def _rule(argv: Sequence[str]) -> int:
    from cflint.engine.registry import load_registry
    from cflint.output.pages import read_page

    parser = _Parser(prog="cflint rule", description="Print a rule's page, or list every rule.")
    parser.add_argument("codes", nargs="*", metavar="CODE", help="a rule code, e.g. CF101")
    parser.add_argument("--all", action="store_true", help="list every rule with its severity and summary")
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="render the page for a terminal (default: auto)",
    )
    args = parser.parse_args(argv)
    registry = load_registry()
    if args.all:
        for rule in registry.rules:
            default = "" if rule.default_enabled else " (off by default)"
            print(f"{rule.code}  {rule.severity.value:<7}  {rule.summary}{default}")
        return EXIT_CLEAN
    if len(args.codes) != 1:
        given = f", not {len(args.codes)} ({' '.join(args.codes)})" if args.codes else ""
        raise UsageError(f"give one rule code or --all{given} (see 'cflint rule --help')")
    code = args.codes[0].upper()
    if code not in registry.codes:
        raise UsageError(f"unknown rule code {args.codes[0]!r} (see 'cflint rule --all')")
    page = read_page(code)
    if page is None:
        raise UsageError(f"no page for {code}")
    if _use_color(args.color):
        from rich.console import Console
        from rich.markdown import Markdown

        Console(file=sys.stdout, force_terminal=True).print(Markdown(page))
    else:
        sys.stdout.write(page)
    return EXIT_CLEAN


def _package(argv: Sequence[str]) -> int:
    from cflint.cli.package_command import package_command

    parser = _Parser(
        prog="cflint package",
        description="Lint a function folder, then write its ZIP: entry module and requirements.txt at the root, "
        "without junk, .env, .gitignore'd files or package-exclude patterns; the same files give the same bytes.",
    )
    parser.add_argument(
        "folder", nargs="?", type=Path, default=Path("."), metavar="DIR", help="the function folder (default: .)"
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="OUT.zip",
        help="the archive to write, replaced if it is a regular file; '-' writes it to standard output "
        "(default: DIR.zip beside DIR, never replaced)",
    )
    parser.add_argument("--force", action="store_true", help="write the archive even if linting finds errors")
    parser.add_argument("--config", type=Path, metavar="FILE", help="use this config file instead of searching for one")
    parser.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour the findings (default: auto)"
    )
    args = parser.parse_args(argv)
    if args.config is not None and not args.config.is_file():
        raise UsageError(f"{args.config}: config file not found")
    return package_command(args.folder, args.output, args.force, args.config, _use_color(args.color))


def _silence_stdout() -> None:
    """After EPIPE: point stdout at /dev/null so that the flush at exit does not fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _server(argv: Sequence[str]) -> int:
    parser = _Parser(
        prog="cflint server",
        description="Run the language server (LSP over stdin and stdout) that editors start: diagnostics as you "
        "type, quick fixes, 'Ignore on this line', and hovers on noqa codes. Needs the lsp extra.",
    )
    parser.add_argument("--debug", action="store_true", help="log what the server does on stderr, with tracebacks")
    args = parser.parse_args(argv)
    try:
        from cflint.lsp.server import serve
    except ImportError as exc:
        if (exc.name or "").partition(".")[0] in ("pygls", "lsprotocol", "cattrs", "attrs"):
            raise UsageError(LSP_INSTALL_HINT) from None
        raise
    return serve(debug=args.debug)


def main(argv: Sequence[str] | None = None) -> int:
    # At exit the interpreter collects garbage once more and walks every object still alive,
    # LibCST's and the rules' classes among them, to free nothing: an eighth of a cold run on
    # a small function. Frozen just before, they are skipped. Registered once per process.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    command = argv[0] if argv and argv[0] in SUBCOMMANDS else None
    try:
        # A subcommand's name always means the subcommand; `cflint check rule` or `cflint ./rule`
        # lints a folder of that name.
        if command == "check":
            return _lint(argv[1:], prog="cflint check")
        if command is not None:
            return {"rule": _rule, "package": _package, "server": _server}[command](argv[1:])
        return _lint(argv)
    except UsageError as exc:
        print(f"cflint: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`cflint rule --all | head -1`): say nothing more, as a pipe expects.
        _silence_stdout()
        return EXIT_CLEAN if command == "rule" else EXIT_FINDINGS
    except KeyboardInterrupt:
        # A second Ctrl-C while exiting would print a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("cflint: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if debug:
            raise
        print(
            f"cflint: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr
        )
        return EXIT_USAGE
