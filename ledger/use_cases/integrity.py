"""Use cases of integrity: recording a run of ``ledger verify``, and reading the runs.

``ledger verify`` (cli/verify.py) checks the hash chains, then records what it found
here, so the verification is a fact of the ledger like any other: who ran it, when,
and on what (docs/integrity.md). The audit page reads the runs back.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.access import Actor
from domain.errors import Forbidden
from domain.integrity_log import INTEGRITY_LOG_ID, IntegrityLog
from domain.provenance import recorded_as
from domain.vocabulary import Role
from ledger.core import LedgerCore, Result

VERIFIED = vars(IntegrityLog)["Verified"]  # made by the ``@event`` decorator
REQUEST_ID = "ledger-verify"
ATTEMPTS = 3  # two runs finishing at once: the later one records after the earlier


class IntegrityUseCases(LedgerCore):
    def record_verification(
        self,
        *,
        ran_by: str,
        intact: bool,
        events: int,
        aggregates: int,
        last_notification_id: int,
        anchor: str | None,
        against: str | None = None,
        problem_count: int = 0,
        first_problem: str | None = None,
    ) -> None:
        """Record one run of ``ledger verify`` (by the operator ``ran_by``): its result,
        the events it checked, its anchor (an intact run's only) and its first problem."""
        for attempt in range(ATTEMPTS):
            log = self.find(INTEGRITY_LOG_ID, IntegrityLog)
            with recorded_as(ran_by, REQUEST_ID):
                if log is None:
                    log = IntegrityLog()
                log.record(
                    intact=intact,
                    events=events,
                    aggregates=aggregates,
                    last_notification_id=last_notification_id,
                    anchor=anchor,
                    against=against,
                    problem_count=problem_count,
                    first_problem=first_problem,
                )
            try:
                self.save(log)
                return
            except IntegrityError:
                if attempt == ATTEMPTS - 1:
                    raise

    def verifications(self, actor: Actor, limit: int = 10) -> list[Result]:
        """The last ``limit`` recorded runs of ``ledger verify``, newest first. Every role
        but reporters (who read reports, not the ledger's audit trail)."""
        if actor.role is Role.REPORTER:
            raise Forbidden.because("reporter_no_audit")
        newest = self.events.get(INTEGRITY_LOG_ID, desc=True, limit=limit + 1)  # + Opened
        return [_run(e) for e in newest if isinstance(e, VERIFIED)][:limit]


def _run(event: Any) -> Result:
    return {
        "result": event.result,
        "intact": event.result == "intact",
        "events": event.events,
        "aggregates": event.aggregates,
        "last_notification_id": event.last_notification_id,
        "anchor": event.anchor,
        "against": event.against,
        "problem_count": event.problem_count,
        "first_problem": event.first_problem,
        "recorded_by": event.recorded_by,
        "recorded_at": event.timestamp,
    }
