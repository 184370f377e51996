"""The projector: follows the event log in order and keeps the read models in step.

Each batch of notifications is read, the aggregates they touch are derived
again in full, and their rows are replaced together with the new position in
one transaction. Rows are a function of an aggregate's whole history, so a
batch applied twice (after a crash between reading and committing, say)
writes the same rows: nothing is lost and nothing is counted twice.

Rows also depend on the policy schedule (a grade clamped by a post's band, a
step due under ``step_years``), so a batch holding a policy adoption re-derives
every aggregate's rows under the new schedule, still in the batch's transaction
with its position (ADR 11).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

from domain.policy_book import PolicyBook
from domain.worker import Worker
from ledger.application import Ledger
from projections import rebuild as fast
from projections import schema, stream
from projections.models import MODELS
from projections.sql import ReadStore, Transaction, one_of
from projections.tables import Table, with_positions

NAME = "ledger"
POLICY_TOPIC = get_topic(PolicyBook) + "."  # any event of the policy book


@dataclass(frozen=True)
class Status:
    position: int
    head: int
    lag_events: int
    lag_seconds: float


class Projector:
    def __init__(
        self,
        ledger: Ledger,
        store: ReadStore,
        *,
        batch_size: int = 2000,
        rederive_processes: int = 1,
        cache_size: int = 20_000,
    ) -> None:
        """``rederive_processes``: how many processes re-derive every aggregate after a
        policy adoption (1 inside a threaded server, where forking is unsafe)."""
        self.ledger = ledger
        self.store = store
        self.batch_size = batch_size
        self.rederive_processes = rederive_processes
        self._aggregates = _Aggregates(ledger, cache_size)
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
            position = schema.lock_position(tx, NAME)
            batch = self.ledger.recorder.select_notifications(position + 1, self.batch_size)
            if not batch:
                return 0
            if position == 0:
                # From the first event on, every table as declared now gets every event's
                # rows. Never later: a table new since the last batch lacks the earlier ones.
                schema.mark_complete(tx)
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

    def rebuild(
        self, progress: Callable[[int], None] | None = None, *, processes: int | None = None
    ) -> int:
        """Empty the read models and project the whole log again, in one transaction,
        so readers see the old tables until the new ones are complete. ``processes``:
        how many to derive rows in (default one per core; 1 inside a threaded server,
        where forking is unsafe)."""
        if stream.supported(self.ledger):
            return fast.rebuild(
                self.ledger,
                self.store,
                position_name=NAME,
                progress=progress,
                processes=processes,
            )
        # The in-memory store has no events table to stream: follow the log instead.
        total = 0
        with self.store.transaction() as tx:
            schema.lock_position(tx, NAME)
            schema.clear(tx)
            position = 0
            while batch := self.ledger.recorder.select_notifications(position + 1, self.batch_size):
                self._project_touched(tx, batch)  # every aggregate, under today's schedule
                position = batch[-1].id
                total += len(batch)
                if progress:
                    progress(len(batch))
            self._move_to(tx, position)
            schema.mark_complete(tx)
        return total

    # -- projecting ------------------------------------------------------------------
    def _project(self, tx: Transaction, batch: Sequence[Notification]) -> None:
        if any(n.topic.startswith(POLICY_TOPIC) for n in batch):
            self._rederive_all(tx, batch[-1].id)
        else:
            self._project_touched(tx, batch)

    def _rederive_all(self, tx: Transaction, upto: int) -> None:
        """Every read model again from the events up to ``upto``, under the schedule as
        it is now: a new policy version changes rows of workers no event touched.

        Adoptions are rare (a few a year), so this costs a rebuild's time once each,
        in the caller's transaction: readers see the old rows until it commits, and a
        crash half-way leaves the rows and the position as they were.
        """
        schema.clear(tx)
        schema.mark_complete(tx)  # every table derived again from the first event
        if not stream.supported(self.ledger):
            # The in-memory store has no events table to stream: follow the log instead.
            position = 0
            while batch := self.ledger.recorder.select_notifications(
                position + 1, self.batch_size, stop=upto
            ):
                self._project_touched(tx, batch)
                position = batch[-1].id
            return
        writer = fast.Writer(tx)
        schedule = self.ledger.schedule()
        derived = fast.derived_rows(self.ledger, schedule, upto, self.rederive_processes)
        with closing(derived) as batches:  # closed at once on failure: children stop
            for _, rows in batches:
                writer.add(rows)
        writer.flush()

    def _project_touched(self, tx: Transaction, batch: Sequence[Notification]) -> None:
        """Re-derive the workers and units the batch touches, and replace their rows with
        a few statements per table for the whole batch: one round trip per aggregate and
        table fell behind the clerks' writes (issue 5's load test)."""
        touched: dict[UUID, list[Any]] = {}
        positions: dict[UUID, dict[int, int]] = {}  # each event's notification id, by version
        for notification in batch:
            if notification.topic.startswith(stream.TOPICS):
                event = self.ledger.mapper.to_domain_event(notification)
                touched.setdefault(event.originator_id, []).append(event)
                positions.setdefault(event.originator_id, {})[event.originator_version] = (
                    notification.id
                )
        schedule = self.ledger.schedule()
        pending = {table.name: _Pending(table) for model in MODELS for table in model.tables}
        for aggregate_id, events in touched.items():
            aggregate = self._aggregates.advanced(aggregate_id, events)
            kind = "worker" if isinstance(aggregate, Worker) else "unit"
            for model in MODELS:
                if model.kind == kind:
                    found = model.rows(aggregate, schedule, events)
                    for table in model.tables:
                        rows = with_positions(
                            table, found.get(table.name, []), positions[aggregate_id]
                        )
                        pending[table.name].add(str(aggregate_id), rows)
        for table_rows in pending.values():
            table_rows.write(tx)

    def _move_to(self, tx: Transaction, position: int) -> None:
        schema.move_position(tx, NAME, position)


class _Aggregates:
    """The workers and units as of the last batch, kept to be advanced by the next
    batch's events in place: loading each touched aggregate again through the
    repository (a query, then a deep copy of the cached one) was half the projector's
    time under the load test's writes. Models only read aggregates, so nothing else
    changes these copies.

    A kept aggregate is used only when the batch's first event for it is its next
    version. One that is ahead of the committed position (its batch failed and rolled
    back) or behind it (another projector took a batch) never is: it is loaded again at
    the batch's version."""

    def __init__(self, ledger: Ledger, maxsize: int) -> None:
        self.ledger = ledger
        self.maxsize = maxsize
        self._kept: OrderedDict[UUID, Any] = OrderedDict()

    def advanced(self, aggregate_id: UUID, events: Sequence[Any]) -> Any:
        """The aggregate with ``events`` (its next ones, in version order) applied."""
        aggregate = self._kept.pop(aggregate_id, None)
        if aggregate is not None and aggregate.version + 1 == events[0].originator_version:
            for event in events:
                aggregate = event.mutate(aggregate)
        else:
            last = events[-1].originator_version
            aggregate = self.ledger.repository.get(aggregate_id, version=last)
        self._kept[aggregate_id] = aggregate
        if len(self._kept) > self.maxsize:
            self._kept.popitem(last=False)
        return aggregate


class _Pending:
    """One table's rows from a batch: whose rows to replace, and the rows to write."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.owners: list[str] = []
        self.rows: list[tuple[Any, ...]] = []

    def add(self, owner: str, rows: Sequence[tuple[Any, ...]]) -> None:
        self.owners.append(owner)
        self.rows.extend(rows)

    def write(self, tx: Transaction) -> None:
        table = self.table
        if table.mode == "append":  # recorded history never changes: a row seen again is skipped
            tx.executemany(table.insert + " ON CONFLICT DO NOTHING", self.rows)
            return
        owned, params = one_of(tx.dialect, table.owner, self.owners)
        tx.execute(f"DELETE FROM {table.name} WHERE {owned}", params)
        tx.executemany(table.insert, self.rows)
