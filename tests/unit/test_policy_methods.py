"""Issue 13 items 2, 3 and 5: the pay base methods and the basic/performance split, education
as years of service and certificates as grades, and the quota formulas. Every expected
figure is worked by hand in the comment beside it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.errors import PolicyInvalid
from domain.pay import pay_for_month, price
from domain.policy import AdoptedVersion, Policy, PolicySchedule, UnitCounts, load_document
from domain.vocabulary import CertificateLevel, Education, Post, Rating, UnitKind
from tests.unit.builders import LONG_AGO, SCHEDULE, appraise, document, hire

BENXI_SPLIT = {
    "basic_share": "0.8",
    "performance_paid": {
        "excellent": "1",
        "competent": "1",
        "basically_competent": "1",
        "unqualified": "0",
    },
}
YEARS = {"below_associate": 0, "associate": 0, "bachelor": 3, "master": 5, "doctorate": 7}
HOHHOT = {"assistant_social_worker": 1, "social_worker": 2, "senior_social_worker": 3}
TAIYUAN = {
    "method": "household_bands",
    "committee_seats": 7,
    "bands": [[0, 3], [2000, 4], [3000, 5], [4000, 6]],
    "beyond": {"from": 5000, "households_per_seat": 500},
    "max_seats": 17,
}
GANSU = {
    "method": "per_residents",
    "seats_per_10000": 18,
    "minimum_seats": 9,
    "minimum_below_population": 5000,
}


def policy_with(add: dict[str, Any] | None = None, drop: tuple[str, ...] = ()) -> Policy:
    doc = document()
    for name, value in (add or {}).items():
        doc["parameters"][name] = {"value": value, "source": "published"}
    for name in drop:
        del doc["parameters"][name]
    return Policy.from_document(doc)


def schedule_of(policy: Policy) -> PolicySchedule:
    return PolicySchedule([AdoptedVersion(1, LONG_AGO, "test", policy)])


# -- a document without the new parameters means what it meant ----------------------------
@pytest.mark.parametrize("pack", ["baohe-2020"])
def test_a_document_without_the_new_parameters_keeps_todays_methods(pack: str) -> None:
    policy = Policy.from_document(load_document(pack))
    assert policy.fixed_base_pay is None and policy.pay_split is None
    assert policy.education_service_years is None and policy.certificate_grades is None
    assert policy.quota_formula is None
    # 0.8 x 39 300 / 12 = 2620.00; 16 x 1.0 = 16; grade 1 + 3 (master) = 4.
    assert policy.base_pay_on(date(2024, 5, 1)) == Decimal("2620.00")
    assert policy.computed_quota(UnitKind.URBAN_COMMUNITY, 2, UnitCounts(3000, 6, 9000)) == 16
    assert policy.initial_grade(Post.ASSISTANT, 1, Education.MASTER) == 4
    line = price(schedule_of(policy), "2024-05", Post.ASSISTANT, 1, None)
    assert (line.total, line.basic, line.performance) == (
        Decimal("2620.00"),
        Decimal("2620.00"),
        Decimal("0.00"),
    )
    assert line.performance_rating is None and line.performance_paid_share is None


# -- item 2: pay base methods ----------------------------------------------------------------
def test_the_xian_pack_pays_a_fixed_base_of_3900() -> None:
    policy = Policy.from_document(load_document("xian-2022"))
    sched = schedule_of(policy)
    # grade 1: 1.0000 x 3900 = 3900.00; director 18: 1.8332 x 3900 = 7149.48.
    assert price(sched, "2022-07", Post.ASSISTANT, 1, None).total == Decimal("3900.00")
    assert price(sched, "2025-01", Post.DIRECTOR, 18, None).total == Decimal("7149.48")
    # before the first date the first value governs, as the first policy version does
    assert price(sched, "2021-03", Post.ASSISTANT, 1, None).base == Decimal("3900.00")


def test_a_fixed_base_follows_its_dated_values() -> None:
    policy = policy_with(
        {"fixed_base_pay": {"2023-01-01": "3400", "2026-01-01": "3600.50"}},
        drop=("base_pay_wage_share", "average_wages"),
    )
    sched = schedule_of(policy)
    # grade 3: coefficient 1.0980. 1.0980 x 3400 = 3733.20; 1.0980 x 3600.50 = 3953.349 -> .35
    assert price(sched, "2025-12", Post.OFFICER, 3, None).total == Decimal("3733.20")
    assert price(sched, "2026-01", Post.OFFICER, 3, None).total == Decimal("3953.35")
    # a certificate allowance adds as before: 3733.20 + 200.00
    line = price(sched, "2025-12", Post.OFFICER, 3, CertificateLevel.SOCIAL_WORKER)
    assert line.total == Decimal("3933.20")


def test_benxi_split_withholds_an_unqualified_years_performance_pay() -> None:
    policy = policy_with(
        {"fixed_base_pay": {"2023-01-01": "3400"}, "pay_split": BENXI_SPLIT},
        drop=("base_pay_wage_share", "average_wages"),
    )
    sched = schedule_of(policy)
    # director 7: 1.2941 x 3400 = 4399.94; basic 0.8 x 4399.94 = 3519.952 -> 3519.95;
    # performance 4399.94 - 3519.95 = 879.99, paid in full or not at all.
    competent = price(sched, "2023-05", Post.DIRECTOR, 7, None, Rating.COMPETENT)
    assert (competent.basic, competent.performance, competent.total) == (
        Decimal("3519.95"),
        Decimal("879.99"),
        Decimal("4399.94"),
    )
    unqualified = price(sched, "2023-05", Post.DIRECTOR, 7, None, Rating.UNQUALIFIED)
    assert (unqualified.performance, unqualified.total) == (Decimal("0.00"), Decimal("3519.95"))
    # city share 70 %: 0.70 x 3519.95 = 2463.965 -> 2463.97
    assert unqualified.city_share == Decimal("2463.97")
    # not yet rated: paid at unrated_paid, by default in full
    assert price(sched, "2023-05", Post.DIRECTOR, 7, None).total == Decimal("4399.94")


def test_a_70_30_split_pays_the_performance_part_by_the_rating_share() -> None:
    split = {
        "basic_share": "0.7",
        "performance_paid": {
            "excellent": "1.2",
            "competent": "1",
            "basically_competent": "0.5",
            "unqualified": "0",
        },
        "unrated_paid": "0",
    }
    with pytest.raises(PolicyInvalid) as refused:
        policy_with({"pay_split": split})  # a share above 1
    assert [p.kind for p in refused.value.problems] == ["share"]
    split["performance_paid"]["excellent"] = "1"  # type: ignore[index]
    sched = schedule_of(policy_with({"pay_split": split}))
    # assistant 1 at 2620.00: basic 0.7 x 2620 = 1834.00; performance 786.00 x 0.5 = 393.00
    line = price(sched, "2024-03", Post.ASSISTANT, 1, None, Rating.BASICALLY_COMPETENT)
    assert (line.basic, line.performance, line.total) == (
        Decimal("1834.00"),
        Decimal("393.00"),
        Decimal("2227.00"),
    )
    assert line.performance_paid_share == Decimal("0.5")
    # unrated_paid 0: nothing until the year is rated
    assert price(sched, "2024-03", Post.ASSISTANT, 1, None).total == Decimal("1834.00")


def test_a_workers_pay_reads_the_years_rating_from_the_facts() -> None:
    sched = schedule_of(
        policy_with(
            {"fixed_base_pay": {"2023-01-01": "3400"}, "pay_split": BENXI_SPLIT},
            drop=("base_pay_wage_share", "average_wages"),
        )
    )
    worker = hire(hire_date=date(2023, 1, 1), sched=sched)
    # assistant 1: 3400.00 = basic 2720.00 + performance 680.00
    assert pay_for_month(worker.facts, sched, "2023-05").total == Decimal("3400.00")  # type: ignore[union-attr]
    appraise(worker, {2023: Rating.UNQUALIFIED}, sched=sched)
    may = pay_for_month(worker.facts, sched, "2023-05")
    assert may is not None and may.total == Decimal("2720.00")
    assert may.performance_rating is Rating.UNQUALIFIED
    # 2024 is not rated yet: paid in full
    assert pay_for_month(worker.facts, sched, "2024-02").total == Decimal("3400.00")  # type: ignore[union-attr]


# -- item 3: education as years, certificates as grades --------------------------------------
def test_education_counted_as_years_before_dividing() -> None:
    bands = {
        "director": [7, 18],
        "deputy_director": [4, 15],
        "officer": [3, 14],
        "assistant": [1, 12],
    }
    doc = document()
    doc["parameters"]["post_grades"]["value"] = bands
    doc["parameters"]["pay_coefficients"]["value"]["deputy_director"]["4"] = "1.1470"
    doc["parameters"]["education_service_years"] = {"value": YEARS, "source": "published"}
    del doc["parameters"]["education_bonus"]
    policy = Policy.from_document(doc)
    # a master's with one prior year under three-year steps: 4 + (1 + 5) // 3 = 6, not 5
    assert policy.initial_grade(Post.DEPUTY_DIRECTOR, 1, Education.MASTER) == 6
    # bachelor, no prior: 4 + 3 // 3 = 5; doctorate + 2 prior: 4 + 9 // 3 = 7
    assert policy.initial_grade(Post.DEPUTY_DIRECTOR, 0, Education.BACHELOR) == 5
    assert policy.initial_grade(Post.DEPUTY_DIRECTOR, 2, Education.DOCTORATE) == 7
    # the years left over: (1 + 3) % 3 = 1
    assert policy.leftover_years(1, Education.BACHELOR) == 1


def test_an_education_upgrade_under_the_years_method_adds_the_years_to_the_leftover() -> None:
    sched = schedule_of(policy_with({"education_service_years": YEARS}, drop=("education_bonus",)))
    # bachelor with 1 prior year: counted 4 -> grade 1 + 1 = 2, 1 year left over
    worker = hire(education=Education.BACHELOR, prior_service_years=1, sched=sched)
    assert worker.state(sched).grade == 2
    # master (+2 years): 1 + 2 = 3 -> +1 grade, 0 left: grade 3 = a master's hire (1 + 6 // 3)
    worker.upgrade_education(
        education=Education.MASTER, effective_date=date(2021, 6, 1), schedule=sched
    )
    assert worker.state(sched).grade == 3
    # doctorate (+2 years): 0 + 2 = 2 -> no grade yet, 2 left over; a doctor's hire: 1 + 8 // 3 = 3
    worker.upgrade_education(
        education=Education.DOCTORATE, effective_date=date(2022, 6, 1), schedule=sched
    )
    assert worker.state(sched).grade == 3
    assert worker.state(sched).leftover_years == 2


def test_an_education_upgrade_under_the_grades_method_is_unchanged() -> None:
    worker = hire(education=Education.BACHELOR, prior_service_years=1)
    # 1 + 1 // 3 + 2 = 3; master adds 3 - 2 = 1
    assert worker.state(SCHEDULE).grade == 3
    worker.upgrade_education(
        education=Education.MASTER, effective_date=date(2021, 6, 1), schedule=SCHEDULE
    )
    assert worker.state(SCHEDULE).grade == 4


def test_certificates_as_grades_count_the_highest_only() -> None:
    sched = schedule_of(
        policy_with({"certificate_grades": HOHHOT}, drop=("certificate_allowances",))
    )
    worker = hire(post=Post.ASSISTANT, grade=3, sched=sched)
    worker.obtain_certificate(
        level=CertificateLevel.SOCIAL_WORKER, effective_date=date(2021, 1, 10), schedule=sched
    )
    assert worker.state(sched).grade == 5  # 3 + 2
    worker.obtain_certificate(
        level=CertificateLevel.ASSISTANT_SOCIAL_WORKER,
        effective_date=date(2021, 5, 1),
        schedule=sched,
    )
    assert worker.state(sched).grade == 5  # a lower one changes nothing
    worker.obtain_certificate(
        level=CertificateLevel.SENIOR_SOCIAL_WORKER, effective_date=date(2022, 5, 1), schedule=sched
    )
    assert worker.state(sched).grade == 6  # 3 + 3, not 3 + 2 + 3
    # no allowance table: no allowance. grade 6 = 1.2451 x 2620 = 3262.16
    line = pay_for_month(worker.facts, sched, "2022-06")
    assert line is not None and (line.allowance, line.total) == (
        Decimal("0.00"),
        Decimal("3262.16"),
    )


def test_certificate_grades_stay_within_the_band() -> None:
    sched = schedule_of(policy_with({"certificate_grades": HOHHOT}))
    worker = hire(post=Post.ASSISTANT, grade=11, sched=sched)
    worker.obtain_certificate(
        level=CertificateLevel.SENIOR_SOCIAL_WORKER,
        effective_date=date(2021, 1, 10),
        schedule=sched,
    )
    assert worker.state(sched).grade == 12  # 11 + 3, clamped to the assistant maximum


# -- item 5: quota formulas -------------------------------------------------------------------
def test_chibis_formula_two_committee_seats_plus_grids_or_households() -> None:
    policy = Policy.from_document(load_document("chibi-2020"))
    community = UnitKind.URBAN_COMMUNITY
    assert policy.computed_quota(community, 2, UnitCounts(grids=6, households=2600)) == 13  # 7 + 6
    assert policy.computed_quota(community, 2, UnitCounts(households=2600)) == 12  # 7 + 5.2 -> 5
    assert policy.computed_quota(community, 2, UnitCounts(households=2750)) == 13  # 7 + 5.5 -> 6
    assert policy.computed_quota(community, 2, UnitCounts()) is None  # nothing to count
    assert policy.computed_quota(UnitKind.STREET_OFFICE, 1) == 90  # 75 x 1.2


@pytest.mark.parametrize(
    ("households", "quota"),
    [
        (1500, 10),  # 7 + 3
        (2000, 11),  # 7 + 4
        (4999, 13),  # 7 + 6
        (5499, 13),  # 7 + 6 + (499 // 500 = 0)
        (5500, 14),  # 7 + 6 + 1
        (6600, 16),  # 7 + 6 + (1600 // 500 = 3)
    ],
)
def test_taiyuans_household_bands(households: int, quota: int) -> None:
    policy = policy_with({"quota_formula": TAIYUAN})
    assert policy.computed_quota(UnitKind.URBAN_COMMUNITY, 2, UnitCounts(households)) == quota


def test_taiyuans_cap_of_17_per_community() -> None:
    policy = policy_with({"quota_formula": TAIYUAN})
    # 8000 households: 7 + 6 + 6 = 19, capped at 17
    assert policy.computed_quota(UnitKind.URBAN_COMMUNITY, 2, UnitCounts(8000)) == 17


@pytest.mark.parametrize(
    ("population", "quota"),
    [
        (3000, 9),  # 18 x 0.3 = 5.4 -> 6, under 5,000 people: at least 9
        (5000, 9),  # 18 x 0.5 = 9
        (8000, 15),  # 14.4 -> 15 (at least 18 per 10,000: round up)
        (12000, 22),  # 21.6 -> 22
    ],
)
def test_gansus_seats_per_10000_residents(population: int, quota: int) -> None:
    policy = policy_with({"quota_formula": GANSU})
    counts = UnitCounts(population=population)
    assert policy.computed_quota(UnitKind.ADMINISTRATIVE_VILLAGE, 3, counts) == quota


def test_base_class_formula_is_todays() -> None:
    policy = policy_with({"quota_formula": {"method": "base_class"}})
    assert policy.computed_quota(UnitKind.VILLAGE_CONVERTED_COMMUNITY, 3, UnitCounts(9000)) == 16


def test_bad_methods_are_refused_with_every_problem() -> None:
    doc = document()
    doc["parameters"]["quota_formula"] = {
        "value": {"method": "household_bands", "bands": [[100, 3], [50, 2]], "extra": 1},
        "source": "default",
    }
    doc["parameters"]["fixed_base_pay"] = {"value": {"2022-13-01": "3900"}, "source": "published"}
    doc["parameters"]["pay_split"] = {"value": {"performance_paid": {}}, "source": "default"}
    with pytest.raises(PolicyInvalid) as refused:
        Policy.from_document(doc)
    kinds = sorted(p.kind for p in refused.value.problems)
    assert kinds == sorted(
        ["unknown_field", "quota_bands", "not_a_date", "missing_code"]
        + ["missing_code"] * 4  # the four ratings of performance_paid
    )
    assert all("policy.problem" not in p.text("zh-CN") for p in refused.value.problems)
    doc["parameters"]["quota_formula"]["value"] = {"method": "per_household"}
    with pytest.raises(PolicyInvalid) as again:
        Policy.from_document(doc)
    assert "quota_method" in [p.kind for p in again.value.problems]


def test_a_replaced_parameter_is_still_required_without_its_replacement() -> None:
    doc = document()
    del doc["parameters"]["average_wages"]
    with pytest.raises(PolicyInvalid) as refused:
        Policy.from_document(doc)
    assert [p.where for p in refused.value.problems] == ["parameters.average_wages"]


# -- unit counts: dated facts the computed quota follows ------------------------------------
def test_a_units_counts_are_dated_facts_and_the_quota_follows_them() -> None:
    from domain.errors import InvalidInput
    from domain.unit import Unit
    from tests.unit.builders import new_events, refused, unit_tree

    _, _, community = unit_tree()
    chibi = Policy.from_document(load_document("chibi-2020"))
    assert community.computed_quota(chibi) is None  # nothing counted yet
    community.record_counts(effective_date=date(2022, 1, 1), households=2600)
    community.record_counts(effective_date=date(2024, 1, 1), grids=8)
    community.record_counts(effective_date=date(2023, 1, 1), households=3100)  # backdated
    assert new_events(community) == ["CountsRecorded"] * 3
    assert community.computed_quota(chibi, date(2021, 12, 31)) is None
    assert community.computed_quota(chibi, date(2022, 6, 1)) == 12  # 7 + round(5.2)
    assert community.computed_quota(chibi, date(2023, 6, 1)) == 13  # 7 + round(6.2)
    assert community.computed_quota(chibi, date(2024, 1, 1)) == 15  # 7 + 8 grids
    assert community.counts_on(date(2024, 1, 1)) == UnitCounts(3100, 8, None)
    # under the Baohe rule the counts change nothing: 16 x 1.0
    assert community.computed_quota(Policy.from_document(load_document("baohe-2020"))) == 16
    refused(
        community, lambda: community.record_counts(effective_date=date(2024, 1, 1)), InvalidInput
    )
    refused(
        community,
        lambda: community.record_counts(effective_date=date(2024, 1, 1), grids=-1),
        InvalidInput,
    )
    assert isinstance(community, Unit)
