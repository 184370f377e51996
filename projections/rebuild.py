"""The fast rebuild: every read model again from the events table, in one pass.

The incremental projector follows the notification log and loads each touched
aggregate through the repository, once per batch: right for a few new events,
but a full rebuild that way reads every aggregate's events many times. Here
the events table is read once, in primary-key order (originator id, version),
so each aggregate's events arrive together: it is reconstructed once, every
registered read model derives its rows, and the rows are written in large
batches (COPY on PostgreSQL, executemany on SQLite).

Everything happens in one transaction on the read store: the tables are
emptied (on PostgreSQL: fresh tables are filled, indexed, and swapped in for the
old ones), refilled and the position set to the head read at the start, so
readers see the old tables until the new ones commit, and a rebuild that fails
half-way leaves them as they were. Memory holds one aggregate and one batch
of rows at a time, whatever the size of the history.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from typing import Any
from uuid import UUID

from domain.policy import PolicySchedule
from domain.worker import Worker
from ledger.application import Ledger
from projections import schema
from projections.models import MODELS
from projections.processes import in_processes
from projections.sql import ReadStore, Transaction
from projections.stream import aggregates, reconstruct
from projections.tables import Rows, Table

BATCH_ROWS = 5_000  # read-model rows a child sends at once
FLUSH_ROWS = 50_000  # read-model rows buffered before they are written

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
    child processes; this process only writes, so everything still commits in
    one transaction. ``after_batch`` runs after each batch is buffered (tests
    use it to fail half-way).
    """
    head = ledger.recorder.max_notification_id() or 0
    processes = processes or os.cpu_count() or 1
    read = 0
    with store.transaction() as tx:
        schema.lock_position(tx, position_name)  # incremental projectors wait for the swap
        fresh = store.dialect == "postgres"
        if fresh:
            schema.fresh(tx)
        else:
            schema.clear(tx)
        writer = Writer(tx, suffix=schema.FRESH if fresh else "")
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
        if fresh:
            schema.swap(tx)
        schema.move_position(tx, position_name, head)
    if store.dialect == "postgres":
        # Fresh tables have stale statistics: without this a roster page scans the table.
        with store.transaction() as tx:
            for table in schema.all_tables():
                tx.execute(f"ANALYZE {table.name}")
    return read


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
    rows: Rows = {}
    buffered = read = 0
    for events_read, events in aggregates(ledger, head, lo, hi):
        read += events_read
        if events:
            aggregate = reconstruct(events)
            kind = "worker" if isinstance(aggregate, Worker) else "unit"
            for model in models[kind]:
                for name, found in model.rows(aggregate, schedule, events).items():
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
            self.tx.copy(table.name + self.suffix, table.column_names, rows)
            return
        assert not self.suffix, "fresh tables are PostgreSQL's"
        self.tx.executemany(table.insert, rows)
