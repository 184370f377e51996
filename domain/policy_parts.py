"""The parts of a policy: its parameters' names, and the small values a policy holds
(eligibility by channel, a unit's counts, a pay split, a quota formula), with the
arithmetic they share. ``domain.policy`` builds a ``Policy`` from them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from domain.values import Immutable
from domain.vocabulary import Education, Rating, UnitKind

SOURCES = frozenset({"seed", "published", "inferred", "default"})
CENT = Decimal("0.01")

PARAMETERS = (
    "post_grades",
    "education_bonus",
    "prior_service_years_per_grade",
    "step_years",
    "promotion_excellent_years",
    "dismissal_unqualified_years",
    "dismissal_due_days",
    "dispatch_min_service_years",
    "dispatch_conversion_share",
    "quota_bases",
    "quota_class_coefficients",
    "quota_review_years",
    "base_pay_wage_share",
    "average_wages",
    "pay_coefficients",
    "certificate_allowances",
    "city_funding_shares",
)
# Parameters a document may leave out: a policy adopted before one existed reads as it
# always did (the default below), so a ledger's stored versions keep their meaning.
OPTIONAL_PARAMETERS = (
    "posts",
    "channel_eligibility",
    "fixed_base_pay",
    "pay_split",
    "education_service_years",
    "certificate_grades",
    "quota_formula",
)
ALL_PARAMETERS = (*PARAMETERS, *OPTIONAL_PARAMETERS)
# What a month's pay is priced from (``domain.pay.price``) and nothing else reads: a draft
# that changes only these leaves every career (grades, steps, flags) and quota as it is.
PAY_PARAMETERS = (
    "base_pay_wage_share",
    "average_wages",
    "fixed_base_pay",
    "pay_coefficients",
    "certificate_allowances",
    "city_funding_shares",
    "pay_split",
)
# A required parameter another method replaces: with the optional one present, the
# required one may be left out (a fixed base needs no average wage).
REPLACED_BY = {
    "base_pay_wage_share": "fixed_base_pay",
    "average_wages": "fixed_base_pay",
    "education_bonus": "education_service_years",
    "certificate_allowances": "certificate_grades",
}
QUOTA_METHODS = ("base_class", "committee_plus_grids", "household_bands", "per_residents")
QUOTA_FIELDS: dict[str, tuple[str, ...]] = {
    "base_class": (),
    "committee_plus_grids": ("committee_seats", "households_per_seat"),
    "household_bands": ("committee_seats", "bands", "beyond", "max_seats"),
    "per_residents": ("seats_per_10000", "minimum_seats", "minimum_below_population"),
}
PAY_SPLIT_FIELDS = ("basic_share", "performance_paid", "unrated_paid")
COMMUNITY_KINDS = frozenset(
    {
        UnitKind.URBAN_COMMUNITY,
        UnitKind.ADMINISTRATIVE_VILLAGE,
        UnitKind.VILLAGE_CONVERTED_COMMUNITY,
    }
)
# An age limit (the age a hire must be under) outside these bounds refuses nearly
# everyone or nobody: a typing mistake, not a rule.
AGE_LIMIT_BOUNDS = (20, 100)
ELIGIBILITY_FIELDS = ("age_under", "min_education")


@dataclass(frozen=True)
class Eligibility(Immutable):
    """Who an entry channel may hire: younger than ``age_under`` on the hire date and
    with at least ``min_education``; None: no limit."""

    age_under: int | None = None
    min_education: Education | None = None

    def refusal(self, age: int, education: Education) -> tuple[str, str] | None:
        """Why a person of ``age`` with ``education`` is refused, and the field to blame."""
        if self.age_under is not None and age >= self.age_under:
            return f"under {self.age_under} on the hire date, not {age}", "birth_date"
        if self.min_education is not None and education.rank < self.min_education.rank:
            return (
                f"at least {self.min_education.value} ({self.min_education.label}), "
                f"not {education.value} ({education.label})",
                "education",
            )
        return None


UNLIMITED = Eligibility()


@dataclass(frozen=True)
class UnitCounts(Immutable):
    """What a unit counts on a date (None: not recorded): the quota formulas' inputs."""

    households: int | None = None
    grids: int | None = None
    population: int | None = None


NO_COUNTS = UnitCounts()


@dataclass(frozen=True)
class PaySplit(Immutable):
    """Pay split into a basic part and a performance part; the performance part of a
    year's months is paid at the share its rating earns (``unrated_paid`` until the
    year is rated)."""

    basic_share: Decimal
    performance_paid: Mapping[Rating, Decimal]
    unrated_paid: Decimal = Decimal(1)

    def paid_share(self, rating: Rating | None) -> Decimal:
        if rating is None:
            return self.unrated_paid
        return self.performance_paid[rating]


@dataclass(frozen=True)
class QuotaFormula(Immutable):
    """A community's computed quota from its counts (see docs/policy-format.md)."""

    method: str
    committee_seats: int = 0
    households_per_seat: int | None = None
    bands: tuple[tuple[int, int], ...] = ()
    beyond_from: int | None = None
    beyond_households_per_seat: int | None = None
    max_seats: int | None = None
    seats_per_10000: int = 0
    minimum_seats: int = 0
    minimum_below_population: int = 0

    def seats(self, counts: UnitCounts) -> int | None:
        """The computed quota, or None when the counts it needs are not recorded."""
        if self.method == "committee_plus_grids":
            if counts.grids is not None:
                return self.committee_seats + counts.grids
            if counts.households is None or self.households_per_seat is None:
                return None
            per = Decimal(counts.households) / self.households_per_seat
            return self.committee_seats + int(per.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if self.method == "household_bands":
            households = counts.households
            if households is None:
                return None
            workers = max((seats for start, seats in self.bands if start <= households), default=0)
            if (
                self.beyond_from is not None
                and self.beyond_households_per_seat
                and households >= self.beyond_from
            ):
                workers += (households - self.beyond_from) // self.beyond_households_per_seat
            total = self.committee_seats + workers
            return total if self.max_seats is None else min(total, self.max_seats)
        if self.method == "per_residents":
            if counts.population is None:
                return None
            seats = math.ceil(counts.population * self.seats_per_10000 / 10000)
            if counts.population < self.minimum_below_population:
                seats = max(seats, self.minimum_seats)
            return seats
        return None


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on ``day`` (周岁)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def money(value: Decimal) -> Decimal:
    """Round to the fen, half up, as payroll offices do."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
