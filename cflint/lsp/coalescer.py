"""At most one lint per document at a time, and never a queue of stale ones."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


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

    async def idle(self, key: str) -> None:
        """Wait until `key` has no job running nor asked for."""
        while (task := self._running.get(key)) is not None:
            await asyncio.shield(task)

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
