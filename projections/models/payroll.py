"""Pay periods: the stretches of months over which a worker's pay-relevant state is constant.

A month's pay depends on the unit, post and grade on the month's first day and
on the highest certificate obtained by its last day (DOMAIN.md "Pay"). Those
change a few times in a career, so one row per stretch keeps a province at a
few rows per worker instead of one per worker and month; the money itself is
computed at query time, because the policy (base, coefficients) may change
from one month to the next without any worker's facts changing.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from domain.facts import CertificateFact, Fact
from domain.policy import PolicySchedule
from domain.timeline import WorkerState
from domain.vocabulary import CertificateLevel, WorkerStatus
from domain.worker import Worker
from projections.models.derived import id_text, unit_text, worker_states
from projections.tables import Index, Rows, Table

PAY_PERIODS = Table(
    "rm_pay_periods",
    (
        ("worker_id", "TEXT NOT NULL"),
        ("month_from", "TEXT NOT NULL"),
        ("month_to", "TEXT"),
        ("unit_id", "TEXT NOT NULL"),
        ("post", "TEXT NOT NULL"),
        ("grade", "INTEGER NOT NULL"),
        ("certificate", "TEXT"),
    ),
    primary_key=("worker_id", "month_from"),
    owner="worker_id",
    # A subtree's month is found through its units; the whole ledger's month reads every
    # row anyway (a few per worker), so no index on the month alone to slow the writes.
    indexes=(Index("rm_pay_periods_unit", ("unit_id", "month_from")),),
)


@dataclass(frozen=True)
class PayPeriod:
    """Paid from ``month_from`` up to (not including) ``month_to`` ("YYYY-MM"); None: still."""

    month_from: str
    month_to: str | None
    unit_id: str
    post: str
    grade: int
    certificate: CertificateLevel | None


def month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _month(day: date) -> int:
    return day.year * 12 + day.month - 1


def _first_paid_month(day: date) -> int:
    # A fact changes the state on the first day of the month it falls on only if it
    # falls on that day; otherwise the first month it shapes is the next one.
    return _month(day) if day.day == 1 else _month(day) + 1


_last: tuple[Sequence[Fact], int, PolicySchedule, list[PayPeriod]] | None = None


def pay_periods(
    facts: Sequence[Fact],
    schedule: PolicySchedule,
    changes: Sequence[tuple[date, WorkerState]] | None = None,
) -> list[PayPeriod]:
    """The worker's paid stretches, evaluated only at the months where something changes.
    ``changes``: ``domain.timeline.states(facts, schedule)``, when the caller has them.

    Without ``changes``, the last worker's answer is remembered, like its states
    (``worker_states``): the replayed-pay model asks again for the recorded career when
    its own is the same."""
    global _last
    if changes is None:
        last = _last
        if last is not None and last[0] is facts and last[1] == len(facts) and last[2] is schedule:
            return last[3]
        found = pay_periods(facts, schedule, worker_states(facts, schedule))
        _last = (facts, len(facts), schedule, found)
        return found
    return [
        PayPeriod(month_text(start), month_text(end) if end != _STILL else None, *paid)
        for start, end, paid in paid_stretches(facts, changes, _STILL)
    ]


_STILL = -1  # no month: the end of a stretch that goes on


Paid = tuple[str, str, int, CertificateLevel | None]  # unit, post, grade, certificate

# Enum members read as module constants: ``WorkerStatus.ACTIVE`` is a descriptor look-up
# (about 160 ns on Python 3.11), asked for every stretch of every career.
_ACTIVE = WorkerStatus.ACTIVE


def paid_stretches(
    facts: Sequence[Fact], changes: Sequence[tuple[date, WorkerState]], still: int
) -> list[tuple[int, int, Paid]]:
    """``pay_periods`` with months as numbers (``year * 12 + month - 1``; ``still``, the
    end of the last stretch if it goes on): what a simulation reads, twice per worker,
    without formatting the months."""
    # The state a month is paid from is the last one whose change is paid from that month
    # or earlier (a change on the 1st shapes its own month), so the months are compared.
    paid_from = [_first_paid_month(day) for day, _ in changes]
    certificates = sorted(
        (_month(f.effective_date), f.level.rank, f.level)
        for f in facts
        if isinstance(f, CertificateFact)
    )
    boundaries = sorted({*paid_from, *(m for m, _, _ in certificates)})
    stretches: list[tuple[int, int, Paid]] = []
    current: Paid | None = None
    start = 0
    held: CertificateLevel | None = None  # the highest certificate obtained by the month
    held_rank = -1
    next_certificate = 0
    for month in boundaries:
        while next_certificate < len(certificates) and certificates[next_certificate][0] <= month:
            _, rank, level = certificates[next_certificate]
            if rank > held_rank:
                held, held_rank = level, rank
            next_certificate += 1
        index = bisect_right(paid_from, month) - 1
        state = changes[index][1] if index >= 0 else None
        # Not hired yet on the first day, or no longer paid.
        key = (
            (unit_text(state.unit_id), state.post, state.grade, held)
            if state is not None and state.status is _ACTIVE
            else None
        )
        if key == current:
            continue
        if current is not None:
            stretches.append((start, month, current))
        current, start = key, month
    if current is not None:
        stretches.append((start, still, current))
    return stretches


class Payroll:
    kind: Literal["worker"] = "worker"
    tables = (PAY_PERIODS,)

    def rows(self, worker: Worker, schedule: PolicySchedule, new_events: Sequence[Any]) -> Rows:
        key = id_text(worker.id)
        return {
            PAY_PERIODS.name: [
                (
                    key,
                    p.month_from,
                    p.month_to,
                    p.unit_id,
                    p.post,
                    p.grade,
                    p.certificate.value if p.certificate else None,
                )
                for p in pay_periods(worker.facts, schedule)
            ]
        }


PAYROLL = Payroll()
