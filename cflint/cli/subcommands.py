"""The subcommands: `cflint rule`, `cflint package` and `cflint server`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from cflint.cli.parser import COLOR_CHOICES, UsageParser
from cflint.cli.terminal import EXIT_CLEAN, use_color
from cflint.model import UsageError

LSP_INSTALL_HINT = "cflint server needs the lsp extra: pip install 'cflint[lsp]'"


def rule(argv: Sequence[str]) -> int:
    from cflint.engine.registry import load_registry
    from cflint.output.pages import read_page

    parser = UsageParser(prog="cflint rule", description="Print a rule's page, or list every rule.")
    parser.add_argument("codes", nargs="*", metavar="CODE", help="a rule code, e.g. CF101")
    parser.add_argument("--all", action="store_true", help="list every rule with its severity and summary")
    parser.add_argument(
        "--color",
        choices=COLOR_CHOICES,
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
    if use_color(args.color):
        from rich.console import Console
        from rich.markdown import Markdown

        Console(file=sys.stdout, force_terminal=True).print(Markdown(page))
    else:
        sys.stdout.write(page)
    return EXIT_CLEAN


def package(argv: Sequence[str]) -> int:
    from cflint.cli.package_command import package_command

    parser = UsageParser(
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
    parser.add_argument("--color", choices=COLOR_CHOICES, default="auto", help="colour the findings (default: auto)")
    args = parser.parse_args(argv)
    if args.config is not None and not args.config.is_file():
        raise UsageError(f"{args.config}: config file not found")
    return package_command(args.folder, args.output, args.force, args.config, use_color(args.color))


def server(argv: Sequence[str]) -> int:
    parser = UsageParser(
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
