"""One worker's career under one schedule: the recorded facts, the steps derived again, and
the states and paid stretches they make (looked up by date or month)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.facts import Fact, GradeStepFact
from domain.policy import PolicySchedule
from domain.rules import StepDue
from domain.timeline import WorkerState
from domain.vocabulary import CertificateLevel
from projections.models.derived import worker_states
from projections.models.payroll import paid_stretches

# Re-exported: the comparison derives careers with them (their home is the model that keeps
# the adopted side).
from projections.models.replayed import recorded_facts as recorded_facts
from projections.models.replayed import replayed_facts
from projections.models.replayed import with_steps as with_steps
from projections.simulation.months import FOREVER


def rederived_facts(facts: Sequence[Fact], schedule: PolicySchedule) -> list[Fact]:
    """The recorded facts with the derived ones made again under ``schedule``."""
    return replayed_facts(facts, schedule)


@dataclass
class Side:
    """One worker's career under one schedule: state changes, paid stretches, steps."""

    changes: list[tuple[date, WorkerState]]
    days: list[date]
    periods: list[tuple[int, int, tuple[str, str, int, CertificateLevel | None]]]
    starts: list[int]
    steps: list[date]


def side_of(
    derived: list[Fact],
    schedule: PolicySchedule,
    changes: list[tuple[date, WorkerState]] | None = None,
) -> Side:
    """``changes``: ``domain.timeline.states(derived, schedule)``, when the caller has them."""
    if changes is None:
        changes = worker_states(derived, schedule)
    paid = paid_stretches(derived, changes, FOREVER)
    return Side(
        changes,
        [day for day, _ in changes],
        paid,
        [start for start, _, _ in paid],
        [f.effective_date for f in derived if isinstance(f, GradeStepFact)],
    )


def career(
    kept: list[Fact],
    due: Sequence[StepDue],
    changes: list[tuple[date, WorkerState]],
    schedule: PolicySchedule,
) -> Side:
    """The side of ``kept`` (recorded facts) with the steps ``due``, given the states they
    make (``domain.rules.step_clock_with_states`` hands them back with the steps)."""
    return side_of(with_steps(kept, due), schedule, changes)


def steps_of(due: Sequence[StepDue]) -> list[tuple[date, tuple[int, ...]]]:
    return [(d.effective_date, d.caused_by_years) for d in due]


def paid_in(side: Side, month: int) -> tuple[str, str, int, CertificateLevel | None] | None:
    index = bisect_right(side.starts, month) - 1
    if index < 0:
        return None
    _, end, paid = side.periods[index]
    return paid if month < end else None


def state_on(side: Side, day: date) -> WorkerState | None:
    index = bisect_right(side.days, day) - 1
    return side.changes[index][1] if index >= 0 else None
