"""The language server: lints open buffers as the CLI would lint the files, and publishes
the findings as diagnostics, with code actions and hovers on `# noqa` codes.

This module wires the protocol to the server's parts: the document store
(`cflint.lsp.documents`), the diagnostics (`cflint.lsp.diagnostics`) and the code actions
and hovers (`cflint.lsp.actions`); lints run through `cflint.api`."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from cflint import __version__
from cflint.api import Linter, LintOptions, LintResult
from cflint.engine.registry import Registry, load_registry
from cflint.lsp.actions import FIX_ALL_KIND, Actions
from cflint.lsp.coalescer import Coalescer
from cflint.lsp.diagnostics import Diagnostics
from cflint.lsp.documents import Documents, Linted, file_uri, is_project_file, is_python, is_under, uri_path
from cflint.lsp.memory import released
from cflint.lsp.settings import SECTION, EditorSettings
from cflint.lsp.transport import CflintProtocol, ResyncingReader
from cflint.model import UsageError
from cflint.settings.config import CONFIG_FILE_NAMES

_WATCHED = ("**/*.txt", *(f"**/{name}" for name in CONFIG_FILE_NAMES))
logger = logging.getLogger(__name__)


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
        self.documents = Documents(lambda: self.workspace)
        self.diagnostics = Diagnostics(self, self.documents)
        self.actions = Actions(self.documents, self.registry)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cflint-server")
        self._linter = self._new_linter()
        self._coalescer = Coalescer()

    # -- settings -------------------------------------------------------------------------

    def _new_linter(self) -> Linter:
        settings = self.editor_settings
        options = LintOptions(
            overrides=settings.overrides, config=settings.config, cwd=self.workspace_root, resolve_with_pip=False
        )
        return Linter(options, self.registry, self.debug)

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
        self.diagnostics.forget_usage_errors()
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

    # -- what to lint when ----------------------------------------------------------------

    def document_changed(self, uri: str) -> None:
        """Open, change, save or close of a document: lint what depends on it."""
        changed = uri_path(uri)
        if changed is None:
            return
        if is_python(changed):
            if self.documents.get(uri) is not None:
                self.lint_later(uri)
        elif is_project_file(changed):
            self.project_file_changed(changed)

    def file_saved(self, uri: str) -> None:
        """A file changed on disk (saved, or seen by the client's watcher). A saved config may
        have a new error, which pops up again; an edit that is not saved leaves it as it was."""
        path = uri_path(uri)
        if path is not None and path.name in CONFIG_FILE_NAMES:
            self.diagnostics.forget_usage_errors()

    def project_file_changed(self, path: Path) -> None:
        """A requirement or config file changed (in its buffer or on disk): re-lint the open
        Python files under its folder, or, with none open, the requirements on their own."""
        folder = path.parent
        targets = [d.uri for p, d in self.documents.by_path().items() if is_python(p) and is_under(p, folder)]
        for uri in targets:
            self.lint_later(uri)  # the client's own URI, which may be spelt unlike from_fs_path's
        if not targets and path.name == "requirements.txt":
            self._coalescer.request(f"root:{folder}", lambda: self._lint_root(folder))

    def relint_all(self) -> None:
        for path, document in self.documents.by_path().items():
            if is_python(path):
                self.lint_later(document.uri)

    def lint_later(self, uri: str) -> None:
        self._coalescer.request(uri, lambda: self._lint_document(uri))

    def document_closed(self, uri: str) -> None:
        self.documents.linted.pop(uri, None)
        self.diagnostics.publish(uri, [], None)
        closed = uri_path(uri)
        if closed is None:
            return
        if is_project_file(closed):
            self.project_file_changed(closed)  # the file on disk counts again
            return
        self.diagnostics.clear_roots_without([p for p in self.documents.by_path() if is_python(p)])

    # -- linting --------------------------------------------------------------------------

    async def _lint_document(self, uri: str) -> None:
        document = self.documents.get(uri)
        if document is None:
            return
        path = Path(os.path.abspath(document.path))
        version, text = document.version, document.source
        linter = self._linter
        try:
            result = await self._run(partial(_lint_buffer, linter, path, self.documents.buffers(path)))
        except Exception as exc:
            self.diagnostics.report_failure(uri, version, path, exc)
            return
        current = self.documents.get(uri)
        if current is None or current.version != version:
            return  # closed, or changed again: a newer lint is on its way
        if result is None:
            self.documents.linted.pop(uri, None)
            self.diagnostics.publish_file(uri, text, [], version)
            return
        self.documents.linted[uri] = Linted(version, text, result.findings)
        self.diagnostics.publish_file(uri, text, result.findings, version)
        if result.root is not None:
            self.diagnostics.publish_root_findings(result, linter)

    async def _lint_root(self, folder: Path) -> None:
        linter = self._linter
        requirements = folder / "requirements.txt"
        try:
            result = await self._run(partial(linter.lint_root, folder, self.documents.buffers(requirements)))
        except Exception as exc:
            self.diagnostics.report_failure(file_uri(requirements), None, requirements, exc)
            return
        if result is not None and result.root is not None:
            self.diagnostics.publish_root_findings(result, linter)

    async def _run(self, job: Callable[[], LintResult | None]) -> LintResult | None:
        """Run a lint in the server's lint thread, giving back its memory when it ends."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, released, job)

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


def _lint_buffer(linter: Linter, path: Path, buffers: dict[Path, bytes]) -> LintResult | None:
    """The lint of a buffer whose file is on disk and not excluded by the config, else None."""
    source = buffers.get(path)
    if source is None or not path.exists():
        return None
    result = linter.lint_source(path, source, buffers)
    return None if result.excluded else result


def _register_life_cycle(server: CflintServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        folders = params.workspace_folders or []
        root = folders[0].uri if folders else params.root_uri
        root_path = uri_path(root) if root else None
        if root_path is not None:
            server.workspace_root = root_path
        server.apply_settings(params.initialization_options, force=True)  # the workspace root is the linter's cwd

    @server.feature(types.INITIALIZED)
    def initialized(params: types.InitializedParams) -> None:
        server.watch_project_files()

    @server.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        server.shutdown_requested = True


def _register_documents(server: CflintServer) -> None:
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


def _register_workspace(server: CflintServer) -> None:
    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files_changed(params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            server.file_saved(change.uri)
            path = uri_path(change.uri)
            if path is not None and is_project_file(path) and path not in server.documents.by_path():
                server.project_file_changed(path)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def configuration_changed(params: types.DidChangeConfigurationParams) -> None:
        if params.settings:
            server.apply_settings(params.settings)
        else:
            await server.pull_settings()


def _register_requests(server: CflintServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        return server.actions.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(params: types.HoverParams) -> types.Hover | None:
        return server.actions.hover(params)


def make_server(debug: bool = False) -> CflintServer:
    """A server with cflint's handlers registered."""
    server = CflintServer(debug)
    _register_life_cycle(server)
    _register_documents(server)
    _register_workspace(server)
    _register_requests(server)
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
