"""Latency of `cflint server` as an editor sees it, next to `ruff server` and `fixit lsp`
when they are installed, driven by one raw LSP client (pygls's) over stdio, the servers taking
turns on each input: from sending `textDocument/didChange` to receiving the
`textDocument/publishDiagnostics` for that version; from starting the process to the first
diagnostics; the server's resident memory after the first and after the last edit. Prints a
markdown table.

Run from the repository root with the `lsp` extra installed:
`python bench/lsp_latency.py [--edits 40] [--warmup 5] [--rounds 1] [--only NAME]` (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from asyncio.subprocess import DEVNULL, PIPE
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "inputs" / "template"
LARGE_MODULE_LINES = 5000
SMALL_MODULE_LINES = 61

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


def large_module(size: int = LARGE_MODULE_LINES) -> str:
    """An entry module of `size` lines: handlers that parse input and call an API, and a main."""
    handlers = []
    index = 0
    while True:
        text = _HEADER + "".join(handlers) + _MAIN
        lines = text.count("\n")
        if lines + _HANDLER.count("\n") > size:
            return text + "\n" * (size - lines - 1) + "# end\n"
        handlers.append(_HANDLER.format(i=index))
        index += 1


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, str]
    edited_line: int  # 0-based line of user.py that each edit gives a new trailing comment


@dataclass(frozen=True)
class Server:
    name: str
    command: list[str]
    repository: Path = REPO  # the checkout whose cflint runs (on PYTHONPATH)


@dataclass
class Measurement:
    case: Case
    server: Server
    lines: int
    to_initialized: list[float] = field(default_factory=list)  # process start -> initialize answered
    to_first: list[float] = field(default_factory=list)  # process start -> first diagnostics
    to_first_cached: list[float] = field(default_factory=list)  # the same, second start on the same folder
    latencies: list[float] = field(default_factory=list)
    rss_first: list[int] = field(default_factory=list)  # KiB after the first measured edit
    rss_last: list[int] = field(default_factory=list)  # KiB after the last


def cases() -> list[Case]:
    template = {name: (TEMPLATE / name).read_text(encoding="utf-8") for name in ("user.py", "requirements.txt")}
    result = [Case("guide template", template, template["user.py"].splitlines().index("def main():") + 1)]
    for size in (SMALL_MODULE_LINES, LARGE_MODULE_LINES):
        text = large_module(size)
        result.append(
            Case(
                f"{size}-line user.py",
                {"user.py": text, "requirements.txt": "requests\nflask\n"},
                text.splitlines().index("def main():") + 1,
            )
        )
    return result


def servers() -> list[Server]:
    """cflint from this checkout, and ruff and fixit when found on PATH or beside this Python."""
    found = [Server("cflint", [sys.executable, "-m", "cflint", "server"])]
    baseline = os.environ.get("BENCH_BASELINE")  # another checkout, to compare before and after
    if baseline:
        found.append(Server(f"cflint ({Path(baseline).name})", found[0].command, Path(baseline)))
    here = Path(sys.executable).parent
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(here))
    if ruff:
        found.append(Server("ruff server", [ruff, "server"]))
    fixit = os.environ.get("BENCH_FIXIT") or shutil.which("fixit") or shutil.which("fixit", path=str(here))
    if fixit:
        found.append(Server("fixit lsp", [fixit, "lsp"]))
    return found


class RawClient:
    """A bare JSON-RPC client over a server's stdin and stdout, the same for every server (pygls's
    client cannot read the capabilities ruff announces). It answers the server's requests with
    null and hands each `publishDiagnostics` to `on_publish` with the time it arrived."""

    def __init__(self, process: asyncio.subprocess.Process, on_publish: Callable[[dict[str, Any], float], None]):
        self.process = process
        self.on_publish = on_publish
        self.replies: dict[int, asyncio.Future[Any]] = {}
        self.next_id = 0
        self.reader = asyncio.ensure_future(self._read())

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    async def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.replies[self.next_id] = future
        self._send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return await asyncio.wait_for(future, 120)

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while (line := await stream.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not line:
                return
            message = json.loads(await stream.readexactly(length))
            arrived = time.perf_counter()
            if "id" in message and "method" in message:  # a request of the server's
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif "id" in message:
                future = self.replies.pop(message["id"], None)
                if future is not None and not future.done():
                    future.set_result(message.get("result"))
            elif message.get("method") == "textDocument/publishDiagnostics":
                self.on_publish(message["params"], arrived)

    async def close(self) -> None:
        await self.request("shutdown", None)
        self.notify("exit", None)
        await asyncio.wait_for(self.process.wait(), 30)
        self.reader.cancel()


def rss_kib(pid: int) -> int:
    """The resident set of a process, from /proc (0 where there is none)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


async def session(case: Case, server: Server, folder: Path, edits: int, warmup: int, into: Measurement) -> None:
    """One server process: start, initialize, open user.py, then `warmup + edits` changes (with
    none: a start, timed into `to_first`, or into `to_first_cached` when that one is behind)."""
    uri = (folder / "user.py").as_uri()
    waiting: dict[str, tuple[int, asyncio.Future[float]]] = {}

    def published(params: dict[str, Any], arrived: float) -> None:
        waited = waiting.get(params["uri"])
        # A server that gives no version counts with its first publication after the change.
        version = params.get("version")
        if waited is not None and (version is None or version >= waited[0]):
            del waiting[params["uri"]]
            if not waited[1].done():
                waited[1].set_result(arrived)

    def publication(version: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        waiting[uri] = (version, future)
        return future

    environment = {**os.environ, "PYTHONPATH": str(server.repository)}
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *server.command, stdin=PIPE, stdout=PIPE, stderr=DEVNULL, env=environment, cwd=str(folder)
    )
    client = RawClient(process, published)
    await client.request(
        "initialize",
        {"processId": os.getpid(), "rootUri": folder.as_uri(), "capabilities": {}, "workspaceFolders": None},
    )
    client.notify("initialized", {})
    initialized = time.perf_counter() - started
    text = case.files["user.py"]
    first_published = publication(1)
    client.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}
    )
    first = await asyncio.wait_for(first_published, 120) - started
    if edits == 0:
        into.to_initialized.append(initialized)
        (into.to_first_cached if len(into.to_first_cached) < len(into.to_first) else into.to_first).append(first)
    line = case.edited_line
    original = text.splitlines()[line]
    old_length = len(original)
    for edit in range(warmup + edits):
        version = edit + 2
        new_line = f"{original}  # edit number {edit}"
        change = {"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": old_length}}}
        old_length = len(new_line)
        next_published = publication(version)
        sent = time.perf_counter()
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{**change, "text": new_line}]},
        )
        received = await asyncio.wait_for(next_published, 120)
        if edit >= warmup:
            into.latencies.append(received - sent)
        if edit == warmup:
            into.rss_first.append(rss_kib(process.pid))
    if edits:
        into.rss_last.append(rss_kib(process.pid))
    await client.close()


async def measure(case: Case, server: Server, into: Measurement, edits: int, warmup: int) -> None:
    """Two starts on a fresh folder and cache (the second may answer from the cache), then the edits."""
    folder = Path(tempfile.mkdtemp(prefix="cflint-lsp-bench-"))
    cache = Path(tempfile.mkdtemp(prefix="cflint-lsp-bench-cache-"))
    os.environ["CFLINT_CACHE_DIR"] = str(cache)
    try:
        for name, text in case.files.items():
            (folder / name).write_text(text, encoding="utf-8")
        for _ in range(2):
            await session(case, server, folder, 0, 0, into)
        await session(case, server, folder, edits, warmup, into)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)


def import_floor(runs: int) -> float:
    """The median seconds of `python -c "import libcst, pygls"`."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import libcst, pygls"], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def render(measurements: list[Measurement], edits: int, floor: float) -> str:
    rows = [
        f"Language servers, {edits} edits per row and round "
        f"(Python {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}); "
        f'floor `python -c "import libcst, pygls"`: {floor * 1000:.0f} ms',
        "",
        "| Input | Lines | Server | Start -> initialized | Start -> first diagnostics | (cached) | x floor "
        "| Edit median | p90 | Min | RSS first -> last edit |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for m in measurements:
        ms = [value * 1000 for value in m.latencies]
        first = statistics.median(m.to_first)
        cached = statistics.median(m.to_first_cached)
        rss = f"{statistics.median(m.rss_first) / 1024:.0f} -> {statistics.median(m.rss_last) / 1024:.0f} MiB"
        rows.append(
            f"| {m.case.name} | {m.lines} | {m.server.name} | {statistics.median(m.to_initialized) * 1000:.0f} ms "
            f"| {first * 1000:.0f} ms | {cached * 1000:.0f} ms | {min(first, cached) / floor:.2f} "
            f"| {statistics.median(ms):.1f} ms | {percentile(ms, 0.9):.1f} ms | {min(ms):.1f} ms | {rss} |"
        )
    return "\n".join(rows) + "\n"


async def run(edits: int, warmup: int, rounds: int, only: str | None) -> list[Measurement]:
    chosen = [case for case in cases() if only is None or only in case.name]
    measurements = []
    for case in chosen:
        row = {server.name: Measurement(case, server, case.files["user.py"].count("\n")) for server in servers()}
        for _ in range(rounds):
            for server in servers():  # the servers take turns, so the machine's load falls on each alike
                await measure(case, server, row[server.name], edits, warmup)
        measurements.extend(row.values())
    return measurements


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=40, help="measured edits per input (default: 40)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured edits first (default: 5)")
    parser.add_argument("--rounds", type=int, default=1, help="turns of every server per input (default: 1)")
    parser.add_argument("--only", help="only the inputs whose name holds this text")
    args = parser.parse_args(argv)
    floor = import_floor(5)
    measurements = asyncio.run(run(args.edits, args.warmup, args.rounds, args.only))
    sys.stdout.write(render(measurements, args.edits, floor))
    return 0


if __name__ == "__main__":
    sys.exit(main())
