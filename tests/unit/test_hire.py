"""Hiring: the initial grade, an explicit grade, the entry channels."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.errors import DispatchConversionRefused, GradeOutOfRange, InvalidInput
from domain.vocabulary import Channel, Education, Post, WorkerStatus
from domain.worker import Person, Worker
from tests.unit.builders import EDUCATION_BONUS, GRADES, HIRE_DATE, SCHEDULE, hire, person


def hire_command(**overrides: object) -> Worker:
    arguments: dict[str, object] = {
        "person": person(),
        "unit_id": uuid4(),
        "post": Post.ASSISTANT,
        "education": Education.BELOW_ASSOCIATE,
        "channel": Channel.OPEN_RECRUITMENT,
        "hire_date": HIRE_DATE,
        "schedule": SCHEDULE,
    }
    arguments.update(overrides)
    return Worker.hire(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("post", "prior_years", "education", "expected"),
    [
        # post minimum + floor(prior years / 3) + education bonus
        (Post.ASSISTANT, 0, Education.BELOW_ASSOCIATE, 1 + 0 + 0),
        (Post.ASSISTANT, 2, Education.ASSOCIATE, 1 + 0 + 1),
        (Post.ASSISTANT, 3, Education.ASSOCIATE, 1 + 1 + 1),
        (Post.OFFICER, 7, Education.BACHELOR, 3 + 2 + 2),
        (Post.DEPUTY_DIRECTOR, 5, Education.MASTER, 5 + 1 + 3),
        (Post.DIRECTOR, 9, Education.DOCTORATE, 7 + 3 + 4),
        # clamped to the post's maximum
        (Post.ASSISTANT, 30, Education.DOCTORATE, 12),
        (Post.DIRECTOR, 40, Education.BACHELOR, 18),
    ],
)
def test_initial_grade_is_post_minimum_plus_prior_service_thirds_plus_education_bonus(
    post: Post, prior_years: int, education: Education, expected: int
) -> None:
    worker = hire_command(post=post, prior_service_years=prior_years, education=education)

    events = worker.collect_events()
    assert [type(e).__name__ for e in events] == ["Hired"]
    assert events[0].grade == expected  # type: ignore[attr-defined]
    assert events[0].grade_from_policy is True  # type: ignore[attr-defined]
    assert worker.state(SCHEDULE).grade == expected


def test_initial_grade_uses_the_education_bonus_table_for_every_level() -> None:
    for education, bonus in EDUCATION_BONUS.items():
        worker = hire_command(post=Post.OFFICER, education=education)
        assert worker.state(SCHEDULE).grade == GRADES[Post.OFFICER][0] + bonus


@pytest.mark.parametrize(
    ("post", "grade"),
    [
        (Post.ASSISTANT, 13),
        (Post.ASSISTANT, 0),
        (Post.OFFICER, 2),
        (Post.OFFICER, 15),
        (Post.DEPUTY_DIRECTOR, 4),
        (Post.DEPUTY_DIRECTOR, 17),
        (Post.DIRECTOR, 6),
        (Post.DIRECTOR, 19),
    ],
)
def test_hire_with_an_explicit_grade_outside_the_post_range_is_refused(
    post: Post, grade: int
) -> None:
    with pytest.raises(GradeOutOfRange) as refusal:
        hire_command(post=post, grade=grade)
    assert refusal.value.code == "grade_out_of_range"
    assert refusal.value.field == "grade"


@pytest.mark.parametrize("post", list(Post))
def test_hire_with_an_explicit_grade_at_either_end_of_the_post_range_is_recorded_as_given(
    post: Post,
) -> None:
    for grade in GRADES[post]:
        worker = hire_command(post=post, grade=grade, prior_service_years=12)
        (event,) = worker.collect_events()
        assert event.grade == grade  # type: ignore[attr-defined]
        assert event.grade_from_policy is False  # type: ignore[attr-defined]


def test_a_hired_worker_is_active_from_the_hire_date_and_not_yet_hired_before_it() -> None:
    worker = hire(hire_date=date(2021, 5, 10))

    assert worker.state(SCHEDULE, date(2021, 5, 9)).status is WorkerStatus.NOT_YET_HIRED
    assert worker.state(SCHEDULE, date(2021, 5, 10)).status is WorkerStatus.ACTIVE


def test_hire_is_refused_when_the_birth_date_is_not_before_the_hire_date() -> None:
    with pytest.raises(InvalidInput):
        hire_command(person=Person("小王", person().gender, HIRE_DATE))


def test_dispatch_conversion_is_refused_with_less_than_three_years_dispatch_service() -> None:
    with pytest.raises(DispatchConversionRefused) as refusal:
        hire_command(channel=Channel.DISPATCH_CONVERSION, dispatch_service_years=2)
    assert refusal.value.code == "dispatch_conversion_refused"


def test_dispatch_conversion_is_recorded_with_three_years_dispatch_service() -> None:
    worker = hire_command(channel=Channel.DISPATCH_CONVERSION, dispatch_service_years=3)

    (event,) = worker.collect_events()
    assert type(event).__name__ == "Hired"
    assert worker.state(SCHEDULE).channel is Channel.DISPATCH_CONVERSION


def test_the_three_year_dispatch_minimum_does_not_apply_to_open_recruitment() -> None:
    worker = hire_command(channel=Channel.OPEN_RECRUITMENT, dispatch_service_years=0)
    assert worker.state(SCHEDULE).channel is Channel.OPEN_RECRUITMENT
