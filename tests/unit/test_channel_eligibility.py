"""Eligibility by entry channel (Chibi: open recruitment under 40 with 大专 or higher), and
the checks of a policy that list every problem, in English and Chinese."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.errors import IneligibleForChannel, PolicyInvalid, PolicyProblem
from domain.policy import AdoptedVersion, Policy, PolicySchedule
from domain.policy_book import PolicyBook
from domain.policy_parts import age_on
from domain.vocabulary import Channel, Education, Gender, Post
from domain.worker import Person, Worker
from tests.unit.builders import LONG_AGO, document

HIRE_DAY = date(2021, 3, 1)


def chibi() -> PolicySchedule:
    policy = Policy.from_document(document("chibi-2020", channel_limits=True))
    return PolicySchedule([AdoptedVersion(1, LONG_AGO, "赤壁 2020", policy)])


def hire(age: int, education: Education, channel: Channel, sched: PolicySchedule) -> Worker:
    born = date(HIRE_DAY.year - age, HIRE_DAY.month, HIRE_DAY.day)  # that age to the day
    return Worker.hire(
        person=Person("应聘者", Gender.MALE, born),
        unit_id=uuid4(),
        post=Post.ASSISTANT,
        education=education,
        channel=channel,
        hire_date=HIRE_DAY,
        schedule=sched,
    )


def test_a_45_year_old_without_a_degree_is_refused_open_recruitment_under_chibi() -> None:
    with pytest.raises(IneligibleForChannel) as refusal:
        hire(45, Education.BELOW_ASSOCIATE, Channel.OPEN_RECRUITMENT, chibi())

    assert refusal.value.code == "ineligible_for_channel"
    assert refusal.value.field == "birth_date"
    assert "under 40 on the hire date, not 45" in refusal.value.detail


def test_the_same_person_is_hired_through_transition_which_is_exempt() -> None:
    worker = hire(45, Education.BELOW_ASSOCIATE, Channel.TRANSITION, chibi())
    assert worker.hire_fact.channel is Channel.TRANSITION


def test_a_39_year_old_with_an_associate_degree_is_hired_through_open_recruitment() -> None:
    worker = hire(39, Education.ASSOCIATE, Channel.OPEN_RECRUITMENT, chibi())
    assert worker.hire_fact.grade == 2  # assistant 1 + one grade for 大专


def test_on_the_40th_birthday_open_recruitment_is_closed() -> None:
    assert age_on(date(1981, 3, 1), HIRE_DAY) == 40
    assert age_on(date(1981, 3, 2), HIRE_DAY) == 39
    with pytest.raises(IneligibleForChannel):
        hire(40, Education.BACHELOR, Channel.OPEN_RECRUITMENT, chibi())


def test_a_young_applicant_below_the_minimum_education_is_refused_naming_it() -> None:
    with pytest.raises(IneligibleForChannel) as refusal:
        hire(25, Education.BELOW_ASSOCIATE, Channel.OPEN_RECRUITMENT, chibi())

    assert refusal.value.field == "education"
    assert "at least associate (大专), not below_associate" in refusal.value.detail


def test_baohe_sets_no_limit_and_a_document_without_the_parameter_sets_none() -> None:
    baohe = Policy.from_document(document("baohe-2020", channel_limits=True))
    sched = PolicySchedule([AdoptedVersion(1, LONG_AGO, "包河", baohe)])
    hire(45, Education.BELOW_ASSOCIATE, Channel.OPEN_RECRUITMENT, sched)

    older = document("chibi-2020", channel_limits=True)
    del older["parameters"]["channel_eligibility"]  # as versions adopted before it existed
    policy = Policy.from_document(older)
    assert policy.eligibility(Channel.OPEN_RECRUITMENT).age_under is None


def refused(doc: dict) -> list[str]:  # type: ignore[type-arg]
    with pytest.raises(PolicyInvalid) as refusal:
        Policy.from_document(doc)
    return refusal.value.problems


def test_limits_that_make_no_sense_are_all_listed_with_the_other_problems() -> None:
    doc = document("chibi-2020", channel_limits=True)
    doc["parameters"]["channel_eligibility"]["value"] = {
        "open_recruitment": {"age_under": 4, "min_education": "college", "max_age": 40},
        "interview": {},
        "transition": "exempt",
    }
    doc["parameters"]["step_years"]["value"] = 0

    problems = refused(doc)

    assert problems == [
        "parameters.step_years: must be a whole number >= 1",
        "parameters.channel_eligibility.interview: unknown code",
        "parameters.channel_eligibility.open_recruitment.max_age: unknown field "
        "(allowed: ['age_under', 'min_education'])",
        "parameters.channel_eligibility.open_recruitment.age_under: an age limit must be a "
        "whole number from 20 to 100 (the age a hire must be under), or null for none",
        "parameters.channel_eligibility.open_recruitment.min_education: must be an education "
        "code (['below_associate', 'associate', 'bachelor', 'master', 'doctorate']) or null "
        "for none",
        "parameters.channel_eligibility.transition: must be an object",
    ]


def test_every_problem_is_also_said_in_chinese() -> None:
    doc = document("chibi-2020")
    doc["parameters"]["step_years"]["value"] = 0
    doc["parameters"]["bonus"] = {"value": 1, "source": "seed"}
    doc["parameters"]["average_wages"]["source"] = "rumour"

    with pytest.raises(PolicyInvalid) as refusal:
        Policy.from_document(doc)

    assert refusal.value.in_locale("zh-CN") == [
        "parameters.average_wages.source：来源必须是 "
        "['default', 'inferred', 'published', 'seed'] 之一",
        "parameters.bonus：未知参数",
        "parameters.step_years：必须是不小于 1 的整数",
    ]
    assert refusal.value.in_locale("en") == refusal.value.problems
    assert all(isinstance(p, PolicyProblem) for p in refusal.value.problems)


def test_a_higher_posts_band_wholly_below_a_lower_ones_is_refused_but_replays() -> None:
    doc = document("chibi-2020")
    doc["parameters"]["post_grades"]["value"]["deputy_director"] = [2, 11]  # below officer 3-14
    coefficients = doc["parameters"]["pay_coefficients"]["value"]
    coefficients["deputy_director"] = coefficients["assistant"]  # grades 1-12: no gap

    (problem,) = refused(doc)

    assert problem == (
        "parameters.post_grades: the deputy_director band [2, 11] lies wholly below the "
        "officer band [3, 14]: a higher post's band may not be lower at both ends"
    )
    assert PolicyProblem.text(problem, "zh-CN") == (  # type: ignore[arg-type]
        "parameters.post_grades：副主管的等级区间 [2, 11] 整体低于主办的 [3, 14]，"
        "较高岗位的区间两端都不得更低"
    )
    # A version adopted before the check existed still replays as it was accepted.
    assert Policy.from_document(doc, consistency=False).grade_range(Post.DEPUTY_DIRECTOR) == (2, 11)
    with pytest.raises(PolicyInvalid):
        PolicyBook.open(doc, LONG_AGO, "ref")
