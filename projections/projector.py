"""The projector: follows the event log in order and keeps the read models in step.

Each batch of notifications is read, the aggregates they touch are derived
again in full, and their rows are replaced together with the new position in
one transaction. Rows are a function of an aggregate's whole history, so a
batch applied twice (after a crash between reading and committing, say)
writes the same rows: nothing is lost and nothing is counted twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from domain.unit import Unit
from domain.worker import Worker
from ledger.application import Ledger
from projections import rows, schema
from projections.sql import ReadStore, Transaction

NAME = "ledger"
WORKER_TOPIC = "domain.worker:Worker."
UNIT_TOPIC = "domain.unit:Unit."


@dataclass(frozen=True)
class Status:
    position: int
    head: int
    lag_events: int
    lag_seconds: float


class Projector:
    def __init__(self, ledger: Ledger, store: ReadStore, *, batch_size: int = 2000) -> None:
        self.ledger = ledger
        self.store = store
        self.batch_size = batch_size
        with store.transaction() as tx:
            schema.create(tx)

    # -- position ------------------------------------------------------------------
    def position(self, tx: Transaction | None = None) -> int:
        statement = "SELECT position FROM rm_position WHERE projection = %s"
        found = tx.query(statement, (NAME,)) if tx else self.store.query(statement, (NAME,))
        return int(found[0][0]) if found else 0

    def status(self) -> Status:
        position = self.position()
        head = self.ledger.recorder.max_notification_id() or 0
        lag_seconds = 0.0
        if head > position:
            oldest = self.ledger.recorder.select_notifications(position + 1, 1)
            if oldest:
                event: Any = self.ledger.mapper.to_domain_event(oldest[0])
                lag_seconds = (datetime.now(UTC) - event.timestamp).total_seconds()
        return Status(position, head, head - position, max(lag_seconds, 0.0))

    # -- running -----------------------------------------------------------------------
    def run_once(self) -> int:
        """Project the next batch; answers how many notifications it covered."""
        with self.store.transaction() as tx:
            position = self.position(tx)
            batch = self.ledger.recorder.select_notifications(position + 1, self.batch_size)
            if not batch:
                return 0
            self._project(tx, batch)
            self._move_to(tx, batch[-1].id)
        return len(batch)

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        total = 0
        while done := self.run_once():
            total += done
            if progress:
                progress(done)
        return total

    def wait_for(self, position: int, timeout: float = 5.0) -> bool:
        """Read-your-writes: catch up until ``position`` is projected, within a bound."""
        import time

        deadline = time.monotonic() + timeout
        while self.position() < position:
            if not self.run_once() and time.monotonic() > deadline:
                return False
            if time.monotonic() > deadline:
                return False
        return True

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Empty the read models and project the whole log again, in one transaction,
        so readers see the old tables until the new ones are complete."""
        total = 0
        with self.store.transaction() as tx:
            schema.clear(tx)
            position = 0
            while batch := self.ledger.recorder.select_notifications(position + 1, self.batch_size):
                self._project(tx, batch)
                position = batch[-1].id
                total += len(batch)
                if progress:
                    progress(len(batch))
            self._move_to(tx, position)
        return total

    # -- projecting ------------------------------------------------------------------
    def _project(self, tx: Transaction, batch: Sequence[Notification]) -> None:
        workers: dict[UUID, list[Any]] = {}
        units: set[UUID] = set()
        for notification in batch:
            if notification.topic.startswith(WORKER_TOPIC):
                event = self.ledger.mapper.to_domain_event(notification)
                workers.setdefault(notification.originator_id, []).append(event)  # type: ignore[arg-type]
            elif notification.topic.startswith(UNIT_TOPIC):
                units.add(notification.originator_id)  # type: ignore[arg-type]
        schedule = self.ledger.schedule()
        for worker_id, events in workers.items():
            worker: Any = self.ledger.repository.get(worker_id)
            if not isinstance(worker, Worker):
                continue
            key = str(worker_id)
            tx.execute("DELETE FROM rm_worker_periods WHERE worker_id = %s", (key,))
            tx.executemany(
                "INSERT INTO rm_worker_periods VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows.period_rows(worker, schedule),
            )
            _upsert(tx, "rm_workers", ("worker_id",), rows.worker_row(worker))
            for row in rows.history_rows(key, events):
                _upsert(tx, "rm_worker_history", ("worker_id", "version"), row)
        for unit_id in units:
            unit: Any = self.ledger.repository.get(unit_id)
            if not isinstance(unit, Unit):
                continue
            _upsert(tx, "rm_units", ("unit_id",), rows.unit_row(unit))
            tx.execute("DELETE FROM rm_quota_approvals WHERE unit_id = %s", (str(unit_id),))
            tx.executemany(
                "INSERT INTO rm_quota_approvals VALUES (%s, %s, %s, %s, %s)",
                rows.approval_rows(unit),
            )

    def _move_to(self, tx: Transaction, position: int) -> None:
        _upsert(tx, "rm_position", ("projection",), (NAME, position, datetime.now(UTC).isoformat()))


_COLUMNS: dict[str, list[str]] = {}


def _upsert(tx: Transaction, table: str, key: Sequence[str], row: Sequence[Any]) -> None:
    columns = _COLUMNS.get(table)
    if columns is None:
        columns = _COLUMNS[table] = [
            line.strip().split()[0]
            for line in schema.TABLES[table].split(",\n")
            if not line.strip().startswith("PRIMARY KEY")
        ]
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    statement = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(row))}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
    )  # table and column names come from schema.TABLES, never from input
    tx.execute(statement, row)
