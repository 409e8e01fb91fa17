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
from cflint.fs.files import read_regular_bytes
from cflint.lsp.actions import FIX_ALL_KIND, Actions
from cflint.lsp.coalescer import Coalescer
from cflint.lsp.diagnostics import Diagnostics
from cflint.lsp.documents import Documents, Linted, file_uri, is_project_file, is_python, is_under, uri_path
from cflint.lsp.memory import released
from cflint.lsp.settings import SECTION, EditorSettings
from cflint.lsp.transport import CflintProtocol, ResyncingReader
from cflint.model import LintCancelled, UsageError
from cflint.run.cache import ResultCache, default_cache_dir
from cflint.settings.config import CONFIG_FILE_NAMES

_WARM_AFTER_SECONDS = 1.0
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
        self.workspace_root = Path(os.path.abspath(os.getcwd()))
        self.editor_settings = EditorSettings()
        self.shutdown_requested = False
        self.documents = Documents(lambda: self.workspace)
        self.diagnostics = Diagnostics(self, self.documents)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cflint-server")
        self._coalescer = Coalescer()
        # Set by `ready()`: `initialize` is answered before the rules are loaded.
        self._started: asyncio.Task[None] | None = None
        self._registry: Registry | None = None
        self._actions: Actions | None = None
        self._linter: Linter | None = None
        self._cache: ResultCache | None = None
        self._warming: asyncio.Future[None] | None = None
        self._refreshes: set[asyncio.Future[None]] = set()  # kept, or the loop may drop them

    # -- start-up -------------------------------------------------------------------------

    def start(self, initialization_options: object) -> None:
        """Load the rules' metadata and take the client's settings in the background, so
        that `initialize` is answered at once; handlers that need them await `ready()`."""
        if self._started is None:
            self._started = asyncio.ensure_future(self._start(initialization_options))

    async def ready(self) -> None:
        self.start(None)  # a client that sent no `initialize`: the defaults
        assert self._started is not None
        await asyncio.shield(self._started)

    async def _start(self, initialization_options: object) -> None:
        cache = ResultCache(default_cache_dir(self.workspace_root))
        registry = await asyncio.to_thread(_registry_from, cache)
        self._cache, self._registry = cache, registry
        self._actions = Actions(self.documents, registry)
        # No lint has run yet: each one asked for so far waits for `ready()` and then runs.
        self.apply_settings(initialization_options, force=True, relint=False)
        asyncio.get_running_loop().call_later(_WARM_AFTER_SECONDS, self.warm)

    def warm(self) -> None:
        """Import LibCST and the rule classes in the background, once: when the first lint
        has ended, or a while after start when no file was opened. Not sooner: a first lint
        answered from the cache does without them, and would wait on their imports (the
        import lock and the interpreter's lock) while they run."""
        if self._warming is None:
            self._warming = asyncio.get_running_loop().run_in_executor(None, _import_rules, self.registry)

    @property
    def registry(self) -> Registry:
        assert self._registry is not None, "used before ready()"
        return self._registry

    @property
    def actions(self) -> Actions:
        assert self._actions is not None, "used before ready()"
        return self._actions

    @property
    def linter(self) -> Linter:
        assert self._linter is not None, "used before ready()"
        return self._linter

    # -- settings -------------------------------------------------------------------------

    def _new_linter(self) -> Linter:
        settings = self.editor_settings
        options = LintOptions(
            overrides=settings.overrides,
            config=settings.config,
            cwd=self.workspace_root,
            resolve_with_pip=False,
            reparse=True,
        )
        return Linter(options, self.registry, self.debug)

    def apply_settings(self, value: object, force: bool = False, relint: bool = True) -> None:
        """Take the client's settings and re-lint the open files (unless `relint` is false);
        on a bad value, say so and keep the previous ones. `force` makes a new linter even
        for the same settings."""
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
        if relint:
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
        self.refresh_after(targets)

    def relint_all(self) -> None:
        targets = [document.uri for path, document in self.documents.by_path().items() if is_python(path)]
        for uri in targets:
            self.lint_later(uri)
        self.refresh_after(targets)

    def refresh_after(self, uris: list[str]) -> None:
        """Once the lints of `uris` (asked for by a change to another file) have ended, ask a
        pulling client to pull again: it would not otherwise know that they changed."""
        refresh = self.client_capabilities.workspace and self.client_capabilities.workspace.diagnostics
        if uris and self.diagnostics.client_pulls() and refresh and refresh.refresh_support:
            task = asyncio.ensure_future(self._refresh_after(uris))
            self._refreshes.add(task)
            task.add_done_callback(self._refreshes.discard)

    async def _refresh_after(self, uris: list[str]) -> None:
        try:
            for uri in uris:
                await self._coalescer.idle(uri)
            await self.workspace_diagnostic_refresh_async(None)
        except Exception as exc:
            logger.info("the client did not refresh its diagnostics: %s", exc)

    async def pulled_diagnostics(self, uri: str) -> list[types.Diagnostic]:
        """A pulling client's diagnostics of `uri`: those of a lint of the text it holds,
        waiting for that lint when it has not ended yet."""
        await self.ready()
        document = self.documents.get(uri)
        if document is not None and self.documents.last_lint(document) is None:
            self.lint_later(uri)  # merged with a lint already asked for
        await self._coalescer.idle(uri)
        return self.diagnostics.held(uri)

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
        await self.ready()
        document = self.documents.get(uri)
        if document is None:
            return
        path = Path(os.path.abspath(document.path))
        version, text = document.version, document.source
        linter = self.linter
        # A document's first lint may be answered from the cache: as saved, it may have been linted before.
        first = uri not in self.documents.linted
        cache = self._cache if first else None
        lint = partial(_lint_buffer, linter, path, self.documents.buffers(path), cache)
        try:
            result = await self._run(partial(lint, partial(self._edited_since, uri, version)))
        except LintCancelled:
            return  # edited again meanwhile: the coalescer lints the new text next
        except Exception as exc:
            self.diagnostics.report_failure(uri, version, path, exc)
            return
        finally:
            self.warm()
        if self._edited_since(uri, version):
            return  # closed, or changed again: a newer lint is on its way
        if result is None:
            self.documents.linted.pop(uri, None)
            self.diagnostics.publish_file(uri, text, [], version)
            return
        self.documents.linted[uri] = Linted(version, text, result.findings)
        self.diagnostics.publish_file(uri, text, result.findings, version)
        if result.root is not None:
            self.diagnostics.publish_root_findings(result, linter)
        if first:
            # A file just opened: parse it now, while it is read, so that its first edit is
            # reparsed (a lint answered from the cache parsed nothing).
            self._executor.submit(released, partial(linter.prepare, path, text))

    def _edited_since(self, uri: str, version: int | None) -> bool:
        """Whether the document is closed or at another version (asked from the lint thread)."""
        document = self.documents.get(uri)
        return document is None or document.version != version

    async def _lint_root(self, folder: Path) -> None:
        await self.ready()
        linter = self.linter
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


def _lint_buffer(
    linter: Linter,
    path: Path,
    buffers: dict[Path, bytes],
    cache: ResultCache | None,
    cancelled: Callable[[], bool],
) -> LintResult | None:
    """The lint of a buffer whose file is on disk and not excluded by the config, else None.
    The `cache` is used only when the buffer holds what the file on disk holds: the lints
    of unsaved text are not worth keeping."""
    source = buffers.get(path)
    if source is None or not path.exists():
        return None
    if cache is not None and _saved_bytes(path) != source:
        cache = None
    result = linter.lint_source(path, source, buffers, cache, cancelled)
    return None if result.excluded else result


def _saved_bytes(path: Path) -> bytes | None:
    try:
        return read_regular_bytes(path)
    except OSError:
        return None


def _registry_from(cache: ResultCache) -> Registry:
    """The rules' metadata: from the cache when it holds them (no rule module imported),
    else from the rule modules, then kept in the cache for the next start."""
    registry = cache.load_registry()
    if registry is None:
        registry = load_registry()
        cache.store_registry(registry)
    return registry


def _import_rules(registry: Registry) -> None:
    """Import LibCST, the engine and every rule class, so that the first lint that needs
    them does not wait for them."""
    import cflint.engine.linter  # noqa: F401

    loaded = (registry.file_rules, registry.root_rules, registry.package_rules)
    logger.debug("warmed: %d rule classes", sum(map(len, loaded)))


def _register_life_cycle(server: CflintServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        folders = params.workspace_folders or []
        root = folders[0].uri if folders else params.root_uri
        root_path = uri_path(root) if root else None
        if root_path is not None:
            server.workspace_root = root_path
        server.start(params.initialization_options)  # the workspace root is the linter's cwd

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
        await server.ready()
        if params.settings:
            server.apply_settings(params.settings)
        else:
            await server.pull_settings()


def _register_requests(server: CflintServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    async def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        await server.ready()
        return server.actions.code_actions(params)

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier="cflint", inter_file_dependencies=True, workspace_diagnostics=False),
    )
    async def diagnostic(params: types.DocumentDiagnosticParams) -> types.RelatedFullDocumentDiagnosticReport:
        items = await server.pulled_diagnostics(params.text_document.uri)
        return types.RelatedFullDocumentDiagnosticReport(items=items)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(params: types.HoverParams) -> types.Hover | None:
        await server.ready()
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
