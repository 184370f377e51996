"""The simulation's adopted side, kept: each worker's paid stretches as a simulation derives
them under the adopted schedule, and what a unit's quotas read on any date.

A simulation drops the recorded steps and applies the steps the schedule makes due on their
dates, and works out again an initial grade the policy gave (docs/simulation.md). Its
"adopted" careers can thus differ from the recorded ones (``rm_pay_periods``) where a due
step is not recorded yet, or was recorded under other rules. A draft that changes pay alone
(``projections.simulation.draft.pay_only``) derives the very same careers on both sides, so
these rows are all it needs: ``projections.simulation.setwise`` prices them per distinct
(months, post, grade, certificate) instead of replaying the events.

``rm_replayed_workers`` holds one row per worker, so a reader can tell that every worker
has been derived here (a ledger projected before this model existed has none until its
next rebuild).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any, Literal

from domain.facts import Fact, GradeStepFact, HireFact
from domain.policy import PolicySchedule
from domain.rules import StepDue, step_clock
from domain.timeline import replay, states
from domain.unit import Unit
from domain.worker import Worker
from projections.models.derived import clocked_states, id_text, worker_states
from projections.models.payroll import PayPeriod, pay_periods
from projections.tables import Rows, Table

FOREVER = 1 << 30  # the month after an open-ended stretch

REPLAYED_PAY = Table(
    "rm_replayed_pay",
    (
        ("worker_id", "TEXT NOT NULL"),
        # Months as numbers, year * 12 + month - 1; month_to is the month after the last.
        ("month_from", "INTEGER NOT NULL"),
        ("month_to", "INTEGER NOT NULL"),
        ("unit_id", "TEXT NOT NULL"),
        ("post", "TEXT NOT NULL"),
        ("grade", "INTEGER NOT NULL"),
        ("certificate", "TEXT NOT NULL"),  # '' for none: a plain key to join and group on
    ),
    primary_key=("worker_id", "month_from"),
    owner="worker_id",
)
REPLAYED_WORKERS = Table(
    "rm_replayed_workers", (("worker_id", "TEXT PRIMARY KEY"),), owner="worker_id"
)
# A unit's approved quota and counts from each date either changes (the first row, from
# 0001-01-01: the counts given at registration), as ``Unit.approval_on`` and
# ``Unit.counts_on`` answer them on that date.
UNIT_QUOTA = Table(
    "rm_replayed_unit_quota",
    (
        ("unit_id", "TEXT NOT NULL"),
        ("valid_from", "TEXT NOT NULL"),
        ("approved", "INTEGER"),
        ("households", "INTEGER"),
        ("grids", "INTEGER"),
        ("population", "INTEGER"),
    ),
    primary_key=("unit_id", "valid_from"),
    owner="unit_id",
)


def recorded_facts(facts: Sequence[Fact], schedule: PolicySchedule) -> list[Fact]:
    """The facts without the recorded steps, an initial grade from the policy given again."""
    kept = [f for f in facts if not isinstance(f, GradeStepFact)]
    hire = kept[0]
    if isinstance(hire, HireFact) and hire.grade_from_policy:
        policy = schedule.on(hire.effective_date)
        grade = policy.initial_grade(hire.post, hire.prior_service_years, hire.education)
        if grade != hire.grade:
            kept[0] = replace(hire, grade=grade)
    return kept


def with_steps(kept: list[Fact], due: Sequence[StepDue]) -> list[Fact]:
    """``kept`` and the due steps, each after every recorded fact of its date."""
    last = max(f.seq for f in kept)
    return [
        *kept,
        *(
            GradeStepFact(d.effective_date, last + n, d.caused_by_years)
            for n, d in enumerate(due, start=1)
        ),
    ]


def replayed_facts(facts: Sequence[Fact], schedule: PolicySchedule) -> list[Fact]:
    """The career a simulation derives under ``schedule``: the recorded facts, the steps
    it makes due applied on their dates."""
    kept = recorded_facts(facts, schedule)
    return with_steps(kept, step_clock(replay(kept, schedule), schedule).due)


def replayed_career(
    facts: Sequence[Fact], schedule: PolicySchedule
) -> tuple[Sequence[Fact], list[PayPeriod]]:
    """``replayed_facts`` and their paid stretches, derived as the simulation derives its
    careers (``projections.simulation.careers.career``): the states of the kept facts
    answer the step clock's look-ups, and the clock hands back the states with the steps
    due (``step_clock_with_states``), where replaying the kept facts for the clock, again
    for each step, and the whole career for its states was a fifth of a rebuild's
    derivation. A worker with no recorded step, no policy-given grade changed and no
    step due has the recorded career: its states, clock and stretches are the other
    models' (remembered in ``derived`` and ``payroll``).

    Under a schedule that renames posts the states hold the renamed post after the last
    fact, which ``replay`` does not: there the clock is worked out as ``replayed_facts``
    does. ``tests/integration/test_fast_paths_agreement.py`` holds both to the same rows."""
    if any(version.policy.post_aliases for version in schedule.versions):
        derived = replayed_facts(facts, schedule)
        return derived, pay_periods(derived, schedule)
    kept = recorded_facts(facts, schedule)
    recorded = len(kept) == len(facts) and kept[0] is facts[0]
    base = worker_states(facts, schedule) if recorded else states(kept, schedule)
    clock, stepped = clocked_states(base, schedule)
    if not clock.due:
        return (
            (facts, pay_periods(facts, schedule))
            if recorded
            else (kept, pay_periods(kept, schedule, base))
        )
    derived = with_steps(kept, clock.due)
    return derived, pay_periods(derived, schedule, stepped)


def month_number(text: str) -> int:
    return int(text[:4]) * 12 + int(text[5:7]) - 1


class ReplayedPay:
    kind: Literal["worker"] = "worker"
    tables = (REPLAYED_PAY, REPLAYED_WORKERS)

    def rows(self, worker: Worker, schedule: PolicySchedule, new_events: Sequence[Any]) -> Rows:
        key = id_text(worker.id)
        return {
            REPLAYED_PAY.name: [
                (
                    key,
                    month_number(p.month_from),
                    month_number(p.month_to) if p.month_to else FOREVER,
                    p.unit_id,
                    p.post,
                    p.grade,
                    p.certificate.value if p.certificate else "",
                )
                for p in replayed_career(worker.facts, schedule)[1]
            ],
            REPLAYED_WORKERS.name: [(key,)],
        }


class UnitQuota:
    kind: Literal["unit"] = "unit"
    tables = (UNIT_QUOTA,)

    def rows(self, unit: Unit, schedule: PolicySchedule, new_events: Sequence[Any]) -> Rows:
        key = id_text(unit.id)
        days = sorted(
            {date.min}
            | {a.effective_date for a in unit.approvals}
            | {r.effective_date for r in unit.counts_records}
        )
        found = []
        for day in days:
            approval = unit.approval_on(day)
            counts = unit.counts_on(day)
            found.append(
                (
                    key,
                    day.isoformat(),
                    approval.quota if approval else None,
                    counts.households,
                    counts.grids,
                    counts.population,
                )
            )
        return {UNIT_QUOTA.name: found}


REPLAYED_PAY_MODEL = ReplayedPay()
UNIT_QUOTA_MODEL = UnitQuota()
