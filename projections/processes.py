"""Work split over aggregate id ranges, one child process per range, its messages
streamed back to the parent as they come (the fast rebuild and the simulation)."""

from __future__ import annotations

import multiprocessing
import queue as queues
from collections.abc import Callable, Generator, Iterable
from typing import Any
from uuid import UUID

RangeWork = Callable[[int, UUID | None, UUID | None], Iterable[Any]]
# How often the parent, waiting for messages, looks whether a child died without a word.
LIVENESS_SECONDS = 0.5


def id_ranges(processes: int) -> list[tuple[UUID | None, UUID | None]]:
    """The aggregate ids in ``processes`` ranges, from ``lo`` up to ``hi`` (None: no end)."""
    bounds = [UUID(int=(1 << 128) * n // processes) for n in range(processes)]
    return list(zip(bounds, [*bounds[1:], None], strict=True))


def in_processes(
    work: RangeWork, processes: int, *, name: str = "rebuild", method: str = "fork"
) -> Generator[Any, None, None]:
    """What ``work(index, lo, hi)`` yields for each id range, as it comes, one child
    process per range (what it yields must pickle). One process: the work runs here, on
    every id. Closing the generator stops the children.

    ``method="forkserver"`` starts the children from a clean single-threaded server
    instead of forking this process (unsafe in a threaded server): ``work`` must then
    pickle, and open what it needs itself.
    """
    if processes == 1:
        yield from work(0, None, None)
        return
    # Forked children inherit the ledger's mapper and the schedule, and open their own
    # connections: a connection inherited from this process must never be used there.
    context: Any = multiprocessing.get_context(method)
    if method == "forkserver":
        # The server imports the work's module once; each process forked from it starts warm.
        context.set_forkserver_preload(["__main__", type(work).__module__])
    queue: Any = context.Queue(maxsize=4 * processes)
    children = [
        context.Process(target=_child, args=(work, index, lo, hi, queue), daemon=True)
        for index, (lo, hi) in enumerate(id_ranges(processes))
    ]
    for child in children:
        child.start()
    try:
        running = len(children)
        while running:
            try:
                message = queue.get(timeout=LIVENESS_SECONDS)
            except queues.Empty:
                _check_alive(children, name)
                continue
            if message is None:
                running -= 1
            elif isinstance(message, _Failed):
                raise RuntimeError(f"a {name} process failed: {message.error}")
            else:
                yield message
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()


def _check_alive(children: list[Any], name: str) -> None:
    """A child killed (the OOM killer, a signal) or failing before its work began (its
    work could not be unpickled) sends nothing: the parent must not wait for it forever.
    A child that ends normally has sent its last message (and ``None``) first."""
    for child in children:
        if child.exitcode not in (None, 0):
            raise RuntimeError(
                f"a {name} process ended without its answer (exit code {child.exitcode})"
            )


class _Failed:
    def __init__(self, error: str) -> None:
        self.error = error


def _child(work: RangeWork, index: int, lo: UUID | None, hi: UUID | None, queue: Any) -> None:
    try:
        for message in work(index, lo, hi):
            queue.put(message)
    except BaseException as error:  # the parent must hear of it, or it waits forever
        queue.put(_Failed(f"{type(error).__name__}: {error}"))
        return
    queue.put(None)
