"""--fix, --diff and --fix-only: fix what a run found, then report what is left."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cflint.cli.source_lines import SourceLines
from cflint.cli.terminal import EXIT_CLEAN, EXIT_FINDINGS, exit_code, use_color

if TYPE_CHECKING:
    from cflint.engine.registry import Registry
    from cflint.run.runner import RunResult


def _write_stdout_bytes(data: bytes) -> None:
    """Write bytes as they are (a diff is in each file's own encoding) to stdout."""
    sys.stdout.flush()
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(data.decode("utf-8", errors="replace"))
        return
    stream.write(data)
    stream.flush()


def fix_and_report(
    args: argparse.Namespace, result: RunResult, registry: Registry, unsafe: bool, output_format: str
) -> int:
    """Fix the findings of a run (or print the diff of the fixes), then report what is left."""
    from cflint.engine.linter import FileLinter
    from cflint.fixer.applier import FixPolicy
    from cflint.fixer.session import fix_findings
    from cflint.output import ReportOptions, get_reporter

    linter = FileLinter(registry, debug=args.debug)
    fixed = fix_findings(result.findings, result.jobs, linter.lint, FixPolicy(unsafe=unsafe), write=not args.diff)
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
            color=False if output_format != "default" else use_color(args.color),
            show_source=args.show_source,
            statistics=args.statistics,
            quiet=True,
            files_checked=result.files_checked,
        )
        get_reporter(output_format, registry).write(findings, sys.stdout, report_options, SourceLines({}))
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
    return exit_code(findings, registry.always_enabled, args.fail_on, args.exit_zero)
