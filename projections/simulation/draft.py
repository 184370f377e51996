"""The two schedules: a draft policy and the adopted versions it replaces from its date on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.errors import PolicyInvalid
from domain.policy import Policy, PolicySchedule, following
from domain.policy_parts import ALL_PARAMETERS, PAY_PARAMETERS

DRAFT_REF = "draft (simulation)"
# The parameters a career's grades, steps and flags are derived from; pay and quota aside.
FLAG_PARAMETERS = ("promotion_excellent_years", "dismissal_unqualified_years", "dismissal_due_days")
# What replaying the recorded facts reads (the grade bands, raises and the initial grade).
REPLAY_PARAMETERS = (
    "posts",
    "post_aliases",  # the mapping of dropped posts moves their holders
    "post_grades",
    "education_bonus",
    "prior_service_years_per_grade",
    "education_service_years",
    "certificate_grades",
)
CAREER_PARAMETERS = (*REPLAY_PARAMETERS, "step_years", *FLAG_PARAMETERS)
# Everything a draft may not change to be priced set-wise (``pay_only``).
NON_PAY_PARAMETERS = tuple(name for name in ALL_PARAMETERS if name not in PAY_PARAMETERS)


@dataclass(frozen=True)
class Draft:
    """A draft policy and the date it would be in force from (None: from the start)."""

    policy: Policy
    effective: date | None
    title: str | None = None

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Draft:
        """Validate the document, or raise ``PolicyInvalid`` listing every problem."""
        if not isinstance(document, Mapping):
            raise PolicyInvalid(["the policy must be a JSON object"])
        problems: list[str] = []
        try:
            effective = draft_effective_date(document)
        except PolicyInvalid as error:
            problems, effective = error.problems, None
        try:
            policy = Policy.from_document(document)
        except PolicyInvalid as error:
            raise PolicyInvalid([*error.problems, *problems]) from None
        if problems:
            raise PolicyInvalid(problems)
        title = document.get("title")
        return cls(policy, effective, title if isinstance(title, str) else None)

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.policy.policy_id,
            "title": self.title,
            "in_force_from": self.effective.isoformat() if self.effective else None,
        }


def draft_effective_date(document: Mapping[str, Any]) -> date | None:
    """The draft's ``effective_from``, or None when it has none (in force from the start)."""
    raw = document.get("effective_from")
    if raw is None:
        return None
    try:
        if isinstance(raw, str) and len(raw) == 10:
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise PolicyInvalid(["effective_from: must be a date written YYYY-MM-DD"])


def same_parameters(a: PolicySchedule, b: PolicySchedule, names: Sequence[str]) -> bool:
    """Whether the two schedules agree on these parameters on every date."""
    days = {date.min} | {v.effective_date for v in (*a.versions, *b.versions)}
    return all(getattr(a.on(d), n) == getattr(b.on(d), n) for d in days for n in names)


def pay_only(adopted: PolicySchedule, draft: PolicySchedule) -> bool:
    """Whether ``draft`` differs from ``adopted`` in pay alone: every other parameter is the
    same on every date either schedule changes on. Careers, flags and quotas are then the
    adopted ones, and the draft can be priced over the stored stretches
    (``projections.simulation.setwise``) instead of replaying the history. A split pay's
    performance part is paid by each year's rating, which the stored stretches do not hold:
    a schedule that splits pay on either side is replayed."""
    splits = any(v.policy.pay_split is not None for v in (*adopted.versions, *draft.versions))
    return not splits and same_parameters(adopted, draft, NON_PAY_PARAMETERS)


def draft_schedule(
    adopted: PolicySchedule, draft: Policy, effective: date | None
) -> PolicySchedule:
    """The adopted versions in force before ``effective``, then the draft from it on.

    Every post code recorded under any adopted version must be placed among the draft's
    posts (kept, or by its ``post_mapping``), or the draft is refused listing each."""
    number = max(v.version for v in adopted.versions) + 1
    latest = adopted.versions[-1]  # its posts and aliases hold every code ever recorded
    if effective is None:
        return PolicySchedule([following(latest, number, date.min, DRAFT_REF, draft)])
    kept = [v for v in adopted.versions if v.effective_date < effective]
    return PolicySchedule([*kept, following(latest, number, effective, DRAFT_REF, draft)])
