"""The progress bars every long-running command shows on standard error.

Every bar of ``ledger`` is built here, so they all look alike: a bold label, the
bar, "done/total", what is counted, the time elapsed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)


class Bar:
    """One counted task: ``advance`` by a number done, or ``reach`` a total done so far."""

    def __init__(self, progress: Progress, total: int | None, stage: str = "") -> None:
        self._progress = progress
        self._task = progress.add_task(stage, total=total)
        self._started = time.monotonic()

    def advance(self, done: int) -> None:
        self._progress.advance(self._task, done)

    def reach(self, done: int, stage: str | None = None) -> None:
        """Show ``done`` so far, and the stage now under way if it is given."""
        if stage is None:
            self._progress.update(self._task, completed=done)
        else:
            self._progress.update(self._task, completed=done, description=stage)

    def finish(self) -> None:
        """Show the bar full at what it reached: the total was only an estimate."""
        done = next(t.completed for t in self._progress.tasks if t.id == self._task)
        self._progress.update(self._task, total=done, completed=done)

    @property
    def elapsed(self) -> float:
        """Seconds since the bar began, never zero (it divides rates)."""
        return max(time.monotonic() - self._started, 1e-9)


class Stages:
    """One bar per stage, labelled with the stage; a new stage shows the last one finished.

    It is what ``ledger.importing.import_files`` reports its progress to.
    """

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._bar: Bar | None = None

    def start(self, stage: str, total: int | None) -> None:
        self.finish()
        self._bar = Bar(self._progress, total, stage)

    def advance(self, count: int = 1) -> None:
        if self._bar is not None:
            self._bar.advance(count)

    def reach(self, done: int, stage: str | None = None) -> None:
        """The stage under way shows ``done`` so far (and is renamed ``stage`` if given)."""
        if self._bar is not None:
            self._bar.reach(done, stage)

    def finish(self) -> None:
        """The stage under way shows full at what it reached."""
        if self._bar is not None:
            self._bar.finish()


def _bars(
    console: Console, label: str, counted: str | None, *, transient: bool = False
) -> Progress:
    columns: list[ProgressColumn] = [TextColumn(label), BarColumn(), MofNCompleteColumn()]
    if counted is not None:
        columns.append(TextColumn(counted))
    columns.append(TimeElapsedColumn())
    return Progress(*columns, console=console, transient=transient)


@contextmanager
def counting(
    console: Console, doing: str, counted: str, total: int, *, transient: bool = False
) -> Iterator[Bar]:
    """A bar "doing ━━━ n/total counted 0:00:12" for the ``with`` block."""
    with _bars(console, f"[bold]{doing}", counted, transient=transient) as progress:
        yield Bar(progress, total)


@contextmanager
def in_stages(console: Console, *, width: int, counted: str | None = None) -> Iterator[Stages]:
    """Bars "stage ━━━ n/total [counted] 0:00:12", the stage's name padded to ``width``."""
    with _bars(console, f"[bold]{{task.description:<{width}}}", counted) as progress:
        yield Stages(progress)
