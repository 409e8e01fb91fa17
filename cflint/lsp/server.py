"""The language server: lints open buffers as the CLI would lint the files, and publishes
the findings as diagnostics, with code actions and hovers on `# noqa` codes."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import sys
import traceback
from collections.abc import Awaitable, Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from lsprotocol import types
from msgspec import Struct
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from cflint import __version__
from cflint.engine.registry import Registry, load_registry
from cflint.lsp.changes import FindingFix, TextChange, fixes_for, non_overlapping
from cflint.lsp.memory import released
from cflint.lsp.noqa_comments import add_noqa, noqa_code_at
from cflint.lsp.settings import SECTION, EditorSettings
from cflint.lsp.text import client_position, code_point_column, source_bytes, split_lines, units
from cflint.lsp.transport import CflintProtocol, ResyncingReader
from cflint.model import Finding, Severity, UsageError
from cflint.output.pages import page_url
from cflint.run.buffers import BufferLint, BufferLinter
from cflint.settings.config import CONFIG_FILE_NAMES

FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.cflint"
_SEVERITIES = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning}
_PYTHON_SUFFIXES = (".py", ".pyi")
_WATCHED = ("**/*.txt", *(f"**/{name}" for name in CONFIG_FILE_NAMES))
_FAILURE_CODE = "CF003"
logger = logging.getLogger(__name__)


class _Linted(Struct, frozen=True):
    """The last lint of a Python buffer: its version, text and findings."""

    version: int | None
    text: str
    findings: list[Finding]


class Coalescer:
    """Runs at most one job per key at a time. A request that comes while the key's job
    runs makes it run once more when it ends, so a burst of edits costs one lint of the
    first text and one of the last, never a queue of stale ones."""

    def __init__(self) -> None:
        self._jobs: dict[str, Callable[[], Awaitable[None]]] = {}
        self._running: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()

    def request(self, key: str, job: Callable[[], Awaitable[None]]) -> None:
        self._jobs[key] = job
        if key in self._running:
            self._again.add(key)
        else:
            self._running[key] = asyncio.ensure_future(self._run(key))

    async def _run(self, key: str) -> None:
        try:
            while True:
                await asyncio.sleep(0)  # let changes already received reach the buffer first
                self._again.discard(key)
                await self._jobs[key]()
                if key not in self._again:
                    return
        finally:
            del self._running[key]


def _is_python(path: Path) -> bool:
    return path.suffix in _PYTHON_SUFFIXES


def _is_project_file(path: Path) -> bool:
    """A file a lint reads beside the code: requirement files and config files."""
    return path.suffix == ".txt" or path.name in CONFIG_FILE_NAMES


def _is_under(path: Path, folder: Path) -> bool:
    return folder == path.parent or folder in path.parents


class CflintServer(LanguageServer):
    """`cflint server`: one instance per editor session."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(
            "cflint",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=CflintProtocol,
        )
        self.debug = debug
        self.registry: Registry = load_registry()
        self.workspace_root = Path(os.path.abspath(os.getcwd()))
        self.editor_settings = EditorSettings()
        self.shutdown_requested = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cflint-server")
        self._linter = self._new_linter()
        self._coalescer = Coalescer()
        self._linted: dict[str, _Linted] = {}
        self._root_uris: dict[Path, set[str]] = {}  # function root -> files given its root findings
        self._usage_errors_shown: set[str] = set()  # popped up since the config last changed

    # -- settings -------------------------------------------------------------------------

    def _new_linter(self) -> BufferLinter:
        settings = self.editor_settings
        return BufferLinter(self.registry, settings.overrides, settings.config, self.workspace_root, self.debug)

    def apply_settings(self, value: object, force: bool = False) -> None:
        """Take the client's settings and re-lint the open files; on a bad value, say so
        and keep the previous ones. `force` makes a new linter even for the same settings."""
        try:
            settings = EditorSettings.from_client(value, self.workspace_root, self.registry.codes)
        except UsageError as exc:
            self._tell(types.MessageType.Error, f"cflint: {exc}; the previous settings stay in effect")
            settings = self.editor_settings
        if settings == self.editor_settings and not force:
            return
        self.editor_settings = settings
        self._usage_errors_shown.clear()
        self._linter = self._new_linter()
        self.relint_all()

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls's report of an error outside a request's handler. One from reading the input
        (pygls gives the source `JsonRpcException`) is the client's: an error reply, no popup."""
        if source is JsonRpcException:
            self.cflint_protocol.reply_unreadable(error)
        else:
            super().report_server_error(error, source)

    @property
    def cflint_protocol(self) -> CflintProtocol:
        assert isinstance(self.protocol, CflintProtocol)
        return self.protocol

    def _tell(self, kind: types.MessageType, message: str) -> None:
        self.window_log_message(types.LogMessageParams(kind, message))
        if kind == types.MessageType.Error:
            self.window_show_message(types.ShowMessageParams(kind, message))

    # -- documents ------------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    def open_documents(self) -> dict[Path, TextDocument]:
        documents = {}
        for uri, document in self.workspace.text_documents.items():
            path = to_fs_path(uri) if uri.startswith("file:") else None
            if path is not None:
                documents[Path(os.path.abspath(path))] = document
        return documents

    def document_changed(self, uri: str) -> None:
        """Open, change, save or close of a document: lint what depends on it."""
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if path is None:
            return
        changed = Path(os.path.abspath(path))
        if _is_python(changed):
            if uri in self.workspace.text_documents:
                self.lint_later(uri)
        elif _is_project_file(changed):
            self.project_file_changed(changed)

    def file_saved(self, uri: str) -> None:
        """A file changed on disk (saved, or seen by the client's watcher). A saved config may
        have a new error, which pops up again; an edit that is not saved leaves it as it was."""
        path = _uri_path(uri)
        if path is not None and path.name in CONFIG_FILE_NAMES:
            self._usage_errors_shown.clear()

    def project_file_changed(self, path: Path) -> None:
        """A requirement or config file changed (in its buffer or on disk): re-lint the open
        Python files under its folder, or, with none open, the requirements on their own."""
        folder = path.parent
        targets = [d.uri for p, d in self.open_documents().items() if _is_python(p) and _is_under(p, folder)]
        for uri in targets:
            self.lint_later(uri)  # the client's own URI, which may be spelt unlike from_fs_path's
        if not targets and path.name == "requirements.txt":
            self._coalescer.request(f"root:{folder}", lambda: self._lint_root(folder))

    def relint_all(self) -> None:
        for path, document in self.open_documents().items():
            if _is_python(path):
                self.lint_later(document.uri)

    def lint_later(self, uri: str) -> None:
        self._coalescer.request(uri, lambda: self._lint_document(uri))

    def document_closed(self, uri: str) -> None:
        self._linted.pop(uri, None)
        self.publish(uri, [], None)
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if path is None:
            return
        closed = Path(os.path.abspath(path))
        if _is_project_file(closed):
            self.project_file_changed(closed)  # the file on disk counts again
            return
        open_python = [p for p in self.open_documents() if _is_python(p)]
        for root in list(self._root_uris):
            if not any(_is_under(p, root) for p in open_python):
                self._publish_root(root, [])

    def _buffers(self, target: Path) -> dict[Path, bytes]:
        """The unsaved text that counts for a lint of `target`: its own, and that of open
        requirement files."""
        buffers = {}
        for path, document in self.open_documents().items():
            if path == target or path.suffix == ".txt":
                buffers[path] = source_bytes(document.source) if _is_python(path) else document.source.encode()
        return buffers

    # -- linting --------------------------------------------------------------------------

    async def _lint_document(self, uri: str) -> None:
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return
        path = Path(os.path.abspath(document.path))
        version, text = document.version, document.source
        linter = self._linter
        buffers = self._buffers(path)
        try:
            job = partial(linter.lint, path, buffers)
            result = await asyncio.get_running_loop().run_in_executor(self._executor, released, job)
        except Exception as exc:
            self._report_failure(uri, version, path, exc)
            return
        current = self.workspace.text_documents.get(uri)
        if current is None or current.version != version:
            return  # closed, or changed again: a newer lint is on its way
        if result is None:
            self._linted.pop(uri, None)
            findings = []
        else:
            findings = result.file_findings
            self._linted[uri] = _Linted(version, text, findings)
        self.publish(uri, [self.diagnostic(f, split_lines(text), python=True) for f in findings], version)
        if result is not None and result.root is not None:
            self._publish_root_findings(result, linter)

    async def _lint_root(self, folder: Path) -> None:
        linter = self._linter
        buffers = self._buffers(folder / "requirements.txt")
        try:
            job = partial(linter.lint_root, folder, buffers)
            result = await asyncio.get_running_loop().run_in_executor(self._executor, released, job)
        except Exception as exc:
            uri = _file_uri(folder / "requirements.txt")
            self._report_failure(uri, None, folder / "requirements.txt", exc)
            return
        if result is not None and result.root is not None:
            self._publish_root_findings(result, linter)

    def _report_failure(self, uri: str, version: int | None, path: Path, exc: Exception) -> None:
        """A lint that could not run: one diagnostic at the top of the file. A usage error (a
        broken config) names its file and key, and pops up once until a config changes; an
        internal error is CF003, with the traceback in the client's log."""
        if isinstance(exc, UsageError):
            message = f"cflint could not lint this file: {exc}"
            if message not in self._usage_errors_shown:
                self._usage_errors_shown.add(message)
                self.window_show_message(types.ShowMessageParams(types.MessageType.Error, message))
            self.window_log_message(types.LogMessageParams(types.MessageType.Error, message))
            self.publish(uri, [self._top_diagnostic(message, None)], version)
            return
        message = f"cflint failed on this file: {type(exc).__name__}: {exc} (the editor's log has the traceback)"
        detail = f"cflint failed on {path}:\n" + "".join(traceback.format_exception(exc)).rstrip()
        self.window_log_message(types.LogMessageParams(types.MessageType.Error, detail))
        self.publish(uri, [self._top_diagnostic(message, _FAILURE_CODE)], version)

    @staticmethod
    def _top_diagnostic(message: str, code: str | None) -> types.Diagnostic:
        return types.Diagnostic(
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            message=message,
            severity=types.DiagnosticSeverity.Error,
            code=code,
            code_description=None if code is None else _code_description(code),
            source="cflint",
        )

    def _publish_root_findings(self, result: BufferLint, linter: BufferLinter) -> None:
        """Root findings on the requirement files (not on the folder, which an editor cannot
        show, nor on Python files, whose own lint publishes theirs)."""
        assert result.root is not None
        placed: dict[Path, list[Finding]] = {}
        for finding in result.root_findings:
            path = linter.finding_path(finding)
            if not _is_python(path) and path.is_file():
                placed.setdefault(path, []).append(finding)
        self._publish_root(result.root.path, list(placed.items()))

    def _publish_root(self, root: Path, placed: Sequence[tuple[Path, list[Finding]]]) -> None:
        documents = self.open_documents()
        published = set()
        for path, findings in placed:
            document = documents.get(path)
            uri = document.uri if document is not None else _file_uri(path)
            text = document.source if document is not None else _read_text(path)
            lines = split_lines(text)
            self.publish(uri, [self.diagnostic(f, lines, python=False) for f in findings], None)
            published.add(uri)
        for uri in self._root_uris.get(root, set()) - published:
            self.publish(uri, [], None)
        if published:
            self._root_uris[root] = published
        else:
            self._root_uris.pop(root, None)

    def publish(self, uri: str, diagnostics: list[types.Diagnostic], version: int | None) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def diagnostic(self, finding: Finding, lines: list[str], python: bool) -> types.Diagnostic:
        """A finding as a diagnostic, its range in the client's units. A finding on a
        requirement line marks the whole line."""
        start_line, start_character = client_position(lines, finding.start, self.encoding)
        end_line, end_character = client_position(lines, finding.end, self.encoding)
        if (end_line, end_character) < (start_line, start_character):
            end_line, end_character = start_line, start_character
        if not python and (end_line, end_character) == (start_line, start_character) and start_line < len(lines):
            end_character = units(lines[start_line], self.encoding)
        return types.Diagnostic(
            range=types.Range(types.Position(start_line, start_character), types.Position(end_line, end_character)),
            message=finding.message,
            severity=_SEVERITIES[finding.severity],
            code=finding.code,
            code_description=_code_description(finding.code),
            source="cflint",
        )

    # -- code actions and hover -----------------------------------------------------------

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        document = self.workspace.text_documents.get(uri)
        if document is None or not _is_python(Path(document.path)):
            return None
        text = document.source
        lines = split_lines(text)
        only = params.context.only

        def wanted(kind: str) -> bool:
            return only is None or any(kind == asked or kind.startswith(f"{asked}.") for asked in only)

        linted = self._linted.get(uri)
        fixes = []
        if linted is not None and linted.version == document.version:
            fixes = fixes_for(Path(document.path), text, linted.findings)
        actions: list[types.CodeAction] = []
        if wanted(types.CodeActionKind.QuickFix):
            for diagnostic in params.context.diagnostics:
                if diagnostic.source == "cflint" and isinstance(diagnostic.code, str):
                    actions.extend(self._quick_fixes(uri, text, lines, diagnostic, fixes))
        if wanted(FIX_ALL_KIND):
            changes = non_overlapping(fixes)
            if changes or only is not None:
                actions.append(
                    types.CodeAction(
                        title="cflint: fix all fixable problems",
                        kind=FIX_ALL_KIND,
                        edit=self._edit(uri, lines, changes),
                    )
                )
        return actions

    def _quick_fixes(
        self, uri: str, text: str, lines: list[str], diagnostic: types.Diagnostic, fixes: Iterable[FindingFix]
    ) -> list[types.CodeAction]:
        code = str(diagnostic.code)
        actions = []
        for fix in fixes:
            start = client_position(lines, fix.finding.start, self.encoding)
            if fix.finding.code == code and start == (diagnostic.range.start.line, diagnostic.range.start.character):
                actions.append(
                    types.CodeAction(
                        title=f"{fix.title} ({code})" if fix.safe else f"{fix.title} ({code}, changes behaviour)",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        edit=self._edit(uri, lines, list(fix.changes)),
                        is_preferred=fix.safe,
                    )
                )
        if code in self.registry.codes and self.registry.by_code(code).kind != "engine":
            change = add_noqa(text, diagnostic.range.start.line + 1, code, self.registry.codes)
            if change is not None:
                actions.append(
                    types.CodeAction(
                        title=f"Ignore {code} on this line",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        edit=self._edit(uri, lines, [change]),
                    )
                )
        return actions

    def _edit(self, uri: str, lines: list[str], changes: Sequence[TextChange]) -> types.WorkspaceEdit:
        edits = [
            types.TextEdit(
                range=types.Range(
                    types.Position(*client_position(lines, change.start, self.encoding)),
                    types.Position(*client_position(lines, change.end, self.encoding)),
                ),
                new_text=change.new_text,
            )
            for change in changes
        ]
        return types.WorkspaceEdit(changes={uri: edits})

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        document = self.workspace.text_documents.get(params.text_document.uri)
        if document is None or not _is_python(Path(document.path)):
            return None
        text = document.source
        lines = split_lines(text)
        line = params.position.line + 1
        if not 1 <= line <= len(lines):
            return None
        column = code_point_column(lines[line - 1], params.position.character, self.encoding)
        code = noqa_code_at(text, line, column)
        if code is None or code not in self.registry.codes:
            return None
        rule = self.registry.by_code(code)
        default = "" if rule.default_enabled else ", off by default"
        heading = f"**{rule.code}** `{rule.name}` ({rule.severity.value}{default})"
        url = page_url(code)
        link = f"[Rule page]({url})" if url else f"`cflint rule {code}` prints its page."
        value = f"{heading}\n\n{rule.summary}\n\n{link}"
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=value))

    # -- life cycle -----------------------------------------------------------------------

    def watch_project_files(self) -> None:
        """Ask the client to report changes on disk to requirement and config files."""
        capability = self.client_capabilities.workspace
        watched = capability.did_change_watched_files if capability is not None else None
        if watched is None or not watched.dynamic_registration:
            return
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in _WATCHED]
        )
        registration = types.Registration(
            id="cflint-project-files",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=options,
        )
        future = self.client_register_capability(types.RegistrationParams(registrations=[registration]))
        future.add_done_callback(self._registration_done)

    @staticmethod
    def _registration_done(future: Future[Any] | asyncio.Future[Any]) -> None:
        if not future.cancelled() and future.exception() is not None:
            logger.info("the client did not register file watchers: %s", future.exception())

    async def pull_settings(self) -> None:
        """Ask the client for the `cflint` section, for a client that sends no settings
        with its change notification."""
        capability = self.client_capabilities.workspace
        if capability is None or not capability.configuration:
            return
        params = types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
        try:
            result = await self.workspace_configuration_async(params)
        except Exception as exc:
            logger.info("the client did not send its settings: %s", exc)
            return
        if result and result[0] is not None:
            self.apply_settings(result[0])

    def close(self) -> None:
        self._executor.shutdown(wait=True)


def _code_description(code: str) -> types.CodeDescription | None:
    url = page_url(code)
    return None if url is None else types.CodeDescription(href=url)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _file_uri(path: Path) -> str:
    return from_fs_path(str(path)) or path.as_uri()


def _uri_path(uri: str) -> Path | None:
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return Path(os.path.abspath(path)) if path is not None else None


def make_server(debug: bool = False) -> CflintServer:
    """A server with cflint's handlers registered."""
    server = CflintServer(debug)

    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        folders = params.workspace_folders or []
        root = folders[0].uri if folders else params.root_uri
        root_path = _uri_path(root) if root else None
        if root_path is not None:
            server.workspace_root = root_path
        server.apply_settings(params.initialization_options, force=True)  # the workspace root is the linter's cwd

    @server.feature(types.INITIALIZED)
    def initialized(params: types.InitializedParams) -> None:
        server.watch_project_files()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        server.document_changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        server.document_changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        server.file_saved(params.text_document.uri)
        server.document_changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        server.document_closed(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files_changed(params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            server.file_saved(change.uri)
            path = _uri_path(change.uri)
            if path is not None and _is_project_file(path) and path not in server.open_documents():
                server.project_file_changed(path)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def configuration_changed(params: types.DidChangeConfigurationParams) -> None:
        if params.settings:
            server.apply_settings(params.settings)
        else:
            await server.pull_settings()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        return server.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(params: types.HoverParams) -> types.Hover | None:
        return server.hover(params)

    @server.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        server.shutdown_requested = True

    return server


def serve(debug: bool = False) -> int:
    """Serve over stdin and stdout until the client says exit. The exit code is 0 after a
    shutdown request, 1 when the client exits without one (as LSP asks)."""
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="cflint server: %(message)s")
    server = make_server(debug)
    try:
        server.start_io(ResyncingReader(io.FileIO(sys.stdin.fileno(), "rb", closefd=False)))
    finally:
        server.close()
    return 0 if server.shutdown_requested else 1
