"""Latency of `cflint server` as an editor sees it: from sending `textDocument/didChange`
to receiving the `textDocument/publishDiagnostics` for that version, over stdio with a real
LSP client (pygls's). Prints a markdown table.

Run from the repository root with the `lsp` extra installed:
`python bench/lsp_latency.py [--edits 50] [--warmup 5]` (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "inputs" / "template"
LARGE_MODULE_LINES = 1000

_HEADER = '''\
"""A cloud function with many handlers, generated for the language-server benchmark."""

import requests
from flask import request

'''
_HANDLER = '''\

def handler_{i}(payload):
    """Handle the events of kind k{i}."""
    items = payload.get("items", [])
    total = 0
    for item in items:
        if item.get("kind") == "k{i}":
            total += int(item.get("value", 0))
        elif item.get("kind") is None:
            continue
    response = requests.get("https://api.example.com/{i}", params={{"total": total}}, timeout=5)
    if response.status_code != 200:
        return {{"error": response.status_code, "handler": {i}}}
    data = response.json()
    return {{"handler": {i}, "total": total, "data": data}}
'''
_MAIN = """\

def main():
    payload = request.get_json(silent=True) or {}
    handler = globals().get(f"handler_{payload.get('kind', 0)}")
    if handler is None:
        return {"error": "unknown kind"}, 400
    return handler(payload)
"""


def large_module() -> str:
    """A 1,000-line entry module: handlers that parse input and call an API, and a main."""
    handlers = []
    index = 0
    while True:
        text = _HEADER + "".join(handlers) + _MAIN
        lines = text.count("\n")
        if lines + _HANDLER.count("\n") > LARGE_MODULE_LINES:
            return text + "\n" * (LARGE_MODULE_LINES - lines - 1) + "# end\n"
        handlers.append(_HANDLER.format(i=index))
        index += 1


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, str]
    edited_line: int  # 0-based line of user.py that each edit gives a new trailing comment


@dataclass(frozen=True)
class Measurement:
    case: Case
    lines: int
    start_seconds: float
    open_seconds: float
    latencies: list[float]
    engine: list[float]  # the same lint in this process (median shown), without the server and the protocol


def cases() -> list[Case]:
    template = {name: (TEMPLATE / name).read_text(encoding="utf-8") for name in ("user.py", "requirements.txt")}
    large = large_module()
    return [
        Case("guide template", template, template["user.py"].splitlines().index("def main():") + 1),
        Case(
            f"{LARGE_MODULE_LINES}-line module",
            {"user.py": large, "requirements.txt": "requests\nflask\n"},
            large.splitlines().index("def main():") + 1,
        ),
    ]


class _Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("cflint-bench", "1")
        self.waiting: dict[tuple[str, int], asyncio.Future[float]] = {}


async def measure(case: Case, folder: Path, edits: int, warmup: int) -> Measurement:
    for name, text in case.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    user = folder / "user.py"
    uri = user.as_uri()
    client = _Client()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        future = client.waiting.pop((params.uri, params.version or 0), None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    await client.start_io(sys.executable, "-m", "cflint", "server", env=environment, cwd=str(folder))
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=folder.as_uri(), process_id=os.getpid()
        )
    )
    client.initialized(types.InitializedParams())
    start_seconds = time.perf_counter() - started

    async def publication(version: int) -> float:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        client.waiting[(uri, version)] = future
        return await asyncio.wait_for(future, 60)

    text = case.files["user.py"]
    waiting = asyncio.ensure_future(publication(1))
    sent = time.perf_counter()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text)))
    open_seconds = await waiting - sent

    latencies = []
    line = case.edited_line
    original = text.splitlines()[line]
    old_length = len(original)
    for edit in range(warmup + edits):
        version = edit + 2
        new_line = f"{original}  # edit number {edit}"
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(line, 0), types.Position(line, old_length)), text=new_line
        )
        old_length = len(new_line)
        waiting = asyncio.ensure_future(publication(version))
        await asyncio.sleep(0)
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(version, uri), [change])
        )
        received = await waiting
        if edit >= warmup:
            latencies.append(received - sent)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return Measurement(case, text.count("\n"), start_seconds, open_seconds, latencies, engine_alone(user, 10))


def engine_alone(path: Path, runs: int) -> list[float]:
    """The seconds a lint of `path` takes in this process, through the server's own seam."""
    sys.path.insert(0, str(REPO))
    from cflint.api import Linter, LintOptions

    linter = Linter(LintOptions(cwd=path.parent))
    source = path.read_bytes()
    linter.lint_source(path, source)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        linter.lint_source(path, source)
        times.append(time.perf_counter() - started)
    return times


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def render(measurements: list[Measurement], edits: int) -> str:
    rows = [
        f"Language server latency, didChange -> publishDiagnostics, {edits} edits per row "
        f"(Python {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})",
        "",
        "| Input | Lines | Start + initialize | First lint (didOpen) | Median | p95 | Min | Max | Engine alone |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for m in measurements:
        ms = [value * 1000 for value in m.latencies]
        rows.append(
            f"| {m.case.name} | {m.lines} | {m.start_seconds * 1000:.0f} ms | {m.open_seconds * 1000:.0f} ms "
            f"| {statistics.median(ms):.1f} ms | {percentile(ms, 0.95):.1f} ms | {min(ms):.1f} ms | {max(ms):.1f} ms "
            f"| {statistics.median(m.engine) * 1000:.1f} ms |"
        )
    return "\n".join(rows) + "\n"


async def run(edits: int, warmup: int) -> list[Measurement]:
    measurements = []
    for case in cases():
        folder = Path(tempfile.mkdtemp(prefix="cflint-lsp-bench-"))
        try:
            measurements.append(await measure(case, folder, edits, warmup))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return measurements


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=50, help="measured edits per input (default: 50)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured edits first (default: 5)")
    args = parser.parse_args(argv)
    sys.stdout.write(render(asyncio.run(run(args.edits, args.warmup)), args.edits))
    return 0


if __name__ == "__main__":
    sys.exit(main())
