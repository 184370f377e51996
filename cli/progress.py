"""The progress bar every long-running command shows on standard error."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class Bar:
    """One counted task: ``advance`` by a number done, or ``reach`` a total done so far."""

    def __init__(self, progress: Progress, total: int) -> None:
        self._progress = progress
        self._task = progress.add_task("", total=total)
        self._started = time.monotonic()

    def advance(self, done: int) -> None:
        self._progress.advance(self._task, done)

    def reach(self, done: int) -> None:
        self._progress.update(self._task, completed=done)

    @property
    def elapsed(self) -> float:
        """Seconds since the bar began, never zero (it divides rates)."""
        return max(time.monotonic() - self._started, 1e-9)


@contextmanager
def counting(
    console: Console, doing: str, counted: str, total: int, *, transient: bool = False
) -> Iterator[Bar]:
    """A bar "doing ━━━ n/total counted 0:00:12" for the ``with`` block."""
    columns = (
        TextColumn(f"[bold]{doing}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(counted),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=transient) as progress:
        yield Bar(progress, total)
