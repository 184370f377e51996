"""A worker's career through the ``Ledger`` application, on every store.

Each test states the given facts, runs one command, then checks the new events
in the store, or the named refusal and that nothing new was recorded.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.errors import (
    DuplicateAppraisal,
    EducationNotHigher,
    GradeOutOfRange,
    NotFound,
    TimelineConflict,
    WorkerDismissed,
)
from domain.vocabulary import Education, Post, Rating
from ledger.application import Ledger
from ledger.commands import CorrectAppraisal, UpgradeEducation
from tests.integration.application_support import (
    ADMIN,
    apply_steps,
    appraise,
    as_,
    build_tree,
    change_grade,
    change_post,
    dismiss,
    event_log,
    hire,
    topics_since,
    worker_id,
)

C, E, U = Rating.COMPETENT, Rating.EXCELLENT, Rating.UNQUALIFIED


@pytest.fixture
def street(ledger: Ledger) -> UUID:
    return build_tree(ledger, {"street_a": 10}).street_a


def test_hire_records_the_worker_and_the_seat_in_one_save_with_the_initial_grade(
    ledger: Ledger, street: UUID
) -> None:
    before = event_log(ledger)

    result = hire(
        ledger,
        street,
        post=Post.OFFICER,
        education=Education.BACHELOR,
        hire_date=date(2021, 3, 1),
    )

    assert sorted(topics_since(ledger, before)) == ["Hired", "SeatsAssigned"]
    assert result["grade"] == 3 + 0 + 2  # officer minimum + no prior service + bachelor
    assert result["status"] == "active"
    assert result["post_label"] == "主办"


def test_a_hire_with_an_explicit_grade_outside_the_post_range_records_nothing(
    ledger: Ledger, street: UUID
) -> None:
    before = event_log(ledger)

    with pytest.raises(GradeOutOfRange):
        hire(ledger, street, post=Post.ASSISTANT, grade=13)

    assert event_log(ledger) == before


def test_an_appraisal_is_recorded_and_a_duplicate_is_refused_with_nothing_recorded(
    ledger: Ledger, street: UUID
) -> None:
    worker = worker_id(hire(ledger, street))
    before = event_log(ledger)

    appraise(ledger, worker, 2021, C)
    assert topics_since(ledger, before) == ["Appraised"]

    before = event_log(ledger)
    with pytest.raises(DuplicateAppraisal):
        appraise(ledger, worker, 2021, E)
    assert event_log(ledger) == before


def test_a_correction_is_a_second_event_that_points_at_the_appraisal(
    ledger: Ledger, street: UUID
) -> None:
    worker = worker_id(hire(ledger, street))
    appraise(ledger, worker, 2021, U)
    before = event_log(ledger)

    ledger.correct_appraisal(as_(), CorrectAppraisal(worker, 2021, C, reason="appeal"))

    assert topics_since(ledger, before) == ["AppraisalCorrected"]
    history = ledger.worker_history(ADMIN, worker, None)
    kinds = [(item["type"], item["data"].get("rating")) for item in history]
    assert ("Appraised", "unqualified") in kinds
    assert ("AppraisalCorrected", "competent") in kinds
    corrected = next(item for item in history if item["type"] == "AppraisalCorrected")
    assert corrected["corrects"] == {"type": "Appraised", "year": 2021}


def test_a_backdated_post_change_that_would_invalidate_a_later_grade_change_records_nothing(
    ledger: Ledger, street: UUID
) -> None:
    worker = worker_id(hire(ledger, street, post=Post.OFFICER, grade=10))
    change_grade(ledger, worker, 14, date(2023, 6, 1))
    before = event_log(ledger)

    with pytest.raises(GradeOutOfRange):
        change_post(ledger, worker, Post.ASSISTANT, date(2022, 1, 1))

    assert event_log(ledger) == before
    view = ledger.worker_view(ADMIN, worker, date(2023, 7, 1), None)
    assert (view["post"], view["grade"]) == ("officer", 14)


def test_a_backdated_dismissal_before_a_later_appraisal_records_nothing(
    ledger: Ledger, street: UUID
) -> None:
    worker = worker_id(hire(ledger, street))
    appraise(ledger, worker, 2022, C)
    before = event_log(ledger)

    with pytest.raises(WorkerDismissed):
        dismiss(ledger, worker, date(2022, 6, 30))

    assert event_log(ledger) == before


def test_a_fact_dated_before_the_hire_records_nothing(ledger: Ledger, street: UUID) -> None:
    worker = worker_id(hire(ledger, street, hire_date=date(2021, 3, 1)))
    before = event_log(ledger)

    with pytest.raises(TimelineConflict):
        change_grade(ledger, worker, 2, date(2021, 2, 1))

    assert event_log(ledger) == before


def test_an_education_that_is_not_an_upgrade_records_nothing(ledger: Ledger, street: UUID) -> None:
    worker = worker_id(hire(ledger, street, education=Education.MASTER))
    before = event_log(ledger)

    with pytest.raises(EducationNotHigher):
        ledger.upgrade_education(
            as_(), UpgradeEducation(worker, Education.BACHELOR, date(2022, 1, 1))
        )

    assert event_log(ledger) == before


def test_an_education_upgrade_answers_the_raised_grade(ledger: Ledger, street: UUID) -> None:
    worker = worker_id(hire(ledger, street, post=Post.ASSISTANT, grade=4))
    before = event_log(ledger)

    result = ledger.upgrade_education(
        as_(), UpgradeEducation(worker, Education.BACHELOR, date(2022, 9, 1))
    )

    assert topics_since(ledger, before) == ["EducationUpgraded"]
    assert result["grade"] == 4 + 2  # below associate (0) -> bachelor (2)


def test_nothing_is_recorded_after_a_dismissal(ledger: Ledger, street: UUID) -> None:
    worker = worker_id(hire(ledger, street))
    dismiss(ledger, worker, date(2022, 6, 30))
    before = event_log(ledger)

    with pytest.raises(WorkerDismissed):
        appraise(ledger, worker, 2022, C)

    assert event_log(ledger) == before
    view = ledger.worker_view(ADMIN, worker, date(2022, 7, 1), None)
    assert view["status"] == "dismissed"
    assert view["monthly_pay"] is None


def test_a_command_for_an_unknown_worker_is_not_found(ledger: Ledger, street: UUID) -> None:
    before = event_log(ledger)
    with pytest.raises(NotFound):
        appraise(ledger, uuid4(), 2021, C)
    assert event_log(ledger) == before


# -- the rules through the application -------------------------------------------------------------


def test_applying_due_steps_records_a_derived_step_with_its_causing_appraisals(
    ledger: Ledger, street: UUID
) -> None:
    worker = worker_id(hire(ledger, street, hire_date=date(2021, 3, 1), grade=3))
    for year, rating in ((2021, C), (2022, E), (2023, C)):
        appraise(ledger, worker, year, rating)
    view = ledger.worker_view(ADMIN, worker, date(2024, 2, 1), None)
    assert view["steps_due"] == [
        {"effective_date": "2024-01-01", "caused_by_years": [2021, 2022, 2023], "policy_version": 1}
    ]
    before = event_log(ledger)

    apply_steps(ledger, worker, date(2024, 2, 1))

    assert topics_since(ledger, before) == ["GradeStepped"]
    after = ledger.worker_view(ADMIN, worker, date(2024, 2, 1), None)
    assert (after["grade"], after["steps_due"], after["step_clock_years"]) == (4, [], 0)
    assert ledger.worker_view(ADMIN, worker, date(2023, 12, 31), None)["grade"] == 3
    stepped = next(
        i for i in ledger.worker_history(ADMIN, worker, None) if i["type"] == "GradeStepped"
    )
    assert stepped["effective_date"] == "2024-01-01"
    assert stepped["caused_by"] == [{"type": "Appraised", "year": y} for y in (2021, 2022, 2023)]
    assert stepped["data"]["rule"] == "grade_step"
    assert stepped["data"]["interval_years"] == 3
    assert stepped["data"]["rule_label"] == "三年晋档"


def test_applying_steps_twice_records_the_step_once(ledger: Ledger, street: UUID) -> None:
    worker = worker_id(hire(ledger, street, hire_date=date(2021, 3, 1), grade=3))
    for year in (2021, 2022, 2023):
        appraise(ledger, worker, year, C)
    apply_steps(ledger, worker, date(2024, 2, 1))
    before = event_log(ledger)

    apply_steps(ledger, worker, date(2024, 2, 1))

    assert event_log(ledger) == before


def test_steps_are_applied_only_up_to_the_as_of_date(ledger: Ledger, street: UUID) -> None:
    worker = worker_id(hire(ledger, street, hire_date=date(2021, 3, 1), grade=3))
    for year in (2021, 2022, 2023):
        appraise(ledger, worker, year, C)
    before = event_log(ledger)

    apply_steps(ledger, worker, date(2023, 12, 31))

    assert event_log(ledger) == before


def test_the_worker_view_flags_promotion_and_dismissal(ledger: Ledger, street: UUID) -> None:
    star = worker_id(hire(ledger, street, post=Post.OFFICER, name="优秀"))
    weak = worker_id(hire(ledger, street, name="不称职"))
    for year in (2021, 2022, 2023):
        appraise(ledger, star, year, E)
    for year in (2022, 2023):
        appraise(ledger, weak, year, U)

    star_view = ledger.worker_view(ADMIN, star, date(2024, 1, 15), None)
    weak_view = ledger.worker_view(ADMIN, weak, date(2024, 1, 15), None)

    assert star_view["flags"]["promotion_candidate"] is True
    assert star_view["flags"]["dismissal_required"] is False
    assert weak_view["flags"]["dismissal_required"] is True
    assert weak_view["flags"]["dismissal_due_date"] is not None
    assert weak_view["flags"]["promotion_candidate"] is False


def test_the_worker_view_pays_a_new_assistant_2620(ledger: Ledger, street: UUID) -> None:
    worker = worker_id(hire(ledger, street, post=Post.ASSISTANT, grade=1))

    view = ledger.worker_view(ADMIN, worker, date(2021, 4, 1), None)

    assert view["monthly_pay"] == "2620.00"
    assert view["pay"]["city_share"] == "2620.00"
    assert view["pay"]["local_share"] == "0.00"
