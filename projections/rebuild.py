"""The fast rebuild: every read model again from the events table, in one pass.

The incremental projector follows the notification log and loads each touched
aggregate through the repository, once per batch: right for a few new events,
but a full rebuild that way reads every aggregate's events many times. Here
the events table is read once, in primary-key order (originator id, version),
so each aggregate's events arrive together: it is reconstructed once, every
registered read model derives its rows, and the rows are written in large
batches (COPY on PostgreSQL, executemany on SQLite).

On PostgreSQL each child process COPYs its rows into fresh, unindexed tables over a
connection of its own; the parent, holding the position's lock from the start (the
head is read once it holds it), then indexes them, swaps them in for the live tables
and sets the position to that head, in one transaction. Readers see the old tables
until that commits, and a rebuild that fails half-way leaves them as they were (and
drops its fresh tables). Incremental projectors wait for the commit, then go on from
the head: the position never moves back, so a read that has seen a write keeps
seeing it. On SQLite everything happens in one transaction, the tables emptied and
refilled.

Memory holds one aggregate and one batch of rows per process, whatever the size of
the history.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from contextlib import closing, suppress
from typing import Any
from uuid import UUID

from domain.policy import PolicySchedule
from domain.worker import Worker
from ledger.application import Ledger
from projections import schema
from projections.models import MODELS
from projections.processes import in_processes
from projections.sql import ReadStore, Transaction
from projections.stream import reconstruct, recorded
from projections.tables import Rows, Table, with_positions

BATCH_ROWS = 5_000  # read-model rows derived before a child reports progress or sends them
FLUSH_ROWS = 50_000  # read-model rows buffered before they are written

# Any fixed number: one PostgreSQL rebuild at a time, as they share the fresh tables' names.
_REBUILD_LOCK = 0x72656275696C64

Row = tuple[Any, ...]


def rebuild(
    ledger: Ledger,
    store: ReadStore,
    *,
    position_name: str,
    progress: Callable[[int], None] | None = None,
    after_batch: Callable[[], None] | None = None,
    processes: int | None = None,
) -> int:
    """Rebuild every read model; answers how many events were read.

    Deriving the rows dominates (the models replay each timeline), so the
    aggregate ids are split into ranges, one per core, read and derived by
    child processes. ``after_batch`` runs after each batch the parent hears of
    (tests use it to fail half-way, or to project beside the rebuild).
    """
    processes = processes or os.cpu_count() or 1
    if store.dialect == "postgres":
        with store.session_lock(_REBUILD_LOCK):
            return _swapped_in(ledger, store, position_name, progress, after_batch, processes)
    read = 0
    with store.transaction() as tx:
        schema.lock_position(tx, position_name)  # incremental projectors wait for the commit
        head = _head(ledger)
        schema.clear(tx)
        writer = Writer(tx)
        # Closed at once on failure, so the children stop before the rollback.
        with closing(derived_rows(ledger, ledger.schedule(), head, processes)) as batches:
            for events_read, rows in batches:
                read += events_read
                writer.add(rows)
                if after_batch:
                    after_batch()
                if progress and events_read:
                    progress(events_read)
        writer.flush()
        schema.move_position(tx, position_name, head)
        schema.mark_complete(tx)
    return read


def _head(ledger: Ledger) -> int:
    """The last event to rebuild from, read once the position is locked: a projector
    can then not have gone past it, so the position the rebuild commits never moves
    back (a reader that has seen its write keeps seeing it)."""
    return ledger.recorder.max_notification_id() or 0


def _swapped_in(
    ledger: Ledger,
    store: ReadStore,
    position_name: str,
    progress: Callable[[int], None] | None,
    after_batch: Callable[[], None] | None,
    processes: int,
) -> int:
    """PostgreSQL's rebuild: fresh tables, committed so that the children can fill them
    over their own connections, then indexed and swapped in by this process.

    The children write their rows themselves: sending them to this process (pickled
    through a queue) and COPYing them from here made this one process the bottleneck,
    a third of the children's CPU spent pickling and its own formatting every row."""
    with store.transaction() as tx:
        schema.fresh(tx)
    read = 0
    try:
        # Incremental projectors wait from here to the commit, as they always have: one
        # that moved the live tables past the head meanwhile would see the swap take its
        # rows away and the position back, and a read that had seen its write would then
        # miss it until the next batch. Readers still read the live tables throughout.
        with store.transaction() as tx:
            schema.lock_position(tx, position_name)
            head = _head(ledger)
            schedule = ledger.schedule()
            copied = in_processes(
                lambda _, lo, hi: _copy(ledger, store, schedule, head, lo, hi), processes
            )
            with closing(copied) as counts:  # closed at once on failure: the children stop
                for events_read in counts:
                    read += events_read
                    if after_batch:
                        after_batch()
                    if progress and events_read:
                        progress(events_read)
            schema.index_fresh(tx)
            schema.swap(tx)
            schema.move_position(tx, position_name, head)
            schema.mark_complete(tx)
    except BaseException:
        # The fresh tables were committed; the live ones are untouched. Should the database
        # be gone too, the next rebuild drops them first: the original error matters here.
        with suppress(Exception), store.transaction() as tx:
            schema.drop_fresh(tx)
        raise
    return read


def _copy(
    ledger: Ledger,
    store: ReadStore,
    schedule: PolicySchedule,
    head: int,
    lo: UUID | None,
    hi: UUID | None,
) -> Iterator[int]:
    """One id range's rows COPYed into the fresh tables over this process's own
    connection, committed once all are written; yields the events read, as it goes."""
    with store.own_transaction() as tx:
        writer = Writer(tx, suffix=schema.FRESH)
        for events_read, rows in _derive(ledger, schedule, head, lo, hi):
            writer.add(rows)
            yield events_read
        writer.flush()


def derived_rows(
    ledger: Ledger, schedule: PolicySchedule, head: int, processes: int
) -> Generator[tuple[int, Rows], None, None]:
    """Batches of (events read, rows per table) up to ``head``, from every id range, each
    derived in its own process (close the generator to stop them); for the rebuild and
    the projector's re-derivation after a policy adoption, both written by ``Writer``."""
    return in_processes(lambda _, lo, hi: _derive(ledger, schedule, head, lo, hi), processes)


def _derive(
    ledger: Ledger, schedule: PolicySchedule, head: int, lo: UUID | None, hi: UUID | None
) -> Iterator[tuple[int, Rows]]:
    models = {
        kind: [model for model in MODELS if model.kind == kind] for kind in ("worker", "unit")
    }
    # The tables whose rows carry their event's notification id (``tables.with_positions``).
    positioned = {t.name: t for m in MODELS for t in m.tables if t.position_column is not None}
    rows: Rows = {}
    buffered = read = 0
    for events_read, events, positions in recorded(ledger, head, lo, hi):
        read += events_read
        if events:
            aggregate = reconstruct(events)
            kind = "worker" if isinstance(aggregate, Worker) else "unit"
            for model in models[kind]:
                for name, found in model.rows(aggregate, schedule, events).items():
                    if name in positioned:
                        found = with_positions(positioned[name], found, positions)
                    rows.setdefault(name, []).extend(found)
                    buffered += len(found)
        if buffered >= BATCH_ROWS:
            yield read, rows
            rows, buffered, read = {}, 0, 0
    yield read, rows


# -- writing ------------------------------------------------------------------------------
class Writer:
    """Buffers every read model's rows per table and writes them in large batches
    (COPY on PostgreSQL, executemany on SQLite), in the caller's transaction."""

    def __init__(self, tx: Transaction, suffix: str = "") -> None:
        """``suffix``: rows go to the tables of that name's suffix (the fresh ones)."""
        self.tx = tx
        self.suffix = suffix
        self.tables: dict[str, Table] = {t.name: t for model in MODELS for t in model.tables}
        self.buffer: dict[str, list[Row]] = {name: [] for name in self.tables}
        self.buffered = 0

    def add(self, rows: Rows) -> None:
        for name, found in rows.items():
            self.buffer[name].extend(found)
            self.buffered += len(found)
        if self.buffered >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        for name, rows in self.buffer.items():
            if rows:
                self._write(self.tables[name], rows)
                rows.clear()
        self.buffered = 0

    def _write(self, table: Table, rows: list[Row]) -> None:
        if self.tx.dialect == "postgres":
            self.tx.copy(table.name + self.suffix, table.column_names, rows, table.column_types)
            return
        assert not self.suffix, "fresh tables are PostgreSQL's"
        self.tx.executemany(table.insert, rows)
