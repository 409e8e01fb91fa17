"""`cflint server` driven end to end by pytest-lsp's client, over stdio, as an editor would."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from asyncio.subprocess import DEVNULL, PIPE
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import pytest_lsp
from lsprotocol import types
from pygls.lsp.client import LanguageClient as PyglsClient
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from cflint.engine.registry import load_registry
from cflint.model import Severity
from tests.helpers import write_files

pytestmark = pytest.mark.asyncio

USER_PY = """\
import requests


def main(request):
    url = "https://example.com"
    return requests.get(url).text
"""
# The servers' result cache, apart from the user's: a document's first lint is kept there.
SERVER_ENV = {**os.environ, "CFLINT_CACHE_DIR": tempfile.mkdtemp(prefix="cflint-lsp-test-cache-")}
SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "cflint", "server"], server_env=SERVER_ENV)
WAIT_SECONDS = 30


@pytest.fixture
def function_folder(tmp_path: Path) -> Path:
    return write_files(tmp_path / "fn", {"user.py": USER_PY, "requirements.txt": "requests\n"})


async def start(client: LanguageClient, folder: Path, options: object = None) -> types.InitializeResult:
    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        client.registrations = [*getattr(client, "registrations", []), *params.registrations]  # type: ignore[attr-defined]

    return await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=folder.as_uri(),
            initialization_options=options,
        )
    )


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient, function_folder: Path):  # type: ignore[no-untyped-def]
    await start(lsp_client, function_folder)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def bare_client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    """A client that the test itself initializes (with its own options) and shuts down;
    shut down here if the test stopped before it did."""
    yield
    server = lsp_client._server
    if server is not None and server.returncode is None and lsp_client.capabilities is not None:
        await lsp_client.shutdown_session()


def open_document(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.as_uri()
    language = "python" if path.suffix == ".py" else "plaintext"
    content = path.read_text(encoding="utf-8") if text is None else text
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, language, version, content))
    )
    return uri


def replace_text(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version, uri),
            [types.TextDocumentContentChangeWholeDocument(text)],
        )
    )


async def wait_until(condition: Callable[[], bool]) -> None:
    """Poll `condition` until it holds; TimeoutError after WAIT_SECONDS (asyncio.wait_for, not
    asyncio.timeout, which Python 3.10 lacks)."""

    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), WAIT_SECONDS)


async def diagnostics_when(
    client: LanguageClient, uri: str, condition: Callable[[Sequence[types.Diagnostic]], bool]
) -> Sequence[types.Diagnostic]:
    """The diagnostics the client holds for `uri` once they meet `condition`."""

    def met() -> bool:
        held = client.diagnostics.get(uri)
        return held is not None and condition(held)

    await wait_until(met)
    return client.diagnostics[uri]


def codes_are(*codes: str) -> Callable[[Sequence[types.Diagnostic]], bool]:
    return lambda diagnostics: sorted(str(d.code) for d in diagnostics) == sorted(codes)


def as_range(diagnostic: types.Diagnostic) -> tuple[int, int, int, int]:
    r = diagnostic.range
    return (r.start.line, r.start.character, r.end.line, r.end.character)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def apply_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply LSP text edits (UTF-16 columns) to `text`, as a client does."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        line = lines[position.line]
        units, index = 0, 0
        while index < len(line) and units < position.character:
            units += utf16(line[index])
            index += 1
        return sum(len(previous) + 1 for previous in lines[: position.line]) + index

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


async def test_diagnostics_on_open_then_gone_after_edit(client: LanguageClient, function_folder: Path) -> None:
    uri = open_document(client, function_folder / "user.py")
    diagnostics = await diagnostics_when(client, uri, codes_are("CF103", "CF403"))
    by_code = {d.code: d for d in diagnostics}
    # `def main(request):` - the parameter `request` on line 4 (0-based 3), columns 9-16.
    assert as_range(by_code["CF103"]) == (3, 9, 3, 16)
    # `    return requests.get(url).text` - the call `requests.get(url)`, columns 11-28.
    assert as_range(by_code["CF403"]) == (5, 11, 5, 28)
    for diagnostic in diagnostics:
        assert diagnostic.source == "cflint"
        assert diagnostic.code_description is None  # no project site declared: no link rather than a guessed one
    registry = load_registry()
    for code, diagnostic in by_code.items():
        error = registry.by_code(str(code)).severity == Severity.ERROR
        assert diagnostic.severity == (types.DiagnosticSeverity.Error if error else types.DiagnosticSeverity.Warning)

    edited = USER_PY.replace("def main(request):", "def main():")
    replace_text(client, uri, edited, 2)
    diagnostics = await diagnostics_when(client, uri, codes_are("CF403"))
    assert as_range(diagnostics[0]) == (5, 11, 5, 28)
    assert (function_folder / "user.py").read_text() == USER_PY  # the buffer is linted, the file is untouched


async def test_unsaved_requirements_buffer_counts(client: LanguageClient, function_folder: Path) -> None:
    user_uri = open_document(client, function_folder / "user.py", USER_PY.replace("(request)", "()"))
    await diagnostics_when(client, user_uri, codes_are("CF403"))
    requirements_uri = open_document(client, function_folder / "requirements.txt")
    replace_text(client, requirements_uri, "flask\n", 2)  # drops `requests`, which user.py imports
    diagnostics = await diagnostics_when(client, user_uri, codes_are("CF303", "CF403"))
    cf303 = next(d for d in diagnostics if d.code == "CF303")
    assert "requests" in cf303.message
    assert cf303.range.start.line == 0
    replace_text(client, requirements_uri, "flask\nrequests>=2\n", 3)
    await diagnostics_when(client, user_uri, codes_are("CF403"))


async def test_diagnostics_on_requirements_file_itself(client: LanguageClient, function_folder: Path) -> None:
    line = "git+https://github.com/psf/requests.git#egg=requests"
    requirements_uri = open_document(client, function_folder / "requirements.txt", f"{line}\n")
    diagnostics = await diagnostics_when(client, requirements_uri, codes_are("CF304"))
    assert as_range(diagnostics[0]) == (0, 0, 0, len(line))
    user_uri = open_document(client, function_folder / "user.py")
    await diagnostics_when(client, user_uri, codes_are("CF103", "CF403"))
    replace_text(client, requirements_uri, "requests\n", 2)
    await diagnostics_when(client, requirements_uri, codes_are())


async def test_a_noqa_in_the_requirements_buffer_suppresses_as_in_the_cli(
    client: LanguageClient, function_folder: Path
) -> None:
    requirements_uri = open_document(client, function_folder / "requirements.txt", "requests\nnumpy==1.26.4\n")
    await diagnostics_when(client, requirements_uri, codes_are("CF302"))
    replace_text(client, requirements_uri, "requests\nnumpy==1.26.4  # noqa: CF302\n", 2)
    await diagnostics_when(client, requirements_uri, codes_are())


async def test_utf16_columns_after_emoji_and_hangul(client: LanguageClient, function_folder: Path) -> None:
    line = '    label = "😀 한국어 🎉"; return requests.get(url).text'
    text = USER_PY.replace("def main(request):", "def main():").replace("    return requests.get(url).text", line)
    uri = open_document(client, function_folder / "user.py", text)
    diagnostics = await diagnostics_when(client, uri, codes_are("CF403"))
    start = line.index("requests.get")
    end = start + len("requests.get(url)")
    assert as_range(diagnostics[0]) == (5, utf16(line[:start]), 5, utf16(line[:end]))
    assert utf16(line[:start]) == start + 2  # the two emoji take two UTF-16 units each, Hangul one


async def test_ignore_on_this_line_adds_and_extends_noqa(client: LanguageClient, function_folder: Path) -> None:
    text = USER_PY.replace("    return requests.get(url).text", "    return requests.get(url).text  # noqa: CF401")
    uri = open_document(client, function_folder / "user.py", text)
    diagnostics = await diagnostics_when(client, uri, codes_are("CF103", "CF403"))
    version = 1
    for code, expected_line in (
        ("CF103", "def main(request):  # noqa: CF103"),
        ("CF403", "    return requests.get(url).text  # noqa: CF401, CF403"),
    ):
        diagnostic = next(d for d in diagnostics if d.code == code)
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                types.TextDocumentIdentifier(uri),
                diagnostic.range,
                types.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
        assert actions is not None
        titles = [a.title for a in actions if isinstance(a, types.CodeAction)]
        assert f"Ignore {code} on this line" in titles
        action = next(
            a for a in actions if isinstance(a, types.CodeAction) and a.title == f"Ignore {code} on this line"
        )
        assert action.kind == types.CodeActionKind.QuickFix
        assert action.edit is not None and action.edit.changes is not None
        text = apply_edits(text, action.edit.changes[uri])
        assert expected_line in text.splitlines()
        compile(text, "user.py", "exec")
        version += 1
        replace_text(client, uri, text, version)
        diagnostics = await diagnostics_when(client, uri, lambda ds, c=code: c not in {str(d.code) for d in ds})
    assert list(diagnostics) == []


@pytest.mark.parametrize(("config", "timeout"), [(None, "timeout=10"), ("fix-timeout = 2.5\n", "timeout=2.5")])
async def test_a_fix_title_shows_the_value_and_the_code_once(
    client: LanguageClient, function_folder: Path, config: str | None, timeout: str
) -> None:
    if config is not None:
        (function_folder / "cflint.toml").write_text(config, encoding="utf-8")
    uri = open_document(client, function_folder / "user.py")
    diagnostics = await diagnostics_when(client, uri, codes_are("CF103", "CF403"))
    diagnostic = next(d for d in diagnostics if d.code == "CF403")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri), diagnostic.range, types.CodeActionContext(diagnostics=[diagnostic])
        )
    )
    assert actions is not None
    fix = next(a for a in actions if isinstance(a, types.CodeAction) and not a.title.startswith("Ignore"))
    assert timeout in fix.title and "<" not in fix.title
    assert fix.title.count("CF403") == 1 and fix.title.endswith("(CF403, changes behaviour)")
    assert fix.edit is not None and fix.edit.changes is not None
    assert timeout in "".join(edit.new_text for edit in fix.edit.changes[uri])


async def test_fix_all_is_offered_when_asked(client: LanguageClient, function_folder: Path) -> None:
    uri = open_document(client, function_folder / "user.py")
    await diagnostics_when(client, uri, codes_are("CF103", "CF403"))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            types.Range(types.Position(0, 0), types.Position(0, 0)),
            types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
        )
    )
    assert actions is not None
    fix_all = [a for a in actions if isinstance(a, types.CodeAction)]
    assert [a.kind for a in fix_all] == ["source.fixAll.cflint"]
    assert fix_all[0].edit is not None and list(fix_all[0].edit.changes[uri]) == []  # no fixes yet: an empty edit


async def test_hover_on_noqa_code_shows_summary(client: LanguageClient, function_folder: Path) -> None:
    line = "    return requests.get(url).text  # noqa: CF401, CF403"
    uri = open_document(client, function_folder / "user.py", USER_PY.replace("    return requests.get(url).text", line))
    await diagnostics_when(client, uri, lambda ds: any(d.code == "CF103" for d in ds))
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(5, line.index("CF403") + 2))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "**CF403**" in hover.contents.value
    assert "timeout" in hover.contents.value
    assert "`cflint rule CF403` prints its page." in hover.contents.value  # no project site declared: no link
    outside = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(5, line.index("requests")))
    )
    assert outside is None


async def test_settings_from_initialization_and_configuration(
    bare_client: LanguageClient, function_folder: Path
) -> None:
    await start(bare_client, function_folder, {"ignore": ["CF403"]})
    uri = open_document(bare_client, function_folder / "user.py")
    await diagnostics_when(bare_client, uri, codes_are("CF103"))
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"cflint": {"select": ["CF4"]}})
    )
    await diagnostics_when(bare_client, uri, codes_are("CF403"))
    bare_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"cflint": {"select": ["CF999"]}})
    )
    await wait_until(lambda: any("CF999" in m.message for m in bare_client.messages))
    assert bare_client.messages[-1].type == types.MessageType.Error
    # A client that sends no settings with the notification is asked for the `cflint` section.
    bare_client.set_configuration({"ignore": ["CF4"]}, section="cflint")
    bare_client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await diagnostics_when(bare_client, uri, codes_are("CF103"))
    await bare_client.shutdown_session()


async def test_a_broken_config_is_one_diagnostic_and_one_message_per_change(
    client: LanguageClient, function_folder: Path
) -> None:
    config = function_folder / "cflint.toml"

    def config_saved() -> None:
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams([types.FileEvent(config.as_uri(), types.FileChangeType.Changed)])
        )

    def shown(text: str) -> list[str]:
        return [m.message for m in client.messages if text in m.message]

    config.write_text('select = ["CF999"]\n', encoding="utf-8")  # an unknown code
    uri = open_document(client, function_folder / "user.py")
    diagnostics = await diagnostics_when(client, uri, lambda ds: len(ds) == 1)
    assert diagnostics[0].code is None and diagnostics[0].code_description is None  # not CF003, "a bug in cflint"
    assert diagnostics[0].severity == types.DiagnosticSeverity.Error
    assert str(config) in diagnostics[0].message and "select" in diagnostics[0].message
    assert "CF999" in diagnostics[0].message
    for version in range(2, 6):  # keystrokes in user.py, each linted: the same error, no new popup
        replace_text(client, uri, USER_PY + "#" * version, version)
        await wait_until(lambda v=version: sum("CF999" in m.message for m in client.log_messages) == v)
    assert len(shown("CF999")) == 1
    assert client.messages[0].type == types.MessageType.Error

    config.write_text("select = [\n", encoding="utf-8")  # not TOML
    config_saved()
    diagnostics = await diagnostics_when(client, uri, lambda ds: len(ds) == 1 and "invalid TOML" in ds[0].message)
    assert diagnostics[0].code is None and str(config) in diagnostics[0].message
    await wait_until(lambda: len(shown("invalid TOML")) == 1)

    config.write_text('select = ["CF403"]\n', encoding="utf-8")
    config_saved()
    await diagnostics_when(client, uri, codes_are("CF403"))
    assert len(client.messages) == 2


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    """The resident memory of process `pid` now (VmRSS) or at its peak (VmHWM), in MiB."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith(f"{field}:"))
    return int(kib) / 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/status")
async def test_a_buffer_past_the_bounds_costs_the_server_no_memory(
    client: LanguageClient, function_folder: Path
) -> None:
    """245 lines of 199 nested parentheses took LibCST 1.1 GiB, which the server then kept."""
    text = USER_PY + ("x = " + "(" * 199 + "a" + ")" * 199 + "\n") * 245
    uri = open_document(client, function_folder / "user.py", text)
    diagnostics = await diagnostics_when(client, uri, codes_are("CF004"))
    assert "brackets nest too deeply" in diagnostics[0].message
    assert client._server is not None
    assert rss_mib(client._server.pid, "VmHWM") < 500


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/status")
async def test_the_server_gives_back_the_memory_of_a_large_lint(client: LanguageClient, function_folder: Path) -> None:
    """Just within the bounds, LibCST takes some 170 MiB more for this text; the server must not
    keep it for the rest of the session."""
    assert client._server is not None
    pid = client._server.pid
    before = rss_mib(pid)
    text = USER_PY + ("x = " + "f(a, " * 150 + ")" * 150 + "\n") * 2
    uri = open_document(client, function_folder / "user.py", text)
    await diagnostics_when(client, uri, codes_are("CF103", "CF403"))
    lint_peak = rss_mib(pid, "VmHWM") - before
    assert lint_peak > 100
    await wait_until(lambda: rss_mib(pid) - before < lint_peak / 4)


async def test_a_burst_of_edits_ends_with_the_last_text_and_save_relints(
    client: LanguageClient, function_folder: Path
) -> None:
    uri = open_document(client, function_folder / "user.py")
    await diagnostics_when(client, uri, codes_are("CF103", "CF403"))
    for version in range(2, 40):
        replace_text(client, uri, USER_PY + f"# edit {version}\n", version)
    replace_text(client, uri, USER_PY.replace("(request)", "()"), 40)
    await diagnostics_when(client, uri, codes_are("CF403"))
    (function_folder / "requirements.txt").write_text("flask\n", encoding="utf-8")  # changed on disk
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
    await diagnostics_when(client, uri, codes_are("CF303", "CF403"))


async def test_capabilities_then_shutdown_and_exit_leave_no_process(
    bare_client: LanguageClient, function_folder: Path
) -> None:
    result = await start(bare_client, function_folder)
    capabilities = result.capabilities
    assert result.server_info is not None and result.server_info.name == "cflint"
    assert capabilities.position_encoding == types.PositionEncodingKind.Utf16
    assert isinstance(capabilities.text_document_sync, types.TextDocumentSyncOptions)
    assert capabilities.text_document_sync.change == types.TextDocumentSyncKind.Incremental
    assert capabilities.text_document_sync.save is not None
    assert isinstance(capabilities.code_action_provider, types.CodeActionOptions)
    assert list(capabilities.code_action_provider.code_action_kinds or []) == ["quickfix", "source.fixAll.cflint"]
    assert capabilities.hover_provider
    await wait_until(lambda: bool(getattr(bare_client, "registrations", [])))  # asked for after `initialized`
    assert [r.method for r in bare_client.registrations] == ["workspace/didChangeWatchedFiles"]  # type: ignore[attr-defined]
    uri = open_document(bare_client, function_folder / "user.py")
    await diagnostics_when(bare_client, uri, codes_are("CF103", "CF403"))
    server = bare_client._server
    assert server is not None
    await bare_client.shutdown_session()
    assert server.returncode == 0
    with pytest.raises(ProcessLookupError):
        os.kill(server.pid, 0)


async def test_a_pulling_client_gets_the_diagnostics_of_its_text_and_a_refresh(
    bare_client: LanguageClient, function_folder: Path
) -> None:
    """`textDocument/diagnostic` (LSP 3.17): a pull right after a change answers for the
    changed text; nothing is pushed for Python files to a client that pulls; a change to a
    requirement file asks the client to pull again."""
    capabilities = client_capabilities("neovim")
    assert capabilities.text_document is not None and capabilities.text_document.diagnostic is not None
    assert capabilities.workspace is not None
    capabilities.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    result = await bare_client.initialize_session(
        types.InitializeParams(capabilities=capabilities, root_uri=function_folder.as_uri())
    )
    assert result.capabilities.diagnostic_provider is not None

    async def pull(uri: str) -> list[str]:
        report = await bare_client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(types.TextDocumentIdentifier(uri))
        )
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        return sorted(str(d.code) for d in report.items)

    assert await pull((function_folder / "never_opened.py").as_uri()) == []
    uri = open_document(bare_client, function_folder / "user.py")
    assert await pull(uri) == ["CF103", "CF403"]
    replace_text(bare_client, uri, USER_PY.replace("(request)", "()"), 2)
    assert await pull(uri) == ["CF403"]
    requirements_uri = open_document(bare_client, function_folder / "requirements.txt")
    replace_text(bare_client, requirements_uri, "flask\n", 2)
    await wait_until(lambda: bare_client.diagnostic_refresh_count > 0)
    assert await pull(uri) == ["CF303", "CF403"]
    assert uri not in bare_client.diagnostics
    await bare_client.shutdown_session()


async def test_changes_during_a_lint_are_linted_together(function_folder: Path) -> None:
    """Debouncing: 40 changes sent at once cost a few lints, not 40, and the last text's
    diagnostics are the ones published last. (pygls's own client, to see every publish.)"""
    client = PyglsClient("burst-test", "1")
    published: list[int | None] = []

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def record(params: types.PublishDiagnosticsParams) -> None:
        published.append(params.version)

    await client.start_io(*SERVER.server_command)
    try:
        await client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=function_folder.as_uri())
        )
        client.initialized(types.InitializedParams())
        uri = (function_folder / "user.py").as_uri()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, USER_PY))
        )
        await wait_until(lambda: published == [1])
        for version in range(2, 42):
            text = USER_PY + f"# edit {version}\n"
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    types.VersionedTextDocumentIdentifier(version, uri),
                    [types.TextDocumentContentChangeWholeDocument(text)],
                )
            )
        await wait_until(lambda: published[-1] == 41)
        assert len(published) - 1 < 10
        assert published[1:] == sorted(published[1:])
        await client.shutdown_async(None)
        client.exit(None)
    finally:
        await client.stop()


async def test_the_server_is_made_without_importing_libcst_or_the_rules() -> None:
    """`initialize` is answered before LibCST and the rules are imported (they load in the background)."""
    code = (
        "import sys; from cflint.lsp.server import make_server; make_server(); "
        "print(sorted(m for m in sys.modules if m == 'libcst' or m.startswith('cflint.rules.')))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


async def first_lint_codes(folder: Path, cache: Path, text: str) -> list[str]:
    """The codes of the first diagnostics a fresh server publishes for user.py opened with `text`."""
    client = PyglsClient("cache-test", "1")
    published: list[list[str]] = []

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def record(params: types.PublishDiagnosticsParams) -> None:
        if params.uri.endswith("user.py"):
            published.append(sorted(str(d.code) for d in params.diagnostics))

    await client.start_io(*SERVER.server_command, env={**os.environ, "CFLINT_CACHE_DIR": str(cache)})
    try:
        await client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=folder.as_uri())
        )
        client.initialized(types.InitializedParams())
        uri = (folder / "user.py").as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text)))
        await wait_until(lambda: bool(published))
        await client.shutdown_async(None)
        client.exit(None)
    finally:
        await client.stop()
    return published[0]


async def test_a_saved_file_s_first_diagnostics_come_from_the_result_cache(
    function_folder: Path, tmp_path: Path
) -> None:
    """A document opened as saved is linted once and kept in the result cache; the next
    session answers from the cache (shown by an entry emptied in between), and an unsaved
    text is linted and not kept."""
    cache = tmp_path / "cache"
    assert await first_lint_codes(function_folder, cache, USER_PY) == ["CF103", "CF403"]
    entries = [path for path in cache.rglob("results/*/*.json") if "CF403" in path.read_text()]
    assert len(entries) == 1
    entries[0].write_text("[]")
    assert await first_lint_codes(function_folder, cache, USER_PY) == []
    unsaved = USER_PY + "# not saved\n"
    assert await first_lint_codes(function_folder, cache, unsaved) == ["CF103", "CF403"]
    assert [path for path in cache.rglob("results/*/*.json") if "CF403" in path.read_text()] == []


class RawServer:
    """`cflint server` driven byte by byte over its stdin and stdout, for what a well-behaved
    client cannot send: a wrong Content-Length, a body that is not JSON."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.received: list[dict[str, Any]] = []

    @classmethod
    async def start(cls, folder: Path) -> RawServer:
        process = await asyncio.create_subprocess_exec(*SERVER.server_command, stdin=PIPE, stdout=PIPE, stderr=DEVNULL)
        server = cls(process)
        server.send(
            server.frame(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {"processId": None, "rootUri": folder.as_uri(), "capabilities": {}},
                }
            )
        )
        await server.response(1)
        server.send(server.frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        return server

    @staticmethod
    def frame(message: object, length_error: int = 0) -> bytes:
        body = json.dumps(message).encode()
        return b"Content-Length: %d\r\n\r\n" % (len(body) + length_error) + body

    @staticmethod
    def request(id: int, method: str, params: object = None) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": id, "method": method, "params": params}

    @staticmethod
    def hover(id: int, uri: str) -> dict[str, Any]:
        params = {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}
        return RawServer.request(id, "textDocument/hover", params)

    def send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)

    async def _read_message(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        length = None
        while True:
            header = await self.process.stdout.readline()
            if not header:
                raise EOFError("the server closed its output")
            if header == b"\r\n":
                break
            if header.lower().startswith(b"content-length:"):
                length = int(header.split(b":")[1])
        assert length is not None
        message: dict[str, Any] = json.loads(await self.process.stdout.readexactly(length))
        self.received.append(message)
        return message

    async def response(self, id: int | None) -> dict[str, Any]:
        """The reply to request `id` (None: an error reply to what had no id), within WAIT_SECONDS."""

        async def wait() -> dict[str, Any]:
            while True:
                message = await self._read_message()
                if "method" not in message and message.get("id") == id:
                    return message

        return await asyncio.wait_for(wait(), WAIT_SECONDS)

    def popups(self) -> list[dict[str, Any]]:
        return [m for m in self.received if m.get("method") == "window/showMessage"]

    async def stop(self) -> int:
        self.send(self.frame(self.request(99, "shutdown")))
        await self.response(99)
        self.send(self.frame({"jsonrpc": "2.0", "method": "exit"}))
        return await asyncio.wait_for(self.process.wait(), WAIT_SECONDS)

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()


@pytest_asyncio.fixture
async def raw_server(function_folder: Path) -> AsyncIterator[RawServer]:
    server = await RawServer.start(function_folder)
    try:
        yield server
    finally:
        server.kill()
        await server.process.wait()


@pytest.mark.parametrize("length_error", [20, -20])
async def test_a_wrong_content_length_costs_one_message_not_the_server(
    raw_server: RawServer, function_folder: Path, length_error: int
) -> None:
    uri = (function_folder / "user.py").as_uri()
    raw_server.send(
        raw_server.frame(raw_server.hover(2, uri), length_error) + raw_server.frame(raw_server.hover(3, uri))
    )
    parse_error = await raw_server.response(None)
    assert parse_error["error"]["code"] == -32700
    assert await raw_server.response(3) == {"jsonrpc": "2.0", "id": 3, "result": None}
    raw_server.send(raw_server.frame(raw_server.hover(4, uri)))
    assert "result" in await raw_server.response(4)
    assert raw_server.popups() == []
    assert await raw_server.stop() == 0


async def test_malformed_json_gets_a_parse_error_reply(raw_server: RawServer, function_folder: Path) -> None:
    body = b'{"jsonrpc": "2.0", "id": 2, "method": '
    raw_server.send(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    reply = await raw_server.response(None)
    assert reply["id"] is None and reply["error"]["code"] == -32700
    raw_server.send(raw_server.frame([1, 2]))  # JSON, but not a JSON-RPC message
    assert (await raw_server.response(None))["error"]["code"] == -32600
    raw_server.send(raw_server.frame(raw_server.hover(3, (function_folder / "user.py").as_uri())))
    assert "result" in await raw_server.response(3)
    assert raw_server.popups() == []
    assert await raw_server.stop() == 0


async def test_a_change_to_a_document_never_opened_is_ignored(raw_server: RawServer, function_folder: Path) -> None:
    uri = (function_folder / "user.py").as_uri()
    change = {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"text": USER_PY}],
    }
    raw_server.send(raw_server.frame({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": change}))
    raw_server.send(raw_server.frame(raw_server.hover(2, uri)))
    assert "result" in await raw_server.response(2)  # messages are handled in order: any popup came before
    assert raw_server.popups() == []
    assert await raw_server.stop() == 0


async def test_requests_after_shutdown_are_invalid(raw_server: RawServer, function_folder: Path) -> None:
    raw_server.send(raw_server.frame(raw_server.request(2, "shutdown")))
    assert (await raw_server.response(2))["result"] is None
    raw_server.send(raw_server.frame(raw_server.hover(3, (function_folder / "user.py").as_uri())))
    assert (await raw_server.response(3))["error"]["code"] == -32600
    raw_server.send(raw_server.frame({"jsonrpc": "2.0", "method": "exit"}))
    assert await asyncio.wait_for(raw_server.process.wait(), WAIT_SECONDS) == 0
