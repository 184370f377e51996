"""The policy: every number of the rules, as data, with where each comes from.

A policy document is JSON. Each parameter is ``{"value": ..., "source": ...,
"note": ...}`` where ``source`` is ``seed`` (the source articles),
``published`` (another city's published rules), ``inferred`` (derived from a
seed figure) or ``default`` (nobody published it; we chose). See
``docs/policy-format.md``.
"""

from __future__ import annotations

import json
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
from domain.vocabulary import CertificateLevel, Channel, Education, Post, UnitKind

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
OPTIONAL_PARAMETERS = ("channel_eligibility",)
ALL_PARAMETERS = (*PARAMETERS, *OPTIONAL_PARAMETERS)
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

    # -- grades -----------------------------------------------------------
    def grade_range(self, post: Post) -> tuple[int, int]:
        return self.post_grades[post]

    def clamp(self, post: Post, grade: int) -> int:
        low, high = self.post_grades[post]
        return max(low, min(high, grade))

    def initial_grade(self, post: Post, prior_service_years: int, education: Education) -> int:
        low, _ = self.post_grades[post]
        raw = (
            low
            + prior_service_years // self.prior_service_years_per_grade
            + self.education_bonus[education]
        )
        return self.clamp(post, raw)

    # -- quota ------------------------------------------------------------
    def computed_quota(self, kind: UnitKind, unit_class: int | None) -> int | None:
        base = self.quota_bases.get(kind)
        if base is None:
            return None
        coefficient = self.quota_class_coefficients.get(unit_class or 2, Decimal(1))
        return int((base * coefficient).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def dispatch_conversion_limit(self, reported_headcount: int) -> int:
        return int(reported_headcount * self.dispatch_conversion_share)

    # -- pay --------------------------------------------------------------
    def base_pay(self, year: int) -> Decimal:
        """Pay of coefficient 1 in ``year``: a share of last year's average wage / 12."""
        known = [y for y in self.average_wages if y <= year - 1]
        wage_year = max(known) if known else min(self.average_wages)
        return money(self.base_pay_wage_share * self.average_wages[wage_year] / 12)

    def coefficient(self, post: Post, grade: int) -> Decimal:
        return self.pay_coefficients[post][grade]

    def allowance(self, certificate: CertificateLevel | None) -> Decimal:
        if certificate is None:
            return Decimal("0.00")
        return self.certificate_allowances[certificate]

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
        missing = [name for name in PARAMETERS if name not in values]
        if "channel_eligibility" not in params:
            values["channel_eligibility"] = {}
        values.update(dict.fromkeys(missing, None))
        reported = len(self.problems)

        post_grades = self._post_grades(values["post_grades"])
        policy = Policy(
            policy_id=str(policy_id),
            document=json.loads(json.dumps(doc)),
            post_grades=post_grades,
            education_bonus=self._enum_map(
                "education_bonus", values["education_bonus"], Education, self._int
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
            base_pay_wage_share=self._share("base_pay_wage_share", values["base_pay_wage_share"]),
            average_wages=self._average_wages(values["average_wages"]),
            pay_coefficients=self._pay_coefficients(values["pay_coefficients"], post_grades),
            certificate_allowances=self._enum_map(
                "certificate_allowances",
                values["certificate_allowances"],
                CertificateLevel,
                self._money,
            ),
            city_funding_shares=self._enum_map(
                "city_funding_shares", values["city_funding_shares"], Post, self._share
            ),
            channel_eligibility=self._channel_eligibility(values["channel_eligibility"]),
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
