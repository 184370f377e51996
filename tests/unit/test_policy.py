"""Policy documents: validation lists every problem; versions are in force from their date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from domain.errors import PolicyInvalid
from domain.pay import pay_for_month
from domain.policy import (
    AdoptedVersion,
    Policy,
    PolicySchedule,
    load_document,
    shipped_packs,
)
from domain.policy_parts import PARAMETERS
from domain.rules import step_clock
from domain.vocabulary import Post, Rating, UnitKind
from tests.unit.builders import GRADES, appraise, document, hire


def problems_of(doc: dict) -> list[str]:  # type: ignore[type-arg]
    with pytest.raises(PolicyInvalid) as refusal:
        Policy.from_document(doc)
    assert refusal.value.code == "policy_invalid"
    return refusal.value.problems


@pytest.mark.parametrize("pack", ["baohe-2020", "chibi-2020"])
def test_each_shipped_pack_is_a_valid_policy_with_the_published_grade_table(pack: str) -> None:
    assert pack in shipped_packs()
    policy = Policy.from_document(load_document(pack))
    for post, grades in GRADES.items():
        assert policy.grade_range(post) == grades


def test_a_missing_parameter_is_named_in_the_problems() -> None:
    doc = document()
    del doc["parameters"]["step_years"]

    problems = problems_of(doc)

    assert any("step_years" in p and "missing" in p for p in problems)


def test_a_parameter_with_an_unknown_source_is_named_in_the_problems() -> None:
    doc = document()
    doc["parameters"]["step_years"]["source"] = "rumour"

    problems = problems_of(doc)

    assert any("step_years.source" in p for p in problems)


def test_a_coefficient_table_missing_a_grade_is_named_in_the_problems() -> None:
    doc = document()
    del doc["parameters"]["pay_coefficients"]["value"]["director"]["18"]

    problems = problems_of(doc)

    assert any("pay_coefficients.director" in p and "18" in p for p in problems)


def test_validation_lists_every_problem_at_once() -> None:
    doc = document()
    del doc["parameters"]["step_years"]
    doc["parameters"]["promotion_excellent_years"]["source"] = "rumour"
    del doc["parameters"]["pay_coefficients"]["value"]["assistant"]["7"]
    doc["parameters"]["dispatch_conversion_share"]["value"] = "1.5"

    problems = problems_of(doc)

    assert any("step_years" in p and "missing" in p for p in problems)
    assert any("promotion_excellent_years.source" in p for p in problems)
    assert any("pay_coefficients.assistant" in p and "7" in p for p in problems)
    assert any("dispatch_conversion_share" in p for p in problems)


def test_validation_lists_every_problem_in_the_values() -> None:
    doc = document()
    doc["parameters"]["post_grades"]["value"]["officer"] = [14, 3]
    doc["parameters"]["city_funding_shares"]["value"]["assistant"] = "1.20"
    doc["parameters"]["step_years"]["value"] = 0
    doc["parameters"]["certificate_allowances"]["value"]["social_worker"] = "lots"
    doc["parameters"]["education_bonus"]["value"].pop("master")

    problems = problems_of(doc)

    assert len(problems) >= 5
    for name in (
        "post_grades.officer",
        "city_funding_shares.assistant",
        "step_years",
        "certificate_allowances.social_worker",
        "education_bonus.master",
    ):
        assert any(name in p for p in problems), name


def test_every_parameter_is_required() -> None:
    doc = document()
    doc["parameters"] = {}

    problems = problems_of(doc)

    for name in PARAMETERS:
        assert any(f"parameters.{name}:" in p for p in problems), name


def test_an_unknown_parameter_is_a_problem() -> None:
    doc = document()
    doc["parameters"]["bonus_for_smiling"] = {"value": 1, "source": "default"}

    assert any("bonus_for_smiling" in p for p in problems_of(doc))


def test_a_document_without_an_id_is_a_problem() -> None:
    doc = document()
    del doc["id"]
    assert any("'id'" in p for p in problems_of(doc))


def test_a_file_that_is_neither_a_pack_nor_a_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyInvalid):
        load_document(str(tmp_path / "missing.json"))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(PolicyInvalid):
        load_document(str(broken))


# -- quota formula ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "unit_class", "expected"),
    [
        (UnitKind.STREET_OFFICE, 2, 75),  # 75 x 1.0
        (UnitKind.STREET_OFFICE, 1, 90),  # 75 x 1.2
        (UnitKind.STREET_OFFICE, 3, 60),  # 75 x 0.8
        (UnitKind.URBAN_COMMUNITY, 1, 19),  # 16 x 1.2 = 19.2
        (UnitKind.ADMINISTRATIVE_VILLAGE, 3, 10),  # 12 x 0.8 = 9.6, half up
        (UnitKind.VILLAGE_CONVERTED_COMMUNITY, 2, 20),
        (UnitKind.DISTRICT, 2, None),  # no base: the district's quota is not computed
    ],
)
def test_the_computed_quota_is_base_times_class_coefficient_rounded_half_up(
    kind: UnitKind, unit_class: int, expected: int | None
) -> None:
    policy = Policy.from_document(document("baohe-2020"))
    assert policy.computed_quota(kind, unit_class) == expected


def test_the_computed_quota_rounds_a_half_up() -> None:
    doc = document("baohe-2020")
    doc["parameters"]["quota_bases"]["value"]["urban_community"] = 15
    doc["parameters"]["quota_class_coefficients"]["value"]["3"] = "0.9"
    # 15 x 0.9 = 13.5 -> 14
    assert Policy.from_document(doc).computed_quota(UnitKind.URBAN_COMMUNITY, 3) == 14


# -- versions in force ---------------------------------------------------------------------------


def two_versions() -> PolicySchedule:
    first = Policy.from_document(document())
    doc = document()
    doc["parameters"]["average_wages"]["value"] = {"2019": "39300", "2021": "60000"}
    doc["parameters"]["post_grades"]["value"]["assistant"] = [1, 14]
    for grade in ("13", "14"):
        doc["parameters"]["pay_coefficients"]["value"]["assistant"][grade] = "1.6"
    second = Policy.from_document(doc)
    return PolicySchedule(
        [
            AdoptedVersion(2, date(2022, 7, 1), "second", second),
            AdoptedVersion(1, date(2020, 1, 1), "first", first),
        ]
    )


def test_the_version_in_force_is_the_latest_adopted_on_or_before_the_date() -> None:
    sched = two_versions()
    assert sched.version_on(date(2022, 6, 30)).version == 1
    assert sched.version_on(date(2022, 7, 1)).version == 2
    assert sched.version_on(date(2019, 1, 1)).version == 1  # before the first: the first


def test_pay_uses_the_policy_in_force_on_the_first_day_of_the_month() -> None:
    sched = two_versions()
    worker = hire(grade=1, hire_date=date(2020, 1, 1), sched=sched)

    june = pay_for_month(worker.facts, sched, "2022-06")
    july = pay_for_month(worker.facts, sched, "2022-07")

    assert june is not None and july is not None
    assert (june.policy_version, june.base) == (1, Decimal("2620.00"))
    assert (july.policy_version, july.base) == (2, Decimal("4000.00"))  # 0.8 x 60000 / 12


def test_a_step_records_the_policy_version_in_force_on_its_date() -> None:
    sched = two_versions()
    worker = appraise(
        hire(grade=12, hire_date=date(2020, 1, 1), sched=sched),
        {2020: Rating.COMPETENT, 2021: Rating.COMPETENT, 2022: Rating.COMPETENT},
        sched=sched,
    )

    clock = step_clock(worker.state(sched), sched)

    # 12 is the assistant maximum under version 1 but not under version 2 (1-14).
    assert [(d.effective_date, d.policy_version) for d in clock.due] == [(date(2023, 1, 1), 2)]
    assert worker.state(sched).post == Post.ASSISTANT
