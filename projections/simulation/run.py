"""Running a simulation over the event store: one id range per process (forked, or from a
fork server), differing workers spooled through pickle files, the sums merged."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.unit import Unit
from domain.worker import Worker
from ledger.application import Ledger
from projections import stream
from projections.processes import in_processes
from projections.simulation import career_facts, setwise
from projections.simulation.comparison import Comparison
from projections.simulation.draft import Draft, draft_schedule, pay_only
from projections.simulation.moment import moment
from projections.simulation.moment import ready as moment_ready
from projections.simulation.results import Sums, WorkerDifference
from projections.simulation.scope import subtree
from projections.sql import ReadStore, Transaction

PROGRESS_EVENTS = 5_000  # events read between two progress messages of a process
SPOOL_BATCH = 200  # differing workers pickled at once


@dataclass(frozen=True)
class _Progress:
    events: int


@dataclass(frozen=True)
class _Done:
    events: int
    index: int
    kept: list[WorkerDifference]
    sums: Sums


@dataclass
class Outcome:
    """The answer: sums over the window, and the differing workers (a page, or all)."""

    comparison: Comparison
    sums: Sums
    items: list[WorkerDifference]
    next_cursor: str | None
    spool: list[Path]
    events_read: int
    # Priced set-wise from the stored careers (a pay-only draft): every differing worker
    # is worked out when asked for, from the stored stretches spooled with the sums.
    later: Callable[[], Iterator[WorkerDifference]] | None = None
    setwise: bool = False
    # The careers were read from ``rm_career_facts``, not replayed from the events.
    career_facts: bool = False

    def workers(self) -> Iterator[WorkerDifference]:
        """Every differing worker in id order, from the spool files (all-workers mode)."""
        if self.later is not None:
            yield from self.later()
            return
        for path in self.spool:
            with path.open("rb") as spool:
                while True:
                    try:
                        yield from pickle.load(spool)  # noqa: S301 - our own spool file
                    except EOFError:
                        break


def simulate(
    ledger: Ledger,
    draft: Draft,
    from_month: str,
    to_month: str,
    *,
    unit_id: UUID | None = None,
    scope: frozenset[str] | None = None,
    after: str | None = None,
    limit: int | None = None,
    spool_dir: Path | None = None,
    processes: int = 1,
    fork: bool = True,
    progress: Callable[[int], None] | None = None,
    store: ReadStore | None = None,
) -> Outcome:
    """Compare every worker (in ``unit_id``'s subtree) under the adopted and the draft
    schedule from ``from_month`` to ``to_month`` (``YYYY-MM``, both included). ``scope``:
    the subtree's unit ids, when the caller has found them already.

    With ``limit``, ``items`` holds the first ``limit`` differing workers after the
    worker id ``after``, in id order, and ``next_cursor`` the last of them when more
    follow. Without, every differing worker is written to spool files in ``spool_dir``
    and read back with :meth:`Outcome.workers`. ``progress`` hears of the events read.

    ``processes`` > 1 splits the aggregate ids into ranges, one process each; they are
    forked from this one, or (``fork=False``, for a threaded server, where forking is
    unsafe) from a clean fork server, opening the store again from its settings.

    With ``store`` (the read models), a draft that changes pay alone is priced set-wise
    from the stored careers (``setwise``) when the read models hold every event: the
    same answer, without replaying the history. Any other draft then reads each worker's
    recorded facts from ``rm_career_facts`` and the units from the read models
    (``career_facts``) instead of decoding the events: the same answer again.
    """
    adopted = ledger.schedule()
    if scope is None and unit_id is not None:
        scope = subtree(ledger, unit_id)
    comparison = Comparison(
        adopted, draft_schedule(adopted, draft.policy, draft.effective), from_month, to_month, scope
    )
    if limit is None and spool_dir is None:
        raise ValueError("every differing worker is wanted: give a spool folder")
    streaming = stream.supported(ledger)
    if not streaming:
        processes = 1
    total = Sums(comparison.last_month - comparison.first_month + 1)
    read = 0
    from_facts = False
    if store is None:
        head = ledger.recorder.max_notification_id() or 0
    else:
        # The head and everything read here of the read models, in one snapshot: the
        # answer is about that one moment (``moment``), whatever is recorded meanwhile.
        with moment(ledger, store) as (tx, head):
            at_head = moment_ready(tx, head)
            if at_head and pay_only(adopted, comparison.draft):
                return _priced_setwise(comparison, tx, after, limit, spool_dir)
            # The careers are read from the events' own database (the read models live
            # there too), over each process's own connection, up to the head; the
            # in-memory store's read models cannot be.
            from_facts = at_head and streaming
            if from_facts:
                read = _units_from_read_models(comparison, tx, total)
    if progress and read:
        progress(read)

    work = _RangeWork(ledger, comparison, head, streaming, after, limit, spool_dir, from_facts)
    pages: dict[int, list[WorkerDifference]] = {}
    method = "forkserver" if processes > 1 and not fork else "fork"
    with closing(in_processes(work, processes, name="simulation", method=method)) as messages:
        for message in messages:
            read += message.events
            if progress and message.events:
                progress(message.events)
            if isinstance(message, _Done):
                total.merge(message.sums)
                pages[message.index] = message.kept
    items = [found for index in sorted(pages) for found in pages[index]]
    next_cursor = None
    if limit is not None and len(items) > limit:
        items = items[:limit]
        next_cursor = items[-1].worker_id if items else None
    spool = sorted(spool_dir.glob("*.pickle")) if spool_dir else []
    return Outcome(comparison, total, items, next_cursor, spool, read, career_facts=from_facts)


def _units_from_read_models(comparison: Comparison, tx: Transaction, sums: Sums) -> int:
    """Every unit's information into ``sums``, as ``Comparison.unit`` finds it in the
    events (read models at the head: ``moment.ready``); answers how many unit events the
    read models stand for."""
    setwise.unit_infos(tx, comparison, sums)
    found = tx.query("SELECT COALESCE(SUM(version), 0) FROM rm_units")
    return int(found[0][0])


def _priced_setwise(
    comparison: Comparison,
    tx: Transaction,
    after: str | None,
    limit: int | None,
    spool_dir: Path | None,
) -> Outcome:
    """Every read in ``tx``, the snapshot the head was read in."""
    pricing = setwise.SetwisePricing(comparison, tx.dialect)
    sums, differing = pricing.sums(tx, after, limit)
    if limit is None:
        assert spool_dir is not None
        spooled = pricing.spool(tx, differing, spool_dir)
        return Outcome(
            comparison, sums, [], None, [], 0, lambda: pricing.every_difference(spooled), True
        )
    # One more than a page tells whether another page follows.
    items = pricing.differences(tx, differing)
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = items[-1].worker_id if items else None
    return Outcome(comparison, sums, items, next_cursor, [], 0, setwise=True)


class _RangeWork:
    """One id range's share of a simulation: picklable, for processes started by a fork
    server, which open the store again from its settings instead of inheriting it."""

    def __init__(
        self,
        ledger: Ledger,
        comparison: Comparison,
        head: int,
        streaming: bool,
        after: str | None,
        limit: int | None,
        spool_dir: Path | None,
        from_facts: bool = False,
    ) -> None:
        """``from_facts``: the workers from ``rm_career_facts`` (the units are the
        caller's), not the events."""
        self.ledger: Ledger | None = ledger
        # A process started by the fork server only decodes events (it reads them over its
        # own connection): one pooled connection, and no tables to create.
        self.env = {
            **ledger.env,
            "POSTGRES_POOL_SIZE": "1",
            "POSTGRES_MAX_OVERFLOW": "0",
            "CREATE_TABLE": "n",
        }
        self.comparison = comparison
        self.head = head
        self.streaming = streaming
        self.after = after
        self.limit = limit
        self.spool_dir = spool_dir
        self.from_facts = from_facts

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "ledger": None}

    def _source(
        self, ledger: Ledger, lo: UUID | None, hi: UUID | None
    ) -> Iterator[tuple[int, Any]]:
        """(events read, a unit, a worker or a worker's (id, name, facts), or None)."""
        if self.from_facts:
            for career in career_facts.careers(ledger.env, lo, hi, self.head):
                yield len(career[2]), career  # one event recorded each fact
            return
        events_source = (
            stream.aggregates(ledger, self.head, lo, hi)
            if self.streaming
            else _all(ledger, self.head)
        )
        for events_read, events in events_source:
            yield events_read, stream.reconstruct(events) if events else None

    def __call__(self, index: int, lo: UUID | None, hi: UUID | None) -> Iterator[_Progress | _Done]:
        ledger = self.ledger or Ledger(env=self.env)
        comparison, after, limit = self.comparison, self.after, self.limit
        sums = Sums(comparison.last_month - comparison.first_month + 1)
        kept: list[WorkerDifference] = []
        spool = (self.spool_dir / f"{index:04d}.pickle").open("wb") if self.spool_dir else None
        read = 0
        try:
            for events_read, item in self._source(ledger, lo, hi):
                read += events_read
                found = None
                if isinstance(item, tuple):
                    worker_id, name, facts = item
                    found = comparison.career(worker_id, name, facts, sums)
                elif isinstance(item, Unit):
                    comparison.unit(item, sums)
                elif isinstance(item, Worker):
                    found = comparison.worker(item, sums)
                if found:
                    # One more than a page tells whether another page follows.
                    wanted = limit is None or len(kept) <= limit
                    if wanted and (after is None or found.worker_id > after):
                        kept.append(found)
                if spool and len(kept) >= SPOOL_BATCH:
                    pickle.dump(kept, spool)
                    kept = []
                if read >= PROGRESS_EVENTS:
                    yield _Progress(read)
                    read = 0
            if spool:
                pickle.dump(kept, spool)
                kept = []
        finally:
            if spool:
                spool.close()
            if ledger is not self.ledger:
                ledger.close()
        yield _Done(read, index, kept, sums)


def spool_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="ledger-simulation-")


def _all(ledger: Ledger, head: int) -> Iterator[tuple[int, list[Any]]]:
    """The in-memory store has no events table to stream: its aggregates, by id (tests)."""
    by_id: dict[UUID, list[Any]] = {}
    position = 0
    while position < head:
        batch = ledger.recorder.select_notifications(position + 1, 1000, stop=head)
        if not batch:
            break
        for notification in batch:
            if notification.topic.startswith(stream.TOPICS):
                event = ledger.mapper.to_domain_event(notification)
                by_id.setdefault(event.originator_id, []).append(event)
        position = batch[-1].id
    yield head - sum(len(e) for e in by_id.values()), []
    for aggregate_id in sorted(by_id):
        yield len(by_id[aggregate_id]), by_id[aggregate_id]
