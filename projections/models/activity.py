"""The activity feed: who recorded what, when, in which unit, for the audit page.

One row per recorded event of a worker or a unit (append-only: recorded history never
changes), with its author and request (the provenance every event carries), the unit it
concerns and the fields a page needs to describe it. The unit of a worker's fact is the
worker's unit on the fact's effective date as known when it was recorded (so the row
depends on the history up to the event only, and the projector's rows equal a
rebuild's); a transfer also names the unit it left, so both units' clerks see it.
Names are not kept here: the feed joins rm_workers and rm_units for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from domain.facts import Fact, HireFact, TransferFact
from domain.policy import PolicySchedule
from domain.unit import Unit
from domain.worker import Worker
from ledger import views
from projections.models.derived import id_text, json_text, unit_text
from projections.tables import Index, Rows, Table

ACTIVITY_TABLE = Table(
    "rm_activity",
    (
        ("aggregate_id", "TEXT NOT NULL"),
        ("version", "BIGINT NOT NULL"),
        ("aggregate_kind", "TEXT NOT NULL"),  # worker or unit
        ("type", "TEXT NOT NULL"),  # the event class's name: Hired, QuotaApproved, ...
        ("effective_date", "TEXT"),
        ("recorded_at", "TEXT NOT NULL"),
        ("recorded_by", "TEXT NOT NULL"),
        ("request_id", "TEXT NOT NULL"),
        ("unit_id", "TEXT NOT NULL"),
        ("from_unit_id", "TEXT"),  # a transfer's unit left; NULL otherwise
        ("data", "TEXT NOT NULL"),  # the fields a description needs (no personal identifiers)
    ),
    primary_key=("aggregate_id", "version"),
    owner="aggregate_id",
    mode="append",
    indexes=(
        Index("rm_activity_recorded", ("recorded_at",)),
        Index("rm_activity_unit", ("unit_id", "recorded_at")),
        Index("rm_activity_author", ("recorded_by", "recorded_at")),
    ),
)
# Fields never copied into the feed: identifiers are shown by role elsewhere (api.personal).
_PERSONAL = frozenset({"id_number", "birth_date", "gender"})
# A unit's bookkeeping of another fact (a hire's seat, a child's registration): the fact
# it follows is in the feed already, from the same request.
_BOOKKEEPING = frozenset({"SeatsAssigned", "ChildRegistered"})


class WorkerActivity:
    kind: Literal["worker"] = "worker"
    tables = (ACTIVITY_TABLE,)

    def rows(self, worker: Worker, schedule: PolicySchedule, new_events: Sequence[Any]) -> Rows:
        key = id_text(worker.id)
        facts = worker.facts
        hire = facts[0]
        assert isinstance(hire, HireFact)  # a worker's first fact is its hire
        # The hires and transfers among the facts known before the event, kept as the
        # events go (in version order): scanning every known fact for each event made
        # a worker's rows quadratic in its facts.
        moves: list[Fact] = []
        seen = 0
        rows = []
        for event in new_events:
            version = event.originator_version
            # Each event of a worker appends one fact: fact ``seq`` is the event's version.
            if seen > version - 1:
                moves, seen = [], 0
            moves.extend(f for f in facts[seen : version - 1] if isinstance(f, _MOVES))
            fact = facts[version - 1]
            day = fact.effective_date
            left = (
                _unit_on(moves, hire, day, before=True) if isinstance(fact, TransferFact) else None
            )
            if isinstance(fact, _MOVES):
                moves.append(fact)
            seen = version
            rows.append(_row(key, "worker", event, day, _unit_on(moves, hire, day), left))
        return {ACTIVITY_TABLE.name: rows}


class UnitActivity:
    kind: Literal["unit"] = "unit"
    tables = (ACTIVITY_TABLE,)

    def rows(self, unit: Unit, schedule: PolicySchedule, new_events: Sequence[Any]) -> Rows:
        key = id_text(unit.id)
        rows = []
        for event in new_events:
            name = type(event).__name__
            if name in _BOOKKEEPING:
                continue
            effective = getattr(event, "effective_date", None)
            rows.append(_row(key, "unit", event, effective, key, None))
        return {ACTIVITY_TABLE.name: rows}


_MOVES = (HireFact, TransferFact)


def _unit_on(moves: Sequence[Fact], hire: HireFact, day: date, *, before: bool = False) -> str:
    """The unit of the latest hire or transfer in force on ``day`` (or the day before)
    among ``moves``; the hire's unit for a fact dated before the hire."""
    found = [f for f in moves if (f.effective_date < day if before else f.effective_date <= day)]
    if not found:
        return unit_text(hire.unit_id)
    latest = max(found, key=lambda f: (f.effective_date, f.seq))
    assert isinstance(latest, _MOVES)
    return unit_text(latest.unit_id)


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _row(
    key: str, kind: str, event: Any, effective: date | None, unit: str, left: str | None
) -> tuple[Any, ...]:
    data = {
        name: _plain(value)
        for name, value in event.__dict__.items()
        if name not in views.BASE_FIELDS and name not in _PERSONAL
    }
    return (
        key,
        event.originator_version,
        kind,
        type(event).__name__,
        effective.isoformat() if effective else None,
        event.timestamp.isoformat(),
        event.recorded_by,
        event.request_id,
        unit,
        left,
        json_text(data),
    )


WORKER_ACTIVITY = WorkerActivity()
UNIT_ACTIVITY = UnitActivity()
