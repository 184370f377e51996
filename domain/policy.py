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
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from domain.errors import InvalidInput, PolicyInvalid, PolicyProblem
from domain.policy_parts import (
    COMMUNITY_KINDS,
    NO_COUNTS,
    UNLIMITED,
    Eligibility,
    PaySplit,
    QuotaFormula,
    UnitCounts,
    money,
)
from domain.policy_reader import PolicyReader
from domain.posts import PostChoice, PostDef, PostName, carried_aliases
from domain.values import Immutable
from domain.vocabulary import CertificateLevel, Channel, Education, UnitKind


@dataclass(frozen=True)
class Policy(Immutable):
    """One version of the rules. Built only through :meth:`from_document`."""

    policy_id: str
    document: Mapping[str, Any]
    posts: tuple[PostDef, ...]  # top first
    post_grades: Mapping[str, tuple[int, int]]
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
    pay_coefficients: Mapping[str, Mapping[int, Decimal]]
    certificate_allowances: Mapping[CertificateLevel, Decimal]
    city_funding_shares: Mapping[str, Decimal]
    channel_eligibility: Mapping[Channel, Eligibility]
    # The optional methods (None or empty: today's method; see OPTIONAL_PARAMETERS).
    fixed_base_pay: Mapping[date, Decimal] | None = None
    pay_split: PaySplit | None = None
    education_service_years: Mapping[Education, int] | None = None
    certificate_grades: Mapping[CertificateLevel, int] | None = None
    quota_formula: QuotaFormula | None = None
    # The document's own mapping of codes earlier versions had to its posts, and every code
    # facts may carry to the post it means under this version (set in a schedule).
    post_mapping: Mapping[str, str] = field(default_factory=dict)
    post_aliases: Mapping[str, str] = field(default_factory=dict)

    # -- posts --------------------------------------------------------------
    def post_of(self, code: str) -> str:
        """The post a recorded code means under this version (a dropped one, mapped)."""
        return self.post_aliases.get(code, code)

    def post_def(self, code: str) -> PostDef:
        wanted = self.post_of(code)
        for post in self.posts:
            if post.code == wanted:
                return post
        return PostDef(code, code, code)  # not a post of this version: shown as recorded

    def post_label(self, code: str, locale: str = "zh-CN") -> str:
        return self.post_def(code).label(locale)

    def post_name(self, code: str) -> PostName:
        """The post as a refusal names it (its label in Chinese, its code in English)."""
        return PostName(self.post_def(code))

    @property
    def post_codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.posts)

    @property
    def top_post(self) -> str:
        return self.posts[0].code

    def require_post(self, code: str) -> str:
        """``code`` if it is a post of this version, else refused naming the posts there are."""
        if code not in self.post_grades:
            raise InvalidInput.because(
                "unknown_post",
                field="post",
                post=code,
                policy=self.policy_id,
                posts=tuple(PostChoice(p) for p in self.posts),  # in the reader's words
            )
        return code

    # -- grades -----------------------------------------------------------
    def grade_range(self, post: str) -> tuple[int, int]:
        return self.post_grades[self.post_of(post)]

    def clamp(self, post: str, grade: int) -> int:
        low, high = self.grade_range(post)
        return max(low, min(high, grade))

    def initial_grade(self, post: str, prior_service_years: int, education: Education) -> int:
        low, _ = self.grade_range(post)
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

    def coefficient(self, post: str, grade: int) -> Decimal:
        return self.pay_coefficients[self.post_of(post)][grade]

    def allowance(self, certificate: CertificateLevel | None) -> Decimal:
        if certificate is None:
            return Decimal("0.00")
        return self.certificate_allowances.get(certificate, Decimal("0.00"))

    def city_share(self, post: str) -> Decimal:
        return self.city_funding_shares[self.post_of(post)]

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
        return cls(**PolicyReader(document, consistency).fields())


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


def known_posts(version: AdoptedVersion | None) -> dict[str, str]:
    """Every code facts recorded up to ``version`` may carry, to the post it means there."""
    if version is None:
        return {}
    policy = version.policy
    return {**{code: code for code in policy.post_codes}, **policy.post_aliases}


def following(
    previous: AdoptedVersion | None,
    version: int,
    effective_date: date,
    document_ref: str,
    policy: Policy,
    *,
    strict: bool = True,
) -> AdoptedVersion:
    """``policy`` adopted after ``previous``, with every code recorded before it placed
    among its posts: by its ``post_mapping``, or kept when the post remains.

    ``strict``: a dropped post left unmapped, or a mapping naming a code no earlier version
    had, is refused with every problem listed (``PolicyInvalid``); otherwise (replaying a
    version accepted before) whatever can be placed is.
    """
    problems: list[PolicyProblem] | None = [] if strict else None
    aliases = carried_aliases(
        known_posts(previous), policy.post_codes, policy.post_mapping, problems
    )
    if problems:
        raise PolicyInvalid(problems)
    return AdoptedVersion(
        version, effective_date, document_ref, replace(policy, post_aliases=aliases)
    )


class PolicySchedule:
    """Which version is in force on a date. The first version also governs
    dates before its effective date: the ledger knew no earlier rules."""

    def __init__(self, versions: list[AdoptedVersion]) -> None:
        if not versions:
            raise ValueError("a schedule needs at least one adopted version")
        self.versions = sorted(versions, key=lambda v: (v.effective_date, v.version))
        # Replaying a career asks for the version of every fact's date: remembered per date
        # (a few thousand dates in a history; the versions never change once scheduled).
        self._on: dict[date, AdoptedVersion] = {}

    def version_on(self, day: date) -> AdoptedVersion:
        found = self._on.get(day)
        if found is not None:
            return found
        current = self.versions[0]
        for version in self.versions:
            if version.effective_date <= day:
                current = version
        self._on[day] = current
        return current

    def on(self, day: date) -> Policy:
        return self.version_on(day).policy
