"""A progress bar on a terminal's stderr, shown only once a run has taken about a second."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

SHOW_AFTER_SECONDS = 1.0


class TerminalProgress:
    """Counts files as they are linted; draws a transient rich bar after SHOW_AFTER_SECONDS."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._started = 0.0
        self._total = 0
        self._done = 0
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    @property
    def shown(self) -> bool:
        return self._bar is not None

    def start(self, total: int) -> None:
        self._started = self._clock()
        self._total = total
        self._done = 0

    def advance(self) -> None:
        self._done += 1
        if self._bar is None and self._done < self._total and self._clock() - self._started >= SHOW_AFTER_SECONDS:
            self._show()
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=self._done)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(file=self._stream, force_terminal=True)
        self._bar = Progress(
            TextColumn("linting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._bar.add_task("lint", total=self._total, completed=self._done)
        self._bar.start()
