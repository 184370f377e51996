"""The shipped packs (issue 13, item 9): each is a valid policy whose every parameter says
where its value comes from, and the three added schemes read as their sources say. Every
expected figure is worked by hand in the comment beside it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.pay import price
from domain.policy import AdoptedVersion, Policy, PolicySchedule, load_document, shipped_packs
from domain.policy_parts import SOURCES
from domain.vocabulary import CertificateLevel, Education, Post, Rating

NEW_PACKS = ("sangang-18", "sigang-24", "benxi-2023")


def pack(name: str) -> Policy:
    return Policy.from_document(load_document(name))


def schedule_of(policy: Policy) -> PolicySchedule:
    return PolicySchedule([AdoptedVersion(1, date(2020, 1, 1), "pack", policy)])


@pytest.mark.parametrize("name", shipped_packs())
def test_every_parameter_of_a_shipped_pack_names_its_source_and_says_where_in_a_note(
    name: str,
) -> None:
    document = load_document(name)
    Policy.from_document(document)  # valid, every problem listed otherwise
    assert document["id"] == name
    assert document["sources"], "a pack names the documents it comes from"
    for key, entry in document["parameters"].items():
        assert entry["source"] in SOURCES, key
        assert len(entry.get("note", "").strip()) > 20, key


def test_the_three_added_schemes_are_shipped() -> None:
    assert set(NEW_PACKS) <= set(shipped_packs())


def test_sangang_has_three_posts_over_eighteen_grades_with_one_coefficient_per_grade() -> None:
    policy = pack("sangang-18")
    assert [(p.code, p.label_zh) for p in policy.posts] == [
        ("head", "社区正职"),
        ("deputy", "社区副职"),
        ("staff", "其他工作人员"),
    ]
    assert dict(policy.post_grades) == {"head": (7, 18), "deputy": (4, 15), "staff": (1, 12)}
    assert policy.step_years == 3
    # 每一等级对应相应系数: a grade's coefficient is the same for every post that has it.
    for grade in range(7, 13):  # the grades all three posts share
        assert len({policy.coefficient(post, grade) for post in policy.post_codes}) == 1
    assert policy.coefficient("staff", 1) == Decimal("1.0000")
    assert policy.coefficient("head", 18) == Decimal("1.8332")  # 1 + 17 x 0.04901 = 1.83317


def test_sangang_counts_education_as_grades_as_the_shandong_rules_do() -> None:
    policy = pack("sangang-18")
    # 本科 +1, 硕士 +2, 博士 +3 (art. 21); 4 prior years: 4 // 3 = 1 grade.
    assert policy.initial_grade("staff", 0, Education.BACHELOR) == 2  # 1 + 0 + 1
    assert policy.initial_grade("deputy", 4, Education.MASTER) == 7  # 4 + 1 + 2
    assert policy.initial_grade("head", 0, Education.ASSOCIATE) == 7  # 7 + 0 + 0


def test_sangang_pays_seventy_percent_basic_and_the_performance_part_by_the_rating() -> None:
    sched = schedule_of(pack("sangang-18"))
    # base 1 x 39300 / 12 = 3275.00; deputy grade 4: 1.1470 x 3275 = 3756.425 -> 3756.43
    # basic 0.7 x 3756.43 = 2629.501 -> 2629.50; performance 3756.43 - 2629.50 = 1126.93
    competent = price(sched, "2025-06", "deputy", 4, None, Rating.COMPETENT)
    assert (competent.basic, competent.performance) == (Decimal("2629.50"), Decimal("1126.93"))
    assert competent.total == Decimal("3756.43")
    assert price(sched, "2025-06", "deputy", 4, None, Rating.UNQUALIFIED).total == Decimal(
        "2629.50"
    )
    # 基本称职: half the performance part, 1126.93 x 0.5 = 563.465 -> 563.47
    half = price(sched, "2025-06", "deputy", 4, None, Rating.BASICALLY_COMPETENT)
    assert half.total == Decimal("3192.97")  # 2629.50 + 563.47


def test_sigang_has_four_posts_over_twenty_four_grades_and_two_year_steps() -> None:
    policy = pack("sigang-24")
    assert policy.post_codes == ("head", "deputy", "member", "staff")
    assert policy.post_label("staff") == "专职工作人员"
    assert dict(policy.post_grades) == {
        "head": (10, 24),
        "deputy": (7, 21),
        "member": (4, 18),
        "staff": (1, 15),
    }
    assert policy.step_years == 2
    assert policy.coefficient("head", 24) == Decimal("2.1272")  # 1 + 23 x 0.04901 = 2.12723


def test_sigang_counts_education_as_years_divided_by_the_two_year_interval() -> None:
    policy = pack("sigang-24")
    # master 5 years + 1 prior = 6; 6 // 2 = 3 grades above the deputy's 7
    assert policy.initial_grade("deputy", 1, Education.MASTER) == 10
    # bachelor 3 years + 0 prior = 3; 3 // 2 = 1, one year left over
    assert policy.initial_grade("staff", 0, Education.BACHELOR) == 2
    assert policy.leftover_years(0, Education.BACHELOR) == 1
    # to a master's: 1 left over + (5 - 3) = 3 years: one grade, one year left
    assert policy.education_raise(Education.BACHELOR, Education.MASTER, 1) == (1, 1)


def test_sigang_raises_the_grade_for_the_highest_certificate_only() -> None:
    policy = pack("sigang-24")
    assert policy.certificate_raise(None, CertificateLevel.SOCIAL_WORKER) == 2
    # 高级 after 中级: 3 - 2 = 1 more, not 3
    assert (
        policy.certificate_raise(
            CertificateLevel.SOCIAL_WORKER, CertificateLevel.SENIOR_SOCIAL_WORKER
        )
        == 1
    )
    assert policy.allowance(CertificateLevel.SENIOR_SOCIAL_WORKER) == Decimal("0.00")


def test_benxi_pays_a_fixed_3400_split_eighty_twenty() -> None:
    sched = schedule_of(pack("benxi-2023"))
    # director grade 7: 1.2941 x 3400 = 4399.94; basic 0.8 x 4399.94 = 3519.952 -> 3519.95
    line = price(sched, "2024-03", Post.DIRECTOR, 7, None, Rating.COMPETENT)
    assert (line.base, line.total, line.basic) == (
        Decimal("3400.00"),
        Decimal("4399.94"),
        Decimal("3519.95"),
    )
    # a 不合格 year: its performance part (879.99) withheld
    withheld = price(sched, "2024-03", Post.DIRECTOR, 7, None, Rating.UNQUALIFIED)
    assert withheld.total == Decimal("3519.95")
