"""Grade changes, post changes and education upgrades."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import EducationNotHigher, GradeOutOfRange, InvalidInput
from domain.rules import step_clock
from domain.vocabulary import Education, GradeChangeReason, Post, PostChangeReason, Rating
from tests.unit.builders import (
    EDUCATION_BONUS,
    GRADES,
    SCHEDULE,
    appraise,
    hire,
    new_events,
    refused,
)

# -- grade changes --------------------------------------------------------------------------


@pytest.mark.parametrize("post", list(Post))
def test_a_grade_change_within_the_post_range_is_recorded(post: Post) -> None:
    low, high = GRADES[post]
    worker = hire(post=post)

    worker.change_grade(
        grade=high,
        effective_date=date(2021, 7, 1),
        reason=GradeChangeReason.REWARD,
        schedule=SCHEDULE,
    )

    assert new_events(worker) == ["GradeChanged"]
    assert worker.state(SCHEDULE, date(2021, 6, 30)).grade == low
    assert worker.state(SCHEDULE, date(2021, 7, 1)).grade == high


@pytest.mark.parametrize("post", list(Post))
def test_a_grade_change_outside_the_post_range_is_refused(post: Post) -> None:
    low, high = GRADES[post]
    worker = hire(post=post)

    for grade in (low - 1, high + 1):
        error = refused(
            worker,
            lambda grade=grade: worker.change_grade(  # type: ignore[misc]
                grade=grade,
                effective_date=date(2021, 7, 1),
                reason=GradeChangeReason.CORRECTION,
                schedule=SCHEDULE,
            ),
            GradeOutOfRange,
        )
        assert error.code == "grade_out_of_range"


@pytest.mark.parametrize(
    "reason", [GradeChangeReason.THREE_YEAR_STEP, GradeChangeReason.EDUCATION_UPGRADE]
)
def test_a_person_cannot_record_a_grade_change_with_a_reason_the_ledger_derives(
    reason: GradeChangeReason,
) -> None:
    worker = hire()
    refused(
        worker,
        lambda: worker.change_grade(
            grade=2, effective_date=date(2021, 7, 1), reason=reason, schedule=SCHEDULE
        ),
        InvalidInput,
    )


# -- post changes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start_post", "start_grade", "new_post", "expected"),
    [
        (Post.OFFICER, 14, Post.ASSISTANT, 12),  # clamped down to the assistant maximum
        (Post.ASSISTANT, 1, Post.DIRECTOR, 7),  # clamped up to the director minimum
        (Post.OFFICER, 9, Post.DEPUTY_DIRECTOR, 9),  # within range: the grade is kept
        (Post.DIRECTOR, 18, Post.DEPUTY_DIRECTOR, 16),
    ],
)
def test_a_post_change_keeps_the_grade_clamped_into_the_new_post_range(
    start_post: Post, start_grade: int, new_post: Post, expected: int
) -> None:
    worker = hire(post=start_post, grade=start_grade)

    worker.change_post(
        post=new_post,
        effective_date=date(2022, 1, 1),
        reason=PostChangeReason.REASSIGNMENT,
        schedule=SCHEDULE,
    )

    assert new_events(worker) == ["PostChanged"]
    before = worker.state(SCHEDULE, date(2021, 12, 31))
    after = worker.state(SCHEDULE, date(2022, 1, 1))
    assert (before.post, before.grade) == (start_post, start_grade)
    assert (after.post, after.grade) == (new_post, expected)


def test_a_post_change_keeps_the_step_clock_running() -> None:
    worker = appraise(
        hire(post=Post.ASSISTANT, grade=5, hire_date=date(2020, 1, 1)),
        {2020: Rating.COMPETENT, 2021: Rating.EXCELLENT},
    )
    worker.change_post(
        post=Post.OFFICER,
        effective_date=date(2022, 3, 1),
        reason=PostChangeReason.PROMOTION,
        schedule=SCHEDULE,
    )
    assert step_clock(worker.state(SCHEDULE), SCHEDULE).years == 2

    appraise(worker, {2022: Rating.COMPETENT})

    clock = step_clock(worker.state(SCHEDULE), SCHEDULE)
    assert [(d.effective_date, d.caused_by_years) for d in clock.due] == [
        (date(2023, 1, 1), (2020, 2021, 2022))
    ]


# -- education upgrades -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("post", "grade", "old", "new"),
    [
        (Post.ASSISTANT, 3, Education.BELOW_ASSOCIATE, Education.BACHELOR),
        (Post.ASSISTANT, 3, Education.ASSOCIATE, Education.BACHELOR),
        (Post.OFFICER, 5, Education.BACHELOR, Education.DOCTORATE),
    ],
)
def test_an_education_upgrade_raises_the_grade_by_the_difference_in_bonus(
    post: Post, grade: int, old: Education, new: Education
) -> None:
    worker = hire(post=post, grade=grade, education=old)

    worker.upgrade_education(education=new, effective_date=date(2022, 9, 1), schedule=SCHEDULE)

    assert new_events(worker) == ["EducationUpgraded"]
    after = worker.state(SCHEDULE, date(2022, 9, 1))
    assert after.education is new
    assert after.grade == grade + EDUCATION_BONUS[new] - EDUCATION_BONUS[old]
    assert worker.state(SCHEDULE, date(2022, 8, 31)).grade == grade


def test_an_education_upgrade_is_clamped_to_the_post_maximum() -> None:
    worker = hire(post=Post.ASSISTANT, grade=11, education=Education.BELOW_ASSOCIATE)

    worker.upgrade_education(
        education=Education.MASTER, effective_date=date(2022, 9, 1), schedule=SCHEDULE
    )

    assert worker.state(SCHEDULE).grade == GRADES[Post.ASSISTANT][1]


@pytest.mark.parametrize("new", [Education.BACHELOR, Education.ASSOCIATE])
def test_an_education_that_is_not_an_upgrade_is_refused(new: Education) -> None:
    worker = hire(education=Education.BACHELOR)

    error = refused(
        worker,
        lambda: worker.upgrade_education(
            education=new, effective_date=date(2022, 9, 1), schedule=SCHEDULE
        ),
        EducationNotHigher,
    )
    assert error.code == "education_not_higher"


def test_an_education_below_one_recorded_earlier_is_refused() -> None:
    worker = hire(education=Education.ASSOCIATE)
    worker.upgrade_education(
        education=Education.MASTER, effective_date=date(2021, 9, 1), schedule=SCHEDULE
    )
    worker.collect_events()

    refused(
        worker,
        lambda: worker.upgrade_education(
            education=Education.BACHELOR, effective_date=date(2022, 9, 1), schedule=SCHEDULE
        ),
        EducationNotHigher,
    )


def test_an_out_of_range_grade_change_is_refused_under_the_post_in_force_on_its_date() -> None:
    worker = hire(post=Post.OFFICER, grade=10)
    worker.change_post(
        post=Post.ASSISTANT,
        effective_date=date(2022, 1, 1),
        reason=PostChangeReason.DEMOTION,
        schedule=SCHEDULE,
    )
    worker.collect_events()

    # 14 is fine for an officer (before 2022), not for an assistant (from 2022).
    worker.change_grade(
        grade=14,
        effective_date=date(2021, 6, 1),
        reason=GradeChangeReason.REWARD,
        schedule=SCHEDULE,
    )
    assert new_events(worker) == ["GradeChanged"]
    assert worker.state(SCHEDULE, date(2022, 1, 1)).grade == GRADES[Post.ASSISTANT][1]
    refused(
        worker,
        lambda: worker.change_grade(
            grade=14,
            effective_date=date(2022, 6, 1),
            reason=GradeChangeReason.REWARD,
            schedule=SCHEDULE,
        ),
        GradeOutOfRange,
    )
