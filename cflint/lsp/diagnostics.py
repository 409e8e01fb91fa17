"""Findings as diagnostics: a file's own, a function root's on its requirement files, and
the one diagnostic of a lint that could not run."""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from cflint.api import Linter, LintResult
from cflint.fix.text import client_position, code_units, split_lines
from cflint.lsp.documents import Documents, file_uri, is_python, is_under, read_text, uri_path
from cflint.model import Finding, Severity, UsageError
from cflint.output.pages import page_url

_SEVERITIES = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning}
_FAILURE_CODE = "CF003"


def top_diagnostic(message: str, code: str | None) -> types.Diagnostic:
    """An error at the top of a file."""
    return types.Diagnostic(
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        message=message,
        severity=types.DiagnosticSeverity.Error,
        code=code,
        code_description=None if code is None else code_description(code),
        source="cflint",
    )


class Diagnostics:
    """Publishes diagnostics to the client, and remembers which files hold a function root's
    findings (to clear them when the root's findings change) and which usage errors popped up.

    A client that pulls diagnostics (`textDocument/diagnostic`, LSP 3.17) is sent none for
    Python files, whose diagnostics are held for its pull instead: a client shows pushed and
    pulled diagnostics side by side, so it would show them twice. Requirement files, which
    no lint of their own answers, are always pushed to."""

    def __init__(self, server: LanguageServer, documents: Documents) -> None:
        self._server = server
        self._documents = documents
        self._root_uris: dict[Path, set[str]] = {}  # function root -> files given its root findings
        self._usage_errors_shown: set[str] = set()  # popped up since the config last changed
        self._held: dict[str, list[types.Diagnostic]] = {}  # a pulling client's, by URI

    def client_pulls(self) -> bool:
        capabilities = self._server.client_capabilities.text_document
        return capabilities is not None and capabilities.diagnostic is not None

    def publish(self, uri: str, diagnostics: list[types.Diagnostic], version: int | None) -> None:
        path = uri_path(uri)
        if path is not None and is_python(path) and self.client_pulls():
            if diagnostics:
                self._held[uri] = diagnostics
            else:
                self._held.pop(uri, None)
            return
        self._server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def held(self, uri: str) -> list[types.Diagnostic]:
        """The diagnostics of the last lint of `uri`, for a pulling client."""
        return self._held.get(uri, [])

    def publish_file(self, uri: str, text: str, findings: list[Finding], version: int | None) -> None:
        """A Python file's own findings."""
        lines = split_lines(text)
        self.publish(uri, [self.diagnostic(f, lines, python=True) for f in findings], version)

    def diagnostic(self, finding: Finding, lines: list[str], python: bool) -> types.Diagnostic:
        """A finding as a diagnostic, its range in the client's units. A finding on a
        requirement line marks the whole line."""
        encoding = self._documents.encoding
        start_line, start_character = client_position(lines, finding.start, encoding)
        end_line, end_character = client_position(lines, finding.end, encoding)
        if (end_line, end_character) < (start_line, start_character):
            end_line, end_character = start_line, start_character
        if not python and (end_line, end_character) == (start_line, start_character) and start_line < len(lines):
            end_character = code_units(lines[start_line], encoding)
        return types.Diagnostic(
            range=types.Range(types.Position(start_line, start_character), types.Position(end_line, end_character)),
            message=finding.message,
            severity=_SEVERITIES[finding.severity],
            code=finding.code,
            code_description=code_description(finding.code),
            source="cflint",
        )

    def publish_root_findings(self, result: LintResult, linter: Linter) -> None:
        """Root findings on the requirement files (not on the folder, which an editor cannot
        show, nor on Python files, whose own lint publishes theirs)."""
        assert result.root is not None
        placed: dict[Path, list[Finding]] = {}
        for finding in result.root_findings:
            path = linter.finding_path(finding)
            if not is_python(path) and path.is_file():
                placed.setdefault(path, []).append(finding)
        self.publish_root(result.root.path, list(placed.items()))

    def publish_root(self, root: Path, placed: Sequence[tuple[Path, list[Finding]]]) -> None:
        """`root`'s findings by file; files that held its findings before and hold none now are cleared."""
        documents = self._documents.by_path()
        published = set()
        for path, findings in placed:
            document = documents.get(path)
            uri = document.uri if document is not None else file_uri(path)
            text = document.source if document is not None else read_text(path)
            lines = split_lines(text)
            self.publish(uri, [self.diagnostic(f, lines, python=False) for f in findings], None)
            published.add(uri)
        for uri in self._root_uris.get(root, set()) - published:
            self.publish(uri, [], None)
        if published:
            self._root_uris[root] = published
        else:
            self._root_uris.pop(root, None)

    def clear_roots_without(self, open_python: Sequence[Path]) -> None:
        """Clear the findings of each function root no open Python file is under."""
        for root in list(self._root_uris):
            if not any(is_under(path, root) for path in open_python):
                self.publish_root(root, [])

    def forget_usage_errors(self) -> None:
        """A config changed: its errors may pop up again."""
        self._usage_errors_shown.clear()

    def report_failure(self, uri: str, version: int | None, path: Path, exc: Exception) -> None:
        """A lint that could not run: one diagnostic at the top of the file. A usage error (a
        broken config) names its file and key, and pops up once until a config changes; an
        internal error is CF003, with the traceback in the client's log."""
        if isinstance(exc, UsageError):
            message = f"cflint could not lint this file: {exc}"
            if message not in self._usage_errors_shown:
                self._usage_errors_shown.add(message)
                self._server.window_show_message(types.ShowMessageParams(types.MessageType.Error, message))
            self._server.window_log_message(types.LogMessageParams(types.MessageType.Error, message))
            self.publish(uri, [top_diagnostic(message, None)], version)
            return
        message = f"cflint failed on this file: {type(exc).__name__}: {exc} (the editor's log has the traceback)"
        detail = f"cflint failed on {path}:\n" + "".join(traceback.format_exception(exc)).rstrip()
        self._server.window_log_message(types.LogMessageParams(types.MessageType.Error, detail))
        self.publish(uri, [top_diagnostic(message, _FAILURE_CODE)], version)


def code_description(code: str) -> types.CodeDescription | None:
    """The link to a rule's page, when the project declares where its pages are published."""
    url = page_url(code)
    return None if url is None else types.CodeDescription(href=url)
