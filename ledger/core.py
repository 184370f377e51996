"""The service layer's machinery: loading, authorizing and the unit of work.

``LedgerCore`` is the ``eventsourcing.Application``; the use cases
(``ledger/use_cases/``) are its subclasses, joined in ``ledger.application.Ledger``.
A command runs in ``_command``: check, record, save atomically with the library's
``save(a, b, ...)``, and on a conflicting save run again from fresh state. A
``batch`` runs many commands as one save (the generator and the importer).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder

from domain.access import Actor
from domain.catalogue import Term
from domain.errors import ConcurrentModification, Forbidden, IdempotencyKeyReused, NotFound
from domain.policy import PolicySchedule
from domain.policy_book import POLICY_BOOK_ID, PolicyBook
from domain.provenance import recorded_as
from domain.timeline import Placement
from domain.unit import Unit
from domain.vocabulary import Role
from ledger.commands import Context
from ledger.idempotency import IdempotencyRecord, record_id
from ledger.transcodings import DateAsISO

A = TypeVar("A", bound=Aggregate)
Result = dict[str, Any]
Run = Callable[[], tuple[Result, list[Aggregate]]]
MAX_ATTEMPTS = 5


class BatchBroken(RuntimeError):
    """A command failed half-way inside a batch: the batch must not be saved."""


class Batch:
    """Many commands, one save: the aggregates they load stay here between commands
    (a unit's seats grow with each hire), and ``flush`` saves what they changed.

    A refused command normally changes nothing (the domain checks before it
    records), so the batch goes on. If one changed an aggregate and then failed
    (a hire whose seat was refused), the batch is broken and saves nothing.
    """

    def __init__(self, ledger: LedgerCore, *, whole_careers: bool = False) -> None:
        self._ledger = ledger
        self.whole_careers = whole_careers
        # In a whole-careers batch: each changed worker's placements before its first
        # change here, and the (unit, year) of its dispatch conversion if hired here.
        self.seats_from: dict[UUID, tuple[tuple[Placement, ...], tuple[UUID, int] | None]] = {}
        self.aggregates: dict[UUID, Aggregate] = {}
        self.pending: dict[UUID, Aggregate] = {}
        self.touched: dict[UUID, int] = {}
        self.broken = False
        self.schedule: PolicySchedule | None = None  # read once: a batch is one unit of work

    def keep(self, aggregate: Aggregate) -> None:
        self.aggregates[aggregate.id] = aggregate

    def flush(self) -> int:
        """Save every changed aggregate in one atomic save; answer how many."""
        if self.broken:
            raise BatchBroken("a command failed half-way: this batch cannot be saved")
        changed = list(self.pending.values())
        if changed:
            self._ledger.save(*changed)
        self.pending.clear()
        return len(changed)

    def take(
        self, keep: Callable[[Aggregate], bool], *, discard: bool = False
    ) -> list[Aggregate.Event]:
        """The changed aggregates' new events, taken out instead of saved, for a caller
        that checks everything first and records later (the importer stages them); the
        aggregates ``keep`` declines are forgotten (a whole career, done with).
        ``discard``: the caller records none of them (its check found a problem)."""
        if self.broken and not discard:
            raise BatchBroken("a command failed half-way: nothing of this batch may be recorded")
        events = [
            cast(Aggregate.Event, e) for a in self.pending.values() for e in a.collect_events()
        ]
        self.pending.clear()
        for aggregate_id, aggregate in list(self.aggregates.items()):
            if not keep(aggregate):
                del self.aggregates[aggregate_id]
        return events

    def forget(self) -> None:
        """Drop the kept aggregates (after a flush), to bound the memory."""
        if self.pending:
            raise BatchBroken("flush the batch before forgetting its aggregates")
        self.aggregates.clear()


class LedgerCore(Application[UUID]):
    """Records facts after checking them; answers questions about them."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        self._schedule_cache: tuple[int, PolicySchedule] | None = None
        self._parents: dict[UUID, UUID | None] = {}
        self._local = threading.local()  # the batch of this thread, if any

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # -- policy schedule ----------------------------------------------------------------
    def schedule(self, known_at: datetime | None = None) -> PolicySchedule:
        """Every adopted policy version, by effective date, as known at ``known_at``."""
        if known_at is not None:
            return self.as_known(POLICY_BOOK_ID, PolicyBook, known_at).schedule()
        batch = self._batch()
        if batch is not None:
            # Not a query per command: the batch reads the policy once, or its own book.
            if POLICY_BOOK_ID in batch.pending:
                return self.get(POLICY_BOOK_ID, PolicyBook).schedule()
            if batch.schedule is None:
                batch.schedule = self._latest_schedule()
            return batch.schedule
        return self._latest_schedule()

    def _latest_schedule(self) -> PolicySchedule:
        # One cheap query for newer adoptions instead of copying the book each time.
        cached = self._schedule_cache
        if cached is None or list(self.events.get(POLICY_BOOK_ID, gt=cached[0], limit=1)):
            book = self.get(POLICY_BOOK_ID, PolicyBook)
            self._schedule_cache = cached = (book.version, book.schedule())
        return cached[1]

    # -- batches ------------------------------------------------------------------------
    @contextmanager
    def batch(self, *, whole_careers: bool = False) -> Iterator[Batch]:
        """Run the use cases called inside as one unit of work, saved by ``flush``.

        For callers that record thousands of facts (the generator, the importer):
        one save per command would take the PostgreSQL table lock thousands of times.
        No idempotency keys inside: the batch is the unit that succeeds or not.

        ``whole_careers`` (the importer's): a worker's seats are set once, from all its
        changes in the batch, by ``settle_seats``, as a history's later departure may
        free the seat an earlier line of the file needs; and a refusal does not stop
        the batch: it can no longer be recorded, but every later refusal is still found.
        """
        if self._batch() is not None:
            raise RuntimeError("batches do not nest")
        batch = Batch(self, whole_careers=whole_careers)
        self._local.batch = batch
        try:
            yield batch
        finally:
            self._local.batch = None

    def _batch(self) -> Batch | None:
        return cast(Batch | None, getattr(self._local, "batch", None))

    # -- authorization ------------------------------------------------------------------
    def _require_admin(self, actor: Actor, what: str) -> None:
        if actor.role is not Role.ADMIN:
            raise Forbidden.because("admin_only", action=Term(what))

    def _authorize_write(self, actor: Actor, unit_ids: Iterable[UUID]) -> None:
        if not actor.can_write:
            raise Forbidden.because("role_reads_only", role=actor.role)
        self._authorize_scope(actor, unit_ids, "write")

    def _authorize_read(self, actor: Actor, unit_ids: Iterable[UUID]) -> None:
        self._authorize_scope(actor, unit_ids, "read")

    def _authorize_scope(self, actor: Actor, unit_ids: Iterable[UUID], what: str) -> None:
        if not actor.is_scoped:
            return
        for unit_id in unit_ids:
            actor.require_within(self._ancestry(unit_id), what)

    def _ancestry(self, unit_id: UUID) -> list[UUID]:
        chain: list[UUID] = []
        current: UUID | None = unit_id
        while current is not None:
            chain.append(current)
            if current not in self._parents:  # parents never change, so cache them
                self._parents[current] = self.get(current, Unit).parent_id
            current = self._parents[current]
        return chain

    def _require_version(self, ctx: Context, aggregate: Aggregate, what: str) -> None:
        """If-Match: refuse a change decided on a version that is no longer the latest."""
        if ctx.if_match is not None and aggregate.version not in ctx.if_match:
            asked = ", ".join(str(v) for v in sorted(ctx.if_match))
            raise ConcurrentModification.because(
                "version_changed",
                field="If-Match",
                what=Term(what),
                version=aggregate.version,
                asked=asked,
            )

    # -- loading ------------------------------------------------------------------------
    def exists(self, aggregate_id: UUID) -> bool:
        return bool(list(self.events.get(aggregate_id, limit=1)))

    def get(self, aggregate_id: UUID, cls: type[A], *, field: str | None = None) -> A:
        """The aggregate as recorded now (in a batch: as the batch has it), or NotFound."""
        batch = self._batch()
        aggregate: Aggregate | None = batch.aggregates.get(aggregate_id) if batch else None
        if aggregate is None:
            try:
                aggregate = self.repository.get(aggregate_id)
            except AggregateNotFoundError:
                aggregate = None
            if batch is not None and aggregate is not None:
                batch.keep(aggregate)
        if not isinstance(aggregate, cls):
            raise NotFound.because("no_such", field=field, kind=_kind(cls), id=aggregate_id)
        if batch is not None:
            batch.touched.setdefault(aggregate.id, len(aggregate.pending_events))
        return aggregate

    def find(self, aggregate_id: UUID, cls: type[A]) -> A | None:
        """The aggregate, or None when there is none of that class."""
        try:
            return self.get(aggregate_id, cls)
        except NotFound:
            return None

    def as_known(self, aggregate_id: UUID, cls: type[A], known_at: datetime) -> A:
        """The aggregate as the ledger knew it at ``known_at`` (recorded time)."""
        version = None
        for stored in self.events.get(aggregate_id):
            if recorded_at(stored) > known_at:
                break
            version = stored.originator_version
        if version is None:
            raise NotFound.because(
                "not_known_at", kind=_kind(cls), id=aggregate_id, known_at=known_at
            )
        aggregate: Aggregate = self.repository.get(aggregate_id, version=version)
        if not isinstance(aggregate, cls):
            raise NotFound.because("no_such", kind=_kind(cls), id=aggregate_id)
        return aggregate

    def load(self, aggregate_id: UUID, cls: type[A], known_at: datetime | None) -> A:
        """Now, or as known at ``known_at``."""
        if known_at is None:
            return self.get(aggregate_id, cls)
        return self.as_known(aggregate_id, cls, known_at)

    def last_version(self, aggregate_id: UUID) -> int:
        last = list(self.events.get(aggregate_id, desc=True, limit=1))
        return int(last[0].originator_version) if last else 0

    # -- the unit of work ---------------------------------------------------------------
    def _command(self, ctx: Context, run: Run) -> Result:
        """Check, record and answer; on a conflicting save, check again from fresh state.

        A conflict means another writer changed one of the aggregates (a
        racing hire took the unit's last seat, say): re-running the command
        against the new state gives the right answer, often a refusal.
        """
        batch = self._batch()
        if batch is not None:
            return self._batched(ctx, run, batch)
        for _ in range(MAX_ATTEMPTS):
            if ctx.idempotency_key:
                earlier = self._earlier_answer(ctx, ctx.idempotency_key)
                if earlier is not None:
                    return earlier
            with recorded_as(ctx.actor.name, ctx.request_id):
                result, changed = run()
                if ctx.idempotency_key:
                    changed.append(
                        IdempotencyRecord(
                            actor=ctx.actor.identity,
                            key=ctx.idempotency_key,
                            fingerprint=ctx.fingerprint,
                            result=result,
                        )
                    )
            try:
                self.save(*changed)
            except IntegrityError:
                continue
            return result
        raise ConcurrentModification.because("kept_changing", attempts=MAX_ATTEMPTS)

    def _batched(self, ctx: Context, run: Run, batch: Batch) -> Result:
        if batch.broken and not batch.whole_careers:
            raise BatchBroken("a command failed half-way: this batch cannot go on")
        if ctx.idempotency_key:
            raise ValueError("a batch is one unit of work: its commands take no idempotency key")
        batch.touched = {}
        try:
            with recorded_as(ctx.actor.name, ctx.request_id):
                result, changed = run()
        except Exception:
            for aggregate_id, pending in batch.touched.items():
                if len(batch.aggregates[aggregate_id].pending_events) != pending:
                    batch.broken = True
            raise
        for aggregate in changed:
            batch.keep(aggregate)
            batch.pending[aggregate.id] = aggregate
        return result

    def _earlier_answer(self, ctx: Context, key: str) -> Result | None:
        try:
            record: Aggregate = self.repository.get(record_id(ctx.actor.identity, key))
        except AggregateNotFoundError:
            return None
        if not isinstance(record, IdempotencyRecord):
            return None
        if record.fingerprint != ctx.fingerprint:
            raise IdempotencyKeyReused.because("idempotency_key_reused", field="Idempotency-Key")
        return dict(record.result)


def recorded_at(event: object) -> datetime:
    """When the ledger recorded ``event``: the library's protocol type does not declare it."""
    return cast(Aggregate.Event, event).timestamp


def _kind(cls: type) -> Term:
    """What a refusal calls an aggregate of ``cls``: ``worker``, ``unit``…"""
    return Term(cls.__name__.lower())
