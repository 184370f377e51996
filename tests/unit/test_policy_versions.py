"""Every derived figure follows the policy version in force on the date it concerns.

Two schedules over the same recorded facts: one version only, and the same
version followed by a second from ``CHANGE`` (1 January 2025). Whatever is
dated before ``CHANGE`` must come out the same under both; what is dated on or
after it follows the second version.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.errors import PolicyOutOfOrder
from domain.pay import pay_for_month
from domain.policy import AdoptedVersion, Policy, PolicySchedule
from domain.policy_book import PolicyBook
from domain.rules import step_clock
from domain.unit import Unit
from domain.vocabulary import Education, Post, Rating, UnitKind
from ledger import views
from tests.unit.builders import LONG_AGO, appraise, document, hire, refused

CHANGE = date(2025, 1, 1)


def policy(**overrides: Any) -> Policy:
    doc = document("chibi-2020")
    for name, value in overrides.items():
        doc["parameters"][name]["value"] = value
    return Policy.from_document(doc)


def schedules(**second: Any) -> tuple[PolicySchedule, PolicySchedule]:
    """(the first version alone, the first then a second with ``second`` from CHANGE)."""
    first = AdoptedVersion(1, LONG_AGO, "first", policy())
    later = AdoptedVersion(2, CHANGE, "second", policy(**second))
    return PolicySchedule([first]), PolicySchedule([first, later])


def test_a_step_interval_change_applies_only_to_steps_from_its_effective_date() -> None:
    before, after = schedules(step_years=2)
    worker = hire(hire_date=date(2020, 3, 1), sched=before)
    appraise(worker, dict.fromkeys(range(2020, 2027), Rating.COMPETENT), sched=before)

    def steps(sched: PolicySchedule) -> list[tuple[date, tuple[int, ...], int]]:
        due = step_clock(worker.state(sched), sched).due
        return [(d.effective_date, d.caused_by_years, d.policy_version) for d in due]

    assert steps(before) == [
        (date(2023, 1, 1), (2020, 2021, 2022), 1),
        (date(2026, 1, 1), (2023, 2024, 2025), 1),
    ]
    # 2023 alone is not enough under 3-year steps on 1 January 2024; from 2025 two
    # years make a step, so 2023 and 2024 step on 1 January 2025, and so on.
    assert steps(after) == [
        (date(2023, 1, 1), (2020, 2021, 2022), 1),
        (date(2025, 1, 1), (2023, 2024), 2),
        (date(2027, 1, 1), (2025, 2026), 2),
    ]


def test_pay_before_the_effective_month_is_unchanged_and_follows_the_new_version_after() -> None:
    before, after = schedules(average_wages={"2019": "39300", "2024": "48000"})
    worker = hire(post=Post.OFFICER, grade=7, hire_date=date(2021, 1, 1), sched=before)

    for month in ("2021-01", "2023-06", "2024-12"):
        old, new = (
            pay_for_month(worker.facts, before, month),
            pay_for_month(worker.facts, after, month),
        )
        assert old is not None and new is not None
        assert new == old, month

    january = pay_for_month(worker.facts, after, "2025-01")
    assert january is not None
    assert january.base == Decimal("3200.00")  # 0.8 x 48 000 / 12
    assert january.policy_version == 2


def test_the_initial_grade_from_the_policy_follows_the_version_in_force_on_the_hire_date() -> None:
    bonus = {"below_associate": 0, "associate": 1, "bachelor": 3, "master": 4, "doctorate": 5}
    before, after = schedules(education_bonus=bonus)
    # Both recorded before the second version was adopted, so both grades were chosen
    # by the first version: assistant minimum 1 + bachelor 2 = 3.
    earlier = hire(education=Education.BACHELOR, hire_date=date(2024, 12, 31), sched=before)
    later = hire(education=Education.BACHELOR, hire_date=date(2025, 3, 1), sched=before)
    given = hire(grade=3, education=Education.BACHELOR, hire_date=date(2025, 3, 1), sched=before)

    assert earlier.state(after).grade == 3
    assert later.state(before).grade == 3
    assert later.state(after).grade == 4, "the second version's bachelor bonus is 3"
    assert given.state(after).grade == 3, "a grade a person chose is a fact, not derived"


def street() -> Unit:
    district = Unit.register(name="包河区", kind=UnitKind.DISTRICT, parent=None)
    return Unit.register(
        name="望湖街道", kind=UnitKind.STREET_OFFICE, parent=district, unit_class=2
    )


def test_the_computed_quota_follows_the_version_in_force_on_the_date_asked_about() -> None:
    bases = {"street_office": 80, "administrative_village": 12, "urban_community": 16}
    _, after = schedules(quota_bases=bases)
    unit = street()

    assert views.unit(unit, after, date(2024, 12, 31))["computed_quota"] == 75
    assert views.unit(unit, after, CHANGE)["computed_quota"] == 80


def test_a_quota_review_falls_due_by_the_rule_in_force_when_the_quota_was_approved() -> None:
    _, after = schedules(quota_review_years=5)
    unit = street()
    unit.approve_quota(quota=70, effective_date=date(2024, 6, 1), document_ref="包编〔2024〕1号")

    # Asked about after the change, the 2024 approval is still reviewed after 3 years.
    assert views.unit(unit, after, date(2026, 1, 1))["quota_review_due"] == "2027-06-01"
    unit.approve_quota(quota=72, effective_date=date(2025, 6, 1), document_ref="包编〔2025〕1号")
    assert views.unit(unit, after, date(2026, 1, 1))["quota_review_due"] == "2030-06-01"


def test_a_version_must_take_effect_after_every_adopted_version() -> None:
    book = PolicyBook.open(document(), date(2020, 1, 1), "包政〔2020〕1号")
    book.adopt(document(), CHANGE, "包政〔2024〕9号")
    book.collect_events()

    for day in (date(2019, 1, 1), CHANGE):
        error = refused(
            book, lambda d=day: book.adopt(document(), d, "包政〔2024〕10号"), PolicyOutOfOrder
        )
        assert error.field == "effective_date"
        assert "2025-01-01" in error.detail
    assert [v.version for v in book.versions] == [1, 2]
    assert book.adopt(document(), date(2025, 1, 2), "包政〔2025〕1号") == 3
