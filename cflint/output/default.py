"""flake8-like output: `path:line:col: CODE message`, one finding a line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from cflint.model import Finding, Severity
from cflint.output import ReportOptions, SourceLine
from cflint.output.fixes import fix_note

if TYPE_CHECKING:
    from cflint.engine.registry import Registry


def format_line(finding: Finding) -> str:
    return f"{finding.path}:{finding.start.line}:{finding.start.column}: {finding.code} {finding.message}" + fix_note(
        finding
    )


def _caret_lines(finding: Finding, source_line: SourceLine) -> list[str]:
    line = source_line(finding)
    if line is None:
        return []
    prefix = "".join(c if c == "\t" else " " for c in line[: finding.start.column - 1])
    return [line, prefix + "^"]


class DefaultReporter:
    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    def write(
        self, findings: Sequence[Finding], stream: TextIO, options: ReportOptions, source_line: SourceLine
    ) -> None:
        if options.color:
            self._write_rich(findings, stream, options, source_line)
            return
        out: list[str] = []
        for finding in findings:
            out.append(format_line(finding))
            if options.show_source:
                out.extend(_caret_lines(finding, source_line))
        if options.statistics:
            out.extend(_statistics(findings, self._registry))
        if out:
            stream.write("\n".join(out) + "\n")

    def _write_rich(
        self, findings: Sequence[Finding], stream: TextIO, options: ReportOptions, source_line: SourceLine
    ) -> None:
        from rich.console import Console
        from rich.text import Text

        console = Console(file=stream, force_terminal=True, highlight=False, soft_wrap=True)
        for finding in findings:
            text = Text()
            text.append(finding.path, style="bold")
            text.append(f":{finding.start.line}:{finding.start.column}: ", style="cyan")
            text.append(finding.code, style="bold red" if finding.severity is Severity.ERROR else "bold yellow")
            text.append(" " + finding.message)
            if finding.fix is not None:
                text.append(fix_note(finding), style="green" if finding.fix.is_safe else "yellow")
            console.print(text)
            if options.show_source:
                for line in _caret_lines(finding, source_line):
                    console.print(Text(line, style="dim" if not line.strip().startswith("^") else "red"))
        if options.statistics:
            for line in _statistics(findings, self._registry):
                console.print(Text(line))
        if options.quiet:
            return
        console.print(Text(summary_line(findings), style="bold" if findings else "bold green"))


def summary_line(findings: Sequence[Finding]) -> str:
    """`Found 3 problems in 2 files.`, or `All checks passed!`."""
    if not findings:
        return "All checks passed!"
    files = len({finding.path for finding in findings})
    noun = "problem" if len(findings) == 1 else "problems"
    return f"Found {len(findings)} {noun} in {files} file{'s' if files != 1 else ''}."


def _statistics(findings: Sequence[Finding], registry: Registry) -> list[str]:
    """One line per code: how many findings, the code and its rule's summary."""
    counts = Counter(finding.code for finding in findings)
    return [f"{counts[code]:<5} {code} {registry.by_code(code).summary}" for code in sorted(counts)]
