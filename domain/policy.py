"""The policy: every number of the rules, as data, with where each comes from.

A policy document is JSON. Each parameter is ``{"value": ..., "source": ...,
"note": ...}`` where ``source`` is ``seed`` (the source articles),
``published`` (another city's published rules), ``inferred`` (derived from a
seed figure) or ``default`` (nobody published it; we chose). See
``docs/policy-format.md``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from domain.errors import PolicyInvalid, PolicyProblem
from domain.values import Immutable
from domain.vocabulary import CertificateLevel, Channel, Education, Post, Rating, UnitKind

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
    "channel_eligibility",
    "fixed_base_pay",
    "pay_split",
    "education_service_years",
    "certificate_grades",
    "quota_formula",
)
ALL_PARAMETERS = (*PARAMETERS, *OPTIONAL_PARAMETERS)
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


@dataclass(frozen=True)
class Policy(Immutable):
    """One version of the rules. Built only through :meth:`from_document`."""

    policy_id: str
    document: Mapping[str, Any]
    post_grades: Mapping[Post, tuple[int, int]]
    education_bonus: Mapping[Education, int]
    prior_service_years_per_grade: int
    step_years: int
    promotion_excellent_years: int
    dismissal_unqualified_years: int
    dismissal_due_days: int
    dispatch_min_service_years: int
    dispatch_conversion_share: Decimal
    quota_bases: Mapping[UnitKind, int]
    quota_class_coefficients: Mapping[int, Decimal]
    quota_review_years: int
    base_pay_wage_share: Decimal
    average_wages: Mapping[int, Decimal]
    pay_coefficients: Mapping[Post, Mapping[int, Decimal]]
    certificate_allowances: Mapping[CertificateLevel, Decimal]
    city_funding_shares: Mapping[Post, Decimal]
    channel_eligibility: Mapping[Channel, Eligibility]
    # The optional methods (None or empty: today's method; see OPTIONAL_PARAMETERS).
    fixed_base_pay: Mapping[date, Decimal] | None = None
    pay_split: PaySplit | None = None
    education_service_years: Mapping[Education, int] | None = None
    certificate_grades: Mapping[CertificateLevel, int] | None = None
    quota_formula: QuotaFormula | None = None

    # -- grades -----------------------------------------------------------
    def grade_range(self, post: Post) -> tuple[int, int]:
        return self.post_grades[post]

    def clamp(self, post: Post, grade: int) -> int:
        low, high = self.post_grades[post]
        return max(low, min(high, grade))

    def initial_grade(self, post: Post, prior_service_years: int, education: Education) -> int:
        low, _ = self.post_grades[post]
        per_grade = self.prior_service_years_per_grade
        if self.education_service_years is not None:
            counted = prior_service_years + self.education_service_years[education]
            return self.clamp(post, low + counted // per_grade)
        raw = low + prior_service_years // per_grade + self.education_bonus[education]
        return self.clamp(post, raw)

    def leftover_years(self, prior_service_years: int, education: Education) -> int:
        """Under education counted as years: the counted years at hire that made no whole
        grade, kept for an education upgrade (0 under education counted as grades)."""
        if self.education_service_years is None:
            return 0
        counted = prior_service_years + self.education_service_years[education]
        return counted % self.prior_service_years_per_grade

    def education_raise(
        self, old: Education, new: Education, leftover_years: int
    ) -> tuple[int, int]:
        """Grades an upgrade from ``old`` to ``new`` adds, and the years left over after it.

        As grades: the difference in bonus. As years: the difference in years joins the
        years left over at hire, and every whole ``prior_service_years_per_grade`` of
        them is a grade, so an upgrade gives the grade a hire with the new degree gets."""
        if self.education_service_years is None:
            return self.education_bonus[new] - self.education_bonus[old], leftover_years
        years = self.education_service_years
        counted = leftover_years + years[new] - years[old]
        return divmod(counted, self.prior_service_years_per_grade)

    def certificate_raise(self, old: CertificateLevel | None, new: CertificateLevel) -> int:
        """Grades a higher certificate adds: the highest only, not cumulative."""
        if self.certificate_grades is None:
            return 0
        before = self.certificate_grades[old] if old is not None else 0
        return self.certificate_grades[new] - before

    # -- quota ------------------------------------------------------------
    def computed_quota(
        self, kind: UnitKind, unit_class: int | None, counts: UnitCounts = NO_COUNTS
    ) -> int | None:
        formula = self.quota_formula
        if formula is not None and formula.method != "base_class" and kind in COMMUNITY_KINDS:
            return formula.seats(counts)
        base = self.quota_bases.get(kind)
        if base is None:
            return None
        coefficient = self.quota_class_coefficients.get(unit_class or 2, Decimal(1))
        return int((base * coefficient).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def dispatch_conversion_limit(self, reported_headcount: int) -> int:
        return int(reported_headcount * self.dispatch_conversion_share)

    # -- pay --------------------------------------------------------------
    def base_pay_on(self, day: date) -> Decimal:
        """Pay of coefficient 1 on ``day``: the fixed base in force then (the first one
        for earlier days), or a share of last year's average wage / 12."""
        fixed = self.fixed_base_pay
        if fixed:
            dated = [d for d in fixed if d <= day]
            return fixed[max(dated) if dated else min(fixed)]
        return self.base_pay(day.year)

    def base_pay(self, year: int) -> Decimal:
        """Pay of coefficient 1 in ``year`` by the wage share: a share of last year's
        average wage / 12 (under a fixed base: the base on 1 January)."""
        if self.fixed_base_pay:
            return self.base_pay_on(date(year, 1, 1))
        known = [y for y in self.average_wages if y <= year - 1]
        wage_year = max(known) if known else min(self.average_wages)
        return money(self.base_pay_wage_share * self.average_wages[wage_year] / 12)

    def coefficient(self, post: Post, grade: int) -> Decimal:
        return self.pay_coefficients[post][grade]

    def allowance(self, certificate: CertificateLevel | None) -> Decimal:
        if certificate is None:
            return Decimal("0.00")
        return self.certificate_allowances.get(certificate, Decimal("0.00"))

    def city_share(self, post: Post) -> Decimal:
        return self.city_funding_shares[post]

    # -- entry channels -------------------------------------------------------
    def eligibility(self, channel: Channel) -> Eligibility:
        return self.channel_eligibility.get(channel, UNLIMITED)

    # -- construction -------------------------------------------------------
    @classmethod
    def from_document(cls, document: Mapping[str, Any], *, consistency: bool = True) -> Policy:
        """Validate a policy document and build the policy, or list every problem.

        ``consistency=False`` skips the checks across parameters (a higher post's band
        lower than a lower post's) that were added after policies were first adopted:
        replaying an adopted version must read what was accepted then."""
        return _Reader(document, consistency).build()


class _Reader:
    """Reads a document, collecting every problem instead of stopping at the first."""

    def __init__(self, document: Mapping[str, Any], consistency: bool = True) -> None:
        self.document = document
        self.consistency = consistency
        self.problems: list[PolicyProblem] = []

    def _problem(self, kind: str, where: str = "", **params: Any) -> None:
        self.problems.append(PolicyProblem(kind, where, **params))

    def build(self) -> Policy:
        doc = self.document
        if not isinstance(doc, Mapping):
            raise PolicyInvalid([PolicyProblem("not_object")])
        params = doc.get("parameters")
        if not isinstance(params, Mapping):
            raise PolicyInvalid([PolicyProblem("parameters_not_object")])
        policy_id = doc.get("id")
        if not isinstance(policy_id, str) or not policy_id.strip():
            self._problem("id_missing")
        values: dict[str, Any] = {}
        for name in ALL_PARAMETERS:
            entry = params.get(name)
            if entry is None and name in OPTIONAL_PARAMETERS:
                continue
            if entry is None and isinstance(params.get(REPLACED_BY.get(name, "")), Mapping):
                continue  # another method replaces it
            if not isinstance(entry, Mapping) or "value" not in entry:
                self._problem("missing", f"parameters.{name}")
                continue
            if entry.get("source") not in SOURCES:
                self._problem("bad_source", f"parameters.{name}.source", sources=sorted(SOURCES))
            values[name] = entry["value"]
        for name in params:
            if name not in ALL_PARAMETERS:
                self._problem("unknown_parameter", f"parameters.{name}")
        # Read the parameters that are there even when some are missing, so that
        # every problem is listed at once; a missing one reads as None and its
        # follow-on complaints are dropped below.
        replaced = {
            name
            for name in REPLACED_BY
            if params.get(name) is None and isinstance(params.get(REPLACED_BY[name]), Mapping)
        }
        missing = [name for name in PARAMETERS if name not in values and name not in replaced]
        if "channel_eligibility" not in params:
            values["channel_eligibility"] = {}
        values.update(dict.fromkeys(missing, None))
        for name in OPTIONAL_PARAMETERS:
            values.setdefault(name, None)
        reported = len(self.problems)

        post_grades = self._post_grades(values["post_grades"])
        policy = Policy(
            policy_id=str(policy_id),
            document=json.loads(json.dumps(doc)),
            post_grades=post_grades,
            education_bonus=(
                dict.fromkeys(Education, 0)
                if "education_bonus" in replaced
                else self._enum_map(
                    "education_bonus", values["education_bonus"], Education, self._int
                )
            ),
            prior_service_years_per_grade=self._int(
                "prior_service_years_per_grade", values["prior_service_years_per_grade"], 1
            ),
            step_years=self._int("step_years", values["step_years"], 1),
            promotion_excellent_years=self._int(
                "promotion_excellent_years", values["promotion_excellent_years"], 1
            ),
            dismissal_unqualified_years=self._int(
                "dismissal_unqualified_years", values["dismissal_unqualified_years"], 1
            ),
            dismissal_due_days=self._int("dismissal_due_days", values["dismissal_due_days"], 0),
            dispatch_min_service_years=self._int(
                "dispatch_min_service_years", values["dispatch_min_service_years"], 0
            ),
            dispatch_conversion_share=self._share(
                "dispatch_conversion_share", values["dispatch_conversion_share"]
            ),
            quota_bases=self._enum_map(
                "quota_bases", values["quota_bases"], UnitKind, self._int, complete=False
            ),
            quota_class_coefficients=self._class_coefficients(values["quota_class_coefficients"]),
            quota_review_years=self._int("quota_review_years", values["quota_review_years"], 1),
            base_pay_wage_share=(
                Decimal(0)
                if "base_pay_wage_share" in replaced
                else self._share("base_pay_wage_share", values["base_pay_wage_share"])
            ),
            average_wages=(
                {} if "average_wages" in replaced else self._average_wages(values["average_wages"])
            ),
            pay_coefficients=self._pay_coefficients(values["pay_coefficients"], post_grades),
            certificate_allowances=(
                {}
                if "certificate_allowances" in replaced
                else self._enum_map(
                    "certificate_allowances",
                    values["certificate_allowances"],
                    CertificateLevel,
                    self._money,
                )
            ),
            city_funding_shares=self._enum_map(
                "city_funding_shares", values["city_funding_shares"], Post, self._share
            ),
            channel_eligibility=self._channel_eligibility(values["channel_eligibility"]),
            fixed_base_pay=self._fixed_base_pay(values["fixed_base_pay"]),
            pay_split=self._pay_split(values["pay_split"]),
            education_service_years=(
                None
                if values["education_service_years"] is None
                else self._enum_map(
                    "education_service_years",
                    values["education_service_years"],
                    Education,
                    self._int,
                )
            ),
            certificate_grades=(
                None
                if values["certificate_grades"] is None
                else self._enum_map(
                    "certificate_grades", values["certificate_grades"], CertificateLevel, self._int
                )
            ),
            quota_formula=self._quota_formula(values["quota_formula"]),
        )
        if self.consistency:
            self._bands_in_order(post_grades)
        self.problems[reported:] = [
            problem
            for problem in self.problems[reported:]
            if not any(
                problem.where == f"parameters.{name}"
                or problem.where.startswith(f"parameters.{name}.")
                for name in missing
            )
        ]
        if self.problems:
            raise PolicyInvalid(self.problems)
        return policy

    # -- typed readers: each records a problem and returns a harmless value --
    def _int(self, where: str, raw: Any, minimum: int = 0) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < minimum:
            self._problem("whole_number", f"parameters.{where}", minimum=minimum)
            return minimum
        return raw

    def _decimal(self, where: str, raw: Any) -> Decimal:
        try:
            if isinstance(raw, bool) or not isinstance(raw, (str, int)):
                raise InvalidOperation
            value = Decimal(raw)
            if not value.is_finite() or value < 0:
                raise InvalidOperation
        except InvalidOperation:
            self._problem("decimal", f"parameters.{where}")
            return Decimal(0)
        return value

    def _share(self, where: str, raw: Any) -> Decimal:
        value = self._decimal(where, raw)
        if value > 1:
            self._problem("share", f"parameters.{where}")
        return value

    def _money(self, where: str, raw: Any) -> Decimal:
        return money(self._decimal(where, raw))

    def _enum_map(
        self,
        name: str,
        raw: Any,
        enum: Any,
        read: Any,
        *,
        complete: bool = True,
    ) -> dict[Any, Any]:
        if not isinstance(raw, Mapping):
            self._problem("not_an_object", f"parameters.{name}")
            return {}
        result: dict[Any, Any] = {}
        codes = {member.value: member for member in enum}
        for key, value in raw.items():
            if key not in codes:
                self._problem("unknown_code", f"parameters.{name}.{key}")
                continue
            result[codes[key]] = read(f"{name}.{key}", value)
        if complete:
            for code in codes:
                if code not in raw:
                    self._problem("missing_code", f"parameters.{name}.{code}")
        return result

    def _post_grades(self, raw: Any) -> dict[Post, tuple[int, int]]:
        ranges: dict[Post, tuple[int, int]] = {}
        for post, pair in self._enum_map("post_grades", raw, Post, _identity).items():
            if (
                not isinstance(pair, list)
                or len(pair) != 2
                or not all(isinstance(g, int) and not isinstance(g, bool) for g in pair)
                or not 1 <= pair[0] <= pair[1]
            ):
                self._problem("band", f"parameters.post_grades.{post.value}")
                continue
            ranges[post] = (pair[0], pair[1])
        return ranges

    def _class_coefficients(self, raw: Any) -> dict[int, Decimal]:
        if not isinstance(raw, Mapping) or set(raw) != {"1", "2", "3"}:
            self._problem("class_coefficients", "parameters.quota_class_coefficients")
            return {}
        return {int(k): self._decimal(f"quota_class_coefficients.{k}", v) for k, v in raw.items()}

    def _average_wages(self, raw: Any) -> dict[int, Decimal]:
        if not isinstance(raw, Mapping) or not raw:
            self._problem("average_wages", "parameters.average_wages")
            return {}
        wages: dict[int, Decimal] = {}
        for year, wage in raw.items():
            if not (isinstance(year, str) and year.isdigit() and len(year) == 4):
                self._problem("not_a_year", f"parameters.average_wages.{year}")
                continue
            wages[int(year)] = self._decimal(f"average_wages.{year}", wage)
        return wages

    def _pay_coefficients(
        self, raw: Any, post_grades: Mapping[Post, tuple[int, int]]
    ) -> dict[Post, dict[int, Decimal]]:
        table: dict[Post, dict[int, Decimal]] = {}
        rows = self._enum_map("pay_coefficients", raw, Post, _identity)
        for post, row in rows.items():
            if not isinstance(row, Mapping):
                self._problem("not_an_object", f"parameters.pay_coefficients.{post.value}")
                continue
            table[post] = {}
            for grade, value in row.items():
                if not (isinstance(grade, str) and grade.isdigit()):
                    self._problem(
                        "not_a_grade", f"parameters.pay_coefficients.{post.value}.{grade}"
                    )
                    continue
                table[post][int(grade)] = self._decimal(
                    f"pay_coefficients.{post.value}.{grade}", value
                )
            if post in post_grades:
                low, high = post_grades[post]
                missing = [g for g in range(low, high + 1) if g not in table[post]]
                if missing:
                    self._problem(
                        "missing_coefficients",
                        f"parameters.pay_coefficients.{post.value}",
                        grades=missing,
                    )
        return table

    def _channel_eligibility(self, raw: Any) -> dict[Channel, Eligibility]:
        entries = self._enum_map("channel_eligibility", raw, Channel, _identity, complete=False)
        found: dict[Channel, Eligibility] = {}
        for channel, entry in entries.items():
            where = f"parameters.channel_eligibility.{channel.value}"
            if not isinstance(entry, Mapping):
                self._problem("not_an_object", where)
                continue
            for key in entry:
                if key not in ELIGIBILITY_FIELDS:
                    self._problem(
                        "unknown_field", f"{where}.{key}", allowed=list(ELIGIBILITY_FIELDS)
                    )
            age = entry.get("age_under")
            low, high = AGE_LIMIT_BOUNDS
            if age is not None and (
                isinstance(age, bool) or not isinstance(age, int) or not low <= age <= high
            ):
                self._problem("age_limit", f"{where}.age_under", low=low, high=high)
                age = None
            education = entry.get("min_education")
            codes = [e.value for e in Education]
            if education is not None and education not in codes:
                self._problem("education_code", f"{where}.min_education", allowed=codes)
                education = None
            found[channel] = Eligibility(age, Education(education) if education else None)
        return found

    def _fixed_base_pay(self, raw: Any) -> dict[date, Decimal] | None:
        if raw is None:
            return None
        where = "parameters.fixed_base_pay"
        if not isinstance(raw, Mapping) or not raw:
            self._problem("fixed_base_pay", where)
            return None
        bases: dict[date, Decimal] = {}
        for day, amount in raw.items():
            try:
                bases[date.fromisoformat(day)] = self._money(f"fixed_base_pay.{day}", amount)
            except (TypeError, ValueError):
                self._problem("not_a_date", f"{where}.{day}")
        return bases or None

    def _pay_split(self, raw: Any) -> PaySplit | None:
        if raw is None:
            return None
        where = "parameters.pay_split"
        if not isinstance(raw, Mapping):
            self._problem("not_an_object", where)
            return None
        for key in raw:
            if key not in PAY_SPLIT_FIELDS:
                self._problem("unknown_field", f"{where}.{key}", allowed=list(PAY_SPLIT_FIELDS))
        if "basic_share" not in raw:
            self._problem("missing_code", f"{where}.basic_share")
        basic = self._share("pay_split.basic_share", raw.get("basic_share", "1"))
        paid = self._enum_map(
            "pay_split.performance_paid", raw.get("performance_paid"), Rating, self._share
        )
        unrated = self._share("pay_split.unrated_paid", raw.get("unrated_paid", "1"))
        return PaySplit(basic, paid, unrated)

    def _quota_formula(self, raw: Any) -> QuotaFormula | None:
        if raw is None:
            return None
        where = "parameters.quota_formula"
        if not isinstance(raw, Mapping):
            self._problem("not_an_object", where)
            return None
        method = raw.get("method")
        if method not in QUOTA_METHODS:
            self._problem("quota_method", f"{where}.method", allowed=list(QUOTA_METHODS))
            return None
        allowed = ("method", *QUOTA_FIELDS[method])
        for key in raw:
            if key not in allowed:
                self._problem("unknown_field", f"{where}.{key}", allowed=list(allowed))

        def whole(key: str, minimum: int, default: int | None = None) -> int | None:
            value = raw.get(key)
            if value is None:
                if default is None:
                    self._problem("missing_code", f"{where}.{key}")
                return default
            return self._int(f"quota_formula.{key}", value, minimum)

        if method == "committee_plus_grids":
            return QuotaFormula(
                method,
                committee_seats=whole("committee_seats", 0) or 0,
                households_per_seat=(
                    None
                    if raw.get("households_per_seat") is None
                    else whole("households_per_seat", 1)
                ),
            )
        if method == "household_bands":
            bands = self._bands(raw.get("bands"))
            beyond = raw.get("beyond")
            beyond_from = beyond_per = None
            if beyond is not None:
                if not isinstance(beyond, Mapping) or set(beyond) != {
                    "from",
                    "households_per_seat",
                }:
                    self._problem("quota_beyond", f"{where}.beyond")
                else:
                    beyond_from = self._int("quota_formula.beyond.from", beyond["from"], 0)
                    beyond_per = self._int(
                        "quota_formula.beyond.households_per_seat",
                        beyond["households_per_seat"],
                        1,
                    )
            max_seats = raw.get("max_seats")
            return QuotaFormula(
                method,
                committee_seats=whole("committee_seats", 0, 0) or 0,
                bands=bands,
                beyond_from=beyond_from,
                beyond_households_per_seat=beyond_per,
                max_seats=None if max_seats is None else whole("max_seats", 1),
            )
        if method == "per_residents":
            return QuotaFormula(
                method,
                seats_per_10000=whole("seats_per_10000", 1) or 1,
                minimum_seats=whole("minimum_seats", 0, 0) or 0,
                minimum_below_population=whole("minimum_below_population", 0, 0) or 0,
            )
        return QuotaFormula(method)

    def _bands(self, raw: Any) -> tuple[tuple[int, int], ...]:
        """``[[from households, seats], ...]``: from 0, households rising, seats not falling."""
        where = "parameters.quota_formula.bands"
        pairs = raw if isinstance(raw, list) else None
        if not pairs or not all(
            isinstance(p, list)
            and len(p) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in p)
            for p in pairs
        ):
            self._problem("quota_bands", where)
            return ()
        bands = tuple((p[0], p[1]) for p in pairs)
        if bands[0][0] != 0 or any(b[0] <= a[0] or b[1] < a[1] for a, b in pairwise(bands)):
            self._problem("quota_bands", where)
        return bands

    def _bands_in_order(self, bands: Mapping[Post, tuple[int, int]]) -> None:
        """A higher post's band may overlap a lower one's, but not lie lower at both
        ends: promotion up the posts would then lower the grade band."""
        ranked = [post for post in Post if post in bands]  # the vocabulary lists top first
        for higher, lower in pairwise(ranked):
            (h_low, h_high), (l_low, l_high) = bands[higher], bands[lower]
            if h_low < l_low and h_high < l_high:
                self._problem(
                    "bands_inverted",
                    "parameters.post_grades",
                    higher=higher.value,
                    higher_zh=higher.label,
                    higher_band=[h_low, h_high],
                    lower=lower.value,
                    lower_zh=lower.label,
                    lower_band=[l_low, l_high],
                )


def _identity(_where: str, raw: Any) -> Any:
    return raw


# -- shipped packs ------------------------------------------------------------
DEFAULT_PACK = "baohe-2020"


def shipped_packs() -> list[str]:
    folder = resources.files("domain.policies")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


def load_document(name_or_path: str) -> dict[str, Any]:
    """Read a shipped pack by name (``baohe-2020``) or a policy file by path."""
    if name_or_path in shipped_packs():
        text = (resources.files("domain.policies") / f"{name_or_path}.json").read_text(
            encoding="utf-8"
        )
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise PolicyInvalid(
                [PolicyProblem("no_such_pack", name_or_path, packs=shipped_packs())]
            )
        text = path.read_text(encoding="utf-8")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        problem = PolicyProblem("not_json", name_or_path, error=str(error))
        raise PolicyInvalid([problem]) from error
    if not isinstance(document, dict):
        raise PolicyInvalid([PolicyProblem("not_object")])
    return document


@dataclass(frozen=True)
class AdoptedVersion(Immutable):
    """A policy in force from ``effective_date``, adopted under ``document_ref``."""

    version: int
    effective_date: date
    document_ref: str
    policy: Policy


class PolicySchedule:
    """Which version is in force on a date. The first version also governs
    dates before its effective date: the ledger knew no earlier rules."""

    def __init__(self, versions: list[AdoptedVersion]) -> None:
        if not versions:
            raise ValueError("a schedule needs at least one adopted version")
        self.versions = sorted(versions, key=lambda v: (v.effective_date, v.version))

    def version_on(self, day: date) -> AdoptedVersion:
        current = self.versions[0]
        for version in self.versions:
            if version.effective_date <= day:
                current = version
        return current

    def on(self, day: date) -> Policy:
        return self.version_on(day).policy
