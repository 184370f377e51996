"""Monthly pay: coefficient(post, grade) x base + certificate allowance."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.facts import CertificateFact, Fact
from domain.policy import PolicySchedule, money
from domain.timeline import replay
from domain.vocabulary import CertificateLevel, Post, WorkerStatus


@dataclass(frozen=True)
class PayLine:
    month: str
    post: Post
    grade: int
    coefficient: Decimal
    base: Decimal
    allowance: Decimal
    total: Decimal
    city_share: Decimal
    local_share: Decimal
    policy_version: int


def month_bounds(month: str) -> tuple[date, date]:
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + (number == 12), number % 12 + 1, 1)
    return first, following - timedelta(days=1)


def pay_for_month(facts: Iterable[Fact], schedule: PolicySchedule, month: str) -> PayLine | None:
    """The worker's pay for ``month`` ("YYYY-MM"), or None if not paid that month.

    Grade and post are the state on the first day of the month; a certificate
    counts from the month it is obtained, so certificates up to the month's
    last day count.
    """
    facts = list(facts)
    first, last = month_bounds(month)
    state = replay(facts, schedule, first)
    if state.status is not WorkerStatus.ACTIVE:
        return None
    certificates = [
        f.level for f in facts if isinstance(f, CertificateFact) and f.effective_date <= last
    ]
    certificate: CertificateLevel | None = max(
        certificates, key=lambda level: level.rank, default=None
    )
    return price(schedule, month, state.post, state.grade, certificate)


def price(
    schedule: PolicySchedule,
    month: str,
    post: Post,
    grade: int,
    certificate: CertificateLevel | None,
) -> PayLine:
    """The pay of one paid position in ``month``: the one place the arithmetic lives,
    for a worker's facts and for the payroll read model alike."""
    first, _ = month_bounds(month)
    version = schedule.version_on(first)
    policy = version.policy
    coefficient = policy.coefficient(post, grade)
    base = policy.base_pay(first.year)
    allowance = policy.allowance(certificate)
    total = money(coefficient * base + allowance)
    city = money(total * policy.city_share(post))
    return PayLine(
        month=month,
        post=post,
        grade=grade,
        coefficient=coefficient,
        base=base,
        allowance=allowance,
        total=total,
        city_share=city,
        local_share=total - city,
        policy_version=version.version,
    )
