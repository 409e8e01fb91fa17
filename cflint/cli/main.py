"""The `cflint` command line."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from cflint import __version__
from cflint.model import Finding, UsageError
from cflint.run.files import read_regular_file
from cflint.settings.config import OUTPUT_FORMATS, SettingsResolver

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
ALWAYS_FAILING = frozenset({"CF001", "CF002"})
SUBCOMMANDS = ("rule", "package", "server")
LSP_INSTALL_HINT = "cflint server needs the lsp extra: pip install 'cflint[lsp]'"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see 'cflint --help')")


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _lint_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cflint",
        description="Check Python cloud functions before you upload them.",
        epilog="Other commands: 'cflint rule CODE' prints a rule's page, 'cflint rule --all' lists the rules, "
        "'cflint package [DIR] [-o OUT.zip]' lints a function folder and writes its ZIP, "
        "'cflint server' runs the language server for editors. "
        "Exit codes: 0 no findings, 1 findings, 2 usage or configuration error.",
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
        ("--extend-select", "CODES", "codes to enable on top of select, e.g. off-by-default rules"),
        ("--per-file-ignores", "PATTERN:CODES", "codes to ignore in files matching PATTERN (repeatable)"),
        ("--exclude", "PATTERNS", "gitignore-style patterns of paths not to lint (replaces the defaults)"),
        ("--extend-exclude", "PATTERNS", "patterns to exclude on top of the defaults"),
        ("--entry-points", "NAMES", "entry points as module.function, comma-separated (default: user.main)"),
        ("--target-versions", "VERSIONS", "Python versions the function must run on (default: 3.11,3.12,3.13)"),
    ):
        group.add_argument(flag, metavar=meta, help=text, action="append" if flag == "--per-file-ignores" else "store")
    output = parser.add_argument_group("output")
    output.add_argument(
        "--format", choices=OUTPUT_FORMATS, help="output format (default: output-format of the config, else default)"
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
    behaviour = parser.add_argument_group("behaviour")
    behaviour.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even with findings (CF001/CF002 still exit 1)"
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
        help="neither read nor write the result cache (.cflint_cache in the project root, or $CFLINT_CACHE_DIR)",
    )
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for key in ("select", "ignore", "extend_select", "exclude", "extend_exclude", "entry_points", "target_versions"):
        value = getattr(args, key)
        if value is not None:
            overrides[key.replace("_", "-")] = value
    if args.per_file_ignores:
        overrides["per-file-ignores"] = list(args.per_file_ignores)
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
    counts them (\\n, \\r\\n or \\r). Only regular files are read, so a FIFO never blocks."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str] | None] = {}

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
            data, _ = read_regular_file(path)
        except OSError:
            return None
        return re.split(r"\r\n|\r|\n", data.decode("utf-8", errors="replace"))


def _lint(argv: Sequence[str]) -> int:
    from cflint.engine.registry import load_registry
    from cflint.output import ReportOptions, get_reporter
    from cflint.run.cache import ResultCache, default_cache_dir
    from cflint.run.runner import RunOptions, run

    args = _lint_parser().parse_args(argv)
    if args.problem_matcher is not None:
        from cflint.output.matchers import matcher_text

        sys.stdout.write(matcher_text(args.problem_matcher))
        return EXIT_CLEAN
    if args.config is not None and not args.config.is_file():
        raise UsageError(f"{args.config}: config file not found")
    cache = None if args.no_cache else ResultCache(default_cache_dir(Path(os.path.abspath(os.getcwd()))))
    registry = cache.load_registry() if cache is not None else None
    if registry is None:
        registry = load_registry()
        if cache is not None:
            cache.store_registry(registry)
    overrides = _overrides(args)
    resolver = SettingsResolver(overrides, registry.codes, args.config)
    output_format = args.format or resolver.for_folder(Path.cwd()).output_format
    options = RunOptions(
        overrides=overrides,
        config=args.config,
        force_exclude=args.force_exclude,
        debug=args.debug,
        jobs=args.jobs,
        cache=cache,
    )
    result = run(args.paths or [Path(".")], options, registry, resolver=resolver)
    report_options = ReportOptions(
        color=_use_color(args.color),
        show_source=args.show_source,
        statistics=args.statistics,
        quiet=args.quiet,
        files_checked=result.files_checked,
    )
    get_reporter(output_format, registry).write(result.findings, sys.stdout, report_options, _SourceLines())
    if any(f.code in ALWAYS_FAILING for f in result.findings):
        return EXIT_FINDINGS
    return EXIT_FINDINGS if result.findings and not args.exit_zero else EXIT_CLEAN


def _rule(argv: Sequence[str]) -> int:
    from cflint.engine.registry import load_registry
    from cflint.output.pages import read_page

    parser = _Parser(prog="cflint rule", description="Print a rule's page, or list every rule.")
    parser.add_argument("code", nargs="?", help="a rule code, e.g. CF101")
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
    if not args.code:
        raise UsageError("give a rule code or --all (see 'cflint rule --help')")
    code = args.code.upper()
    if code not in registry.codes:
        raise UsageError(f"unknown rule code {args.code!r}")
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
        help="the archive to write, replaced if it exists (default: DIR.zip beside DIR, never replaced)",
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


_SUBCOMMAND_MAINS = {"rule": _rule, "package": _package, "server": _server}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        if argv and argv[0] in SUBCOMMANDS and not Path(argv[0]).exists():
            return _SUBCOMMAND_MAINS[argv[0]](argv[1:])
        return _lint(argv)
    except UsageError as exc:
        print(f"cflint: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`cflint . | head`): say nothing more, as a pipe expects.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FINDINGS
    except KeyboardInterrupt:
        print("cflint: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if debug:
            raise
        print(
            f"cflint: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr
        )
        return EXIT_USAGE
