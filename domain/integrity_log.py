"""The integrity log: each run of ``ledger verify``, recorded as a fact of the ledger.

``ledger verify`` walks the stored events and recomputes the hash chains; what it found
(intact or not, how many events, the anchor, the first problem) is then recorded here,
so an auditor reads the last verification and its author in the console without a
terminal. One log per ledger, at a fixed id. See docs/integrity.md.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import LedgerAggregate

INTEGRITY_LOG_ID: UUID = uuid5(NAMESPACE_URL, "community-worker-ledger:integrity-log")

INTACT = "intact"
BROKEN = "broken"


class IntegrityLog(LedgerAggregate):
    """Every recorded verification, oldest first. Its events are the record: who ran each
    verification and when are the events' own provenance (``ledger.integrity``)."""

    @staticmethod
    def create_id() -> UUID:
        return INTEGRITY_LOG_ID

    @event("Opened")
    def __init__(self) -> None:
        self.runs = 0

    def record(
        self,
        *,
        intact: bool,
        events: int,
        aggregates: int,
        last_notification_id: int,
        anchor: str | None,
        against: str | None,
        problem_count: int,
        first_problem: str | None,
    ) -> None:
        self._verified(
            result=INTACT if intact else BROKEN,
            events=events,
            aggregates=aggregates,
            last_notification_id=last_notification_id,
            anchor=anchor if intact else None,
            against=against,
            problem_count=problem_count,
            first_problem=first_problem,
        )

    @event("Verified")
    def _verified(
        self,
        result: str,
        events: int,
        aggregates: int,
        last_notification_id: int,
        anchor: str | None,
        against: str | None,
        problem_count: int,
        first_problem: str | None,
    ) -> None:
        self.runs += 1
