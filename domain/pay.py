"""Monthly pay: coefficient(post, grade) x base + certificate allowance.

Where the policy splits pay (``pay_split``), coefficient x base is a basic part and a
performance part, and the performance part of a year's months is paid at the share
the year's appraisal rating earns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.facts import AppraisalCorrectionFact, AppraisalFact, CertificateFact, Fact
from domain.policy import PolicySchedule
from domain.policy_parts import money
from domain.timeline import ordered, replay
from domain.vocabulary import CertificateLevel, Rating, WorkerStatus

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PayLine:
    month: str
    post: str
    grade: int
    coefficient: Decimal
    base: Decimal
    allowance: Decimal
    total: Decimal
    city_share: Decimal
    local_share: Decimal
    policy_version: int
    # coefficient x base = basic + the performance part before the rating's share; without
    # a split, everything is basic and performance is 0.
    basic: Decimal = ZERO
    performance: Decimal = ZERO
    performance_rating: Rating | None = None
    performance_paid_share: Decimal | None = None


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
    policy = schedule.on(first)
    rating = year_rating(facts, first.year) if policy.pay_split is not None else None
    return price(schedule, month, state.post, state.grade, certificate, rating)


def year_rating(facts: Iterable[Fact], year: int) -> Rating | None:
    """The rating recorded for ``year`` (a correction replaces it), or None."""
    return year_ratings(facts).get(year)


def year_ratings(facts: Iterable[Fact]) -> dict[int, Rating]:
    """Each appraised year's rating as recorded (a correction replaces it): what a split
    pay's performance part is paid by."""
    ratings: dict[int, Rating] = {}
    for fact in ordered(facts):
        if isinstance(fact, (AppraisalFact, AppraisalCorrectionFact)):
            ratings[fact.year] = fact.rating
    return ratings


def price(
    schedule: PolicySchedule,
    month: str,
    post: str,
    grade: int,
    certificate: CertificateLevel | None,
    rating: Rating | None = None,
) -> PayLine:
    """The pay of one paid position in ``month``: the one place the arithmetic lives,
    for a worker's facts and for the payroll read model alike. ``rating``: the year's
    appraisal rating, read only where the policy splits pay."""
    first, _ = month_bounds(month)
    version = schedule.version_on(first)
    policy = version.policy
    coefficient = policy.coefficient(post, grade)
    base = policy.base_pay_on(first)
    allowance = policy.allowance(certificate)
    split = policy.pay_split
    share: Decimal | None = None
    if split is None:
        total = money(coefficient * base + allowance)
        basic, performance, rating = total - allowance, ZERO, None
    else:
        # Basic and the full performance part add up to coefficient x base, in fen.
        full = money(coefficient * base)
        basic = money(full * split.basic_share)
        share = split.paid_share(rating)
        performance = money((full - basic) * share)
        total = basic + performance + allowance
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
        basic=basic,
        performance=performance,
        performance_rating=rating,
        performance_paid_share=share,
    )
