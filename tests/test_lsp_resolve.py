"""The language server with `resolve = true`: it runs no pip while the editor waits, and shows
what `cflint --resolve` resolved once the command line has filled the resolution cache."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient as PyglsClient

from tests.helpers import run_subprocess, write_files
from tests.test_lsp_server import SERVER, wait_until
from tests.test_resolve import MAIN, PIP_ISOLATED, _requirements, build_index

pytestmark = pytest.mark.asyncio

CONFIG = '[tool.cflint]\nresolve = true\ntarget-versions = ["3.12"]\n'


async def test_the_server_reads_resolutions_from_the_cache_and_runs_no_pip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = build_index(tmp_path / "index")
    folder = write_files(
        tmp_path / "fn",
        {"requirements.txt": _requirements(index, "keyx==1.0"), "user.py": MAIN, "pyproject.toml": CONFIG},
    )
    cache = tmp_path / "cache"
    for name, value in {**PIP_ISOLATED, "CFLINT_CACHE_DIR": str(cache)}.items():
        monkeypatch.setenv(name, value)
    published: dict[str, list[list[str]]] = {}
    client = PyglsClient("resolve-test", "1")

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def record(params: types.PublishDiagnosticsParams) -> None:
        published.setdefault(params.uri, []).append(sorted(str(d.code) for d in params.diagnostics))

    user, requirements = (folder / "user.py").as_uri(), (folder / "requirements.txt").as_uri()
    await client.start_io(*SERVER.server_command)
    try:
        await client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=folder.as_uri())
        )
        client.initialized(types.InitializedParams())
        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(user, "python", 1, MAIN)))
        await wait_until(lambda: user in published)
        # Nothing resolved yet: judged offline (the requirements' findings are published with
        # the file's), and no pip ran (it would have filled the cache).
        assert published == {user: [[]]}
        assert not (cache / "resolve").exists()

        cli = await asyncio.to_thread(
            run_subprocess, "--no-cache", ".", cwd=folder, env={"CFLINT_CACHE_DIR": str(cache)}
        )
        assert cli.code == 1 and "CF302 keyx==1.0 installs numpy (keyx -> numpy)" in cli.out, cli.err

        edited = MAIN + "# edited\n"
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(2, user), [types.TextDocumentContentChangeWholeDocument(edited)]
            )
        )
        await wait_until(lambda: published.get(requirements, [[]])[-1] == ["CF302"])
        await client.shutdown_async(None)
        client.exit(None)
    finally:
        server = client._server
        if server is not None and server.returncode is None:
            server.kill()  # a failed test does not wait on the server
        await client.stop()
