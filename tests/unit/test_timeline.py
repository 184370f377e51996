"""Effective dates: state on a date, facts before the hire, and the timeline check.

A new fact is checked against the whole timeline: it is refused if inserting
it at its effective date would make any later fact invalid.
"""

from __future__ import annotations

import random
from datetime import date
from uuid import uuid4

import pytest

from domain.errors import EducationNotHigher, GradeOutOfRange, TimelineConflict, WorkerDismissed
from domain.facts import GradeChangeFact
from domain.rules import step_clock
from domain.timeline import replay
from domain.vocabulary import (
    CertificateLevel,
    DismissalReason,
    Education,
    GradeChangeReason,
    Post,
    PostChangeReason,
    Rating,
)
from tests.unit.builders import GRADES, SCHEDULE, appraise, hire, new_events, refused

# -- before the hire ---------------------------------------------------------------------------


def test_a_grade_change_dated_before_the_hire_is_refused() -> None:
    worker = hire(hire_date=date(2021, 3, 1))
    error = refused(
        worker,
        lambda: worker.change_grade(
            grade=2,
            effective_date=date(2021, 2, 28),
            reason=GradeChangeReason.CORRECTION,
            schedule=SCHEDULE,
        ),
        TimelineConflict,
    )
    assert error.code == "timeline_conflict"


@pytest.mark.parametrize("kind", ["post", "transfer", "education", "certificate", "dismissal"])
def test_any_fact_dated_before_the_hire_is_refused(kind: str) -> None:
    worker = hire(hire_date=date(2021, 3, 1))
    before = date(2020, 12, 1)
    commands = {
        "post": lambda: worker.change_post(
            post=Post.OFFICER,
            effective_date=before,
            reason=PostChangeReason.OTHER,
            schedule=SCHEDULE,
        ),
        "transfer": lambda: worker.transfer(
            unit_id=uuid4(), effective_date=before, schedule=SCHEDULE
        ),
        "education": lambda: worker.upgrade_education(
            education=Education.BACHELOR, effective_date=before, schedule=SCHEDULE
        ),
        "certificate": lambda: worker.obtain_certificate(
            level=CertificateLevel.SOCIAL_WORKER, effective_date=before, schedule=SCHEDULE
        ),
        "dismissal": lambda: worker.dismiss(
            effective_date=before, reason=DismissalReason.OTHER, schedule=SCHEDULE
        ),
    }
    refused(worker, commands[kind], TimelineConflict)


def test_an_appraisal_taking_effect_before_the_hire_is_refused() -> None:
    worker = hire(hire_date=date(2021, 3, 1))
    refused(
        worker,
        lambda: worker.record_appraisal(year=2020, rating=Rating.COMPETENT, schedule=SCHEDULE),
        TimelineConflict,
    )


def test_a_fact_on_the_hire_date_itself_is_accepted() -> None:
    worker = hire(hire_date=date(2021, 3, 1))
    worker.obtain_certificate(
        level=CertificateLevel.SOCIAL_WORKER, effective_date=date(2021, 3, 1), schedule=SCHEDULE
    )
    assert new_events(worker) == ["CertificateObtained"]


# -- state on a date ---------------------------------------------------------------------------


def test_the_state_on_a_date_uses_only_facts_effective_by_that_date() -> None:
    worker = hire(post=Post.OFFICER, hire_date=date(2020, 1, 1))
    worker.change_grade(
        grade=8, effective_date=date(2023, 1, 1), reason=GradeChangeReason.REWARD, schedule=SCHEDULE
    )
    worker.change_grade(
        grade=5, effective_date=date(2022, 1, 1), reason=GradeChangeReason.REWARD, schedule=SCHEDULE
    )

    assert worker.state(SCHEDULE, date(2021, 12, 31)).grade == GRADES[Post.OFFICER][0]
    assert worker.state(SCHEDULE, date(2022, 6, 1)).grade == 5
    assert worker.state(SCHEDULE, date(2023, 1, 1)).grade == 8
    assert worker.state(SCHEDULE).grade == 8  # recorded last, but effective first: 8 stands


def test_recorded_order_breaks_ties_between_facts_of_the_same_date() -> None:
    worker = hire(post=Post.OFFICER)
    for grade in (9, 4):
        worker.change_grade(
            grade=grade,
            effective_date=date(2022, 5, 1),
            reason=GradeChangeReason.CORRECTION,
            schedule=SCHEDULE,
        )
    assert worker.state(SCHEDULE, date(2022, 5, 1)).grade == 4


def test_replay_gives_the_same_state_whatever_order_the_facts_are_listed_in() -> None:
    worker = appraise(
        hire(post=Post.OFFICER, hire_date=date(2020, 1, 1)),
        {
            2020: Rating.COMPETENT,
            2021: Rating.EXCELLENT,
            2022: Rating.COMPETENT,
        },
    )
    worker.change_grade(
        grade=5,
        effective_date=date(2021, 6, 1),
        reason=GradeChangeReason.REWARD,
        schedule=SCHEDULE,
    )
    worker.change_post(
        post=Post.ASSISTANT,
        effective_date=date(2021, 3, 1),
        reason=PostChangeReason.DEMOTION,
        schedule=SCHEDULE,
    )
    worker.upgrade_education(
        education=Education.MASTER, effective_date=date(2022, 2, 1), schedule=SCHEDULE
    )
    facts = list(worker.facts)
    shuffled = list(facts)
    random.Random(7).shuffle(shuffled)

    for day in (date(2021, 3, 1), date(2021, 6, 1), date(2022, 2, 1), None):
        assert replay(shuffled, SCHEDULE, day) == replay(facts, SCHEDULE, day)


def test_replay_of_facts_without_a_hire_is_a_timeline_conflict() -> None:
    with pytest.raises(TimelineConflict):
        replay([GradeChangeFact(date(2021, 1, 1), 1, 3, GradeChangeReason.REWARD)], SCHEDULE)


# -- the timeline check ---------------------------------------------------------------------------


def test_a_backdated_post_change_that_would_put_a_later_grade_change_out_of_range_is_refused() -> (
    None
):
    worker = hire(post=Post.OFFICER, grade=10, hire_date=date(2020, 1, 1))
    worker.change_grade(
        grade=14,
        effective_date=date(2022, 6, 1),
        reason=GradeChangeReason.REWARD,
        schedule=SCHEDULE,
    )
    worker.collect_events()

    # As an assistant (1-12) the recorded grade change to 14 would be out of range.
    error = refused(
        worker,
        lambda: worker.change_post(
            post=Post.ASSISTANT,
            effective_date=date(2021, 1, 1),
            reason=PostChangeReason.DEMOTION,
            schedule=SCHEDULE,
        ),
        GradeOutOfRange,
    )
    assert error.code == "grade_out_of_range"
    assert worker.state(SCHEDULE).grade == 14


def test_a_post_change_after_the_grade_change_is_accepted_and_clamps_the_grade() -> None:
    worker = hire(post=Post.OFFICER, grade=10, hire_date=date(2020, 1, 1))
    worker.change_grade(
        grade=14,
        effective_date=date(2022, 6, 1),
        reason=GradeChangeReason.REWARD,
        schedule=SCHEDULE,
    )
    worker.collect_events()

    worker.change_post(
        post=Post.ASSISTANT,
        effective_date=date(2023, 1, 1),
        reason=PostChangeReason.DEMOTION,
        schedule=SCHEDULE,
    )

    assert new_events(worker) == ["PostChanged"]
    assert worker.state(SCHEDULE).grade == GRADES[Post.ASSISTANT][1]


def test_a_backdated_post_change_that_keeps_later_facts_valid_is_accepted() -> None:
    worker = hire(post=Post.OFFICER, grade=10, hire_date=date(2020, 1, 1))
    worker.change_grade(
        grade=14,
        effective_date=date(2022, 6, 1),
        reason=GradeChangeReason.REWARD,
        schedule=SCHEDULE,
    )
    worker.collect_events()

    worker.change_post(
        post=Post.DIRECTOR,
        effective_date=date(2021, 1, 1),
        reason=PostChangeReason.PROMOTION,
        schedule=SCHEDULE,
    )

    assert new_events(worker) == ["PostChanged"]
    assert worker.state(SCHEDULE).post == Post.DIRECTOR
    assert worker.state(SCHEDULE).grade == 14


def test_a_backdated_dismissal_before_a_later_appraisal_is_refused() -> None:
    worker = appraise(hire(hire_date=date(2020, 1, 1)), {2021: Rating.COMPETENT})

    error = refused(
        worker,
        lambda: worker.dismiss(
            effective_date=date(2021, 6, 30),
            reason=DismissalReason.RESIGNATION,
            schedule=SCHEDULE,
        ),
        WorkerDismissed,
    )
    assert error.code == "worker_dismissed"


def test_a_backdated_dismissal_after_every_recorded_fact_is_accepted() -> None:
    worker = appraise(hire(hire_date=date(2020, 1, 1)), {2021: Rating.COMPETENT})

    worker.dismiss(
        effective_date=date(2022, 1, 31), reason=DismissalReason.RESIGNATION, schedule=SCHEDULE
    )

    assert new_events(worker) == ["Dismissed"]


def test_a_backdated_education_upgrade_that_makes_a_later_upgrade_no_upgrade_is_refused() -> None:
    worker = hire(education=Education.ASSOCIATE)
    worker.upgrade_education(
        education=Education.BACHELOR, effective_date=date(2023, 7, 1), schedule=SCHEDULE
    )
    worker.collect_events()

    refused(
        worker,
        lambda: worker.upgrade_education(
            education=Education.MASTER, effective_date=date(2022, 7, 1), schedule=SCHEDULE
        ),
        EducationNotHigher,
    )


def test_a_backdated_grade_change_that_would_push_an_applied_step_past_the_maximum_is_refused() -> (
    None
):
    worker = appraise(
        hire(post=Post.ASSISTANT, grade=10, hire_date=date(2020, 1, 1)),
        {2020: Rating.COMPETENT, 2021: Rating.COMPETENT, 2022: Rating.COMPETENT},
    )
    (due,) = step_clock(worker.state(SCHEDULE), SCHEDULE).due
    worker.apply_step(due, SCHEDULE)
    worker.collect_events()
    assert worker.state(SCHEDULE).grade == 11

    refused(
        worker,
        lambda: worker.change_grade(
            grade=GRADES[Post.ASSISTANT][1],
            effective_date=date(2022, 6, 1),
            reason=GradeChangeReason.REWARD,
            schedule=SCHEDULE,
        ),
        GradeOutOfRange,
    )


def test_a_backdated_transfer_into_the_unit_a_later_transfer_moves_to_is_refused() -> None:
    worker = hire(hire_date=date(2020, 1, 1))
    destination = uuid4()
    worker.transfer(unit_id=destination, effective_date=date(2023, 1, 1), schedule=SCHEDULE)
    worker.collect_events()

    refused(
        worker,
        lambda: worker.transfer(
            unit_id=destination, effective_date=date(2022, 1, 1), schedule=SCHEDULE
        ),
        TimelineConflict,
    )


def test_a_transfer_into_the_unit_the_worker_is_already_in_is_refused() -> None:
    home = uuid4()
    worker = hire(unit_id=home)
    refused(
        worker,
        lambda: worker.transfer(unit_id=home, effective_date=date(2022, 1, 1), schedule=SCHEDULE),
        TimelineConflict,
    )
