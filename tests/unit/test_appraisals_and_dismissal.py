"""Annual appraisals, their corrections, and what a dismissal closes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import uuid4

import pytest

from domain.errors import DuplicateAppraisal, InvalidInput, NotFound, WorkerDismissed
from domain.facts import AppraisalCorrectionFact, AppraisalFact
from domain.rules import promotion_candidate
from domain.vocabulary import (
    CertificateLevel,
    DismissalReason,
    Education,
    GradeChangeReason,
    Post,
    PostChangeReason,
    Rating,
    WorkerStatus,
)
from domain.worker import Worker
from tests.unit.builders import SCHEDULE, appraise, dismiss, hire, new_events, refused

# -- one appraisal a year ---------------------------------------------------------------------


def test_an_appraisal_is_recorded_on_31_december_of_its_year_by_default() -> None:
    worker = hire()

    worker.record_appraisal(year=2021, rating=Rating.COMPETENT, schedule=SCHEDULE)

    events = worker.collect_events()
    assert [type(e).__name__ for e in events] == ["Appraised"]
    assert events[0].effective_date == date(2021, 12, 31)  # type: ignore[attr-defined]
    assert worker.state(SCHEDULE).appraisals == {2021: Rating.COMPETENT}


def test_a_second_appraisal_for_the_same_year_is_refused() -> None:
    worker = appraise(hire(), {2021: Rating.COMPETENT})

    error = refused(
        worker,
        lambda: worker.record_appraisal(year=2021, rating=Rating.EXCELLENT, schedule=SCHEDULE),
        DuplicateAppraisal,
    )
    assert error.code == "duplicate_appraisal"
    assert worker.state(SCHEDULE).appraisals == {2021: Rating.COMPETENT}


def test_a_second_appraisal_for_the_same_year_is_refused_whatever_its_effective_date() -> None:
    worker = appraise(hire(), {2021: Rating.COMPETENT})

    refused(
        worker,
        lambda: worker.record_appraisal(
            year=2021,
            rating=Rating.EXCELLENT,
            effective_date=date(2022, 2, 15),
            schedule=SCHEDULE,
        ),
        DuplicateAppraisal,
    )


def test_an_appraisal_cannot_take_effect_before_its_year() -> None:
    worker = hire()
    refused(
        worker,
        lambda: worker.record_appraisal(
            year=2022,
            rating=Rating.COMPETENT,
            effective_date=date(2021, 12, 31),
            schedule=SCHEDULE,
        ),
        InvalidInput,
    )


# -- corrections ----------------------------------------------------------------------------------


def test_a_correction_keeps_the_earlier_rating_on_record_and_changes_the_derived_rating() -> None:
    worker = appraise(hire(), {2021: Rating.BASICALLY_COMPETENT})

    worker.correct_appraisal(
        year=2021, rating=Rating.EXCELLENT, reason="clerical error", schedule=SCHEDULE
    )

    assert new_events(worker) == ["AppraisalCorrected"]
    on_record = [
        (type(f), f.year)
        for f in worker.facts
        if isinstance(f, (AppraisalFact, AppraisalCorrectionFact))
    ]
    assert on_record == [(AppraisalFact, 2021), (AppraisalCorrectionFact, 2021)]
    original = next(f for f in worker.facts if isinstance(f, AppraisalFact))
    assert original.rating is Rating.BASICALLY_COMPETENT
    assert worker.state(SCHEDULE).appraisals == {2021: Rating.EXCELLENT}


def test_a_correction_changes_what_the_rules_derive() -> None:
    worker = appraise(
        hire(post=Post.OFFICER),
        {2020: Rating.EXCELLENT, 2021: Rating.COMPETENT, 2022: Rating.EXCELLENT},
    )
    assert not promotion_candidate(worker.state(SCHEDULE), SCHEDULE)

    worker.correct_appraisal(year=2021, rating=Rating.EXCELLENT, reason="review", schedule=SCHEDULE)

    assert promotion_candidate(worker.state(SCHEDULE), SCHEDULE)


def test_a_correction_takes_effect_on_the_date_of_the_appraisal_it_corrects() -> None:
    worker = appraise(hire(), {2021: Rating.COMPETENT})

    worker.correct_appraisal(year=2021, rating=Rating.UNQUALIFIED, reason="r", schedule=SCHEDULE)

    (event,) = worker.collect_events()
    assert event.effective_date == date(2021, 12, 31)  # type: ignore[attr-defined]


def test_a_correction_of_a_year_without_an_appraisal_is_refused() -> None:
    worker = appraise(hire(), {2021: Rating.COMPETENT})
    refused(
        worker,
        lambda: worker.correct_appraisal(
            year=2022, rating=Rating.EXCELLENT, reason="r", schedule=SCHEDULE
        ),
        NotFound,
    )


# -- dismissal --------------------------------------------------------------------------------


def after_dismissal_commands(worker: Worker) -> dict[str, Callable[[], None]]:
    later = date(2023, 3, 1)
    return {
        "appraisal": lambda: worker.record_appraisal(
            year=2023, rating=Rating.COMPETENT, schedule=SCHEDULE
        ),
        "grade change": lambda: worker.change_grade(
            grade=3, effective_date=later, reason=GradeChangeReason.REWARD, schedule=SCHEDULE
        ),
        "post change": lambda: worker.change_post(
            post=Post.OFFICER,
            effective_date=later,
            reason=PostChangeReason.PROMOTION,
            schedule=SCHEDULE,
        ),
        "transfer": lambda: worker.transfer(
            unit_id=uuid4(), effective_date=later, schedule=SCHEDULE
        ),
        "education": lambda: worker.upgrade_education(
            education=Education.BACHELOR, effective_date=later, schedule=SCHEDULE
        ),
        "certificate": lambda: worker.obtain_certificate(
            level=CertificateLevel.SOCIAL_WORKER, effective_date=later, schedule=SCHEDULE
        ),
        "second dismissal": lambda: worker.dismiss(
            effective_date=later, reason=DismissalReason.OTHER, schedule=SCHEDULE
        ),
    }


@pytest.mark.parametrize(
    "command",
    [
        "appraisal",
        "grade change",
        "post change",
        "transfer",
        "education",
        "certificate",
        "second dismissal",
    ],
)
def test_nothing_takes_effect_after_the_dismissal(command: str) -> None:
    worker = dismiss(hire(), date(2023, 1, 15))

    error = refused(worker, after_dismissal_commands(worker)[command], WorkerDismissed)
    assert error.code == "worker_dismissed"


def test_a_fact_on_the_dismissal_date_itself_is_refused() -> None:
    worker = dismiss(hire(), date(2023, 1, 15))
    refused(
        worker,
        lambda: worker.change_grade(
            grade=2,
            effective_date=date(2023, 1, 15),
            reason=GradeChangeReason.REWARD,
            schedule=SCHEDULE,
        ),
        WorkerDismissed,
    )


def test_a_dismissed_worker_is_dismissed_from_the_dismissal_date() -> None:
    worker = hire()

    worker.dismiss(
        effective_date=date(2023, 1, 15), reason=DismissalReason.RETIREMENT, schedule=SCHEDULE
    )

    assert new_events(worker) == ["Dismissed"]
    assert worker.state(SCHEDULE, date(2023, 1, 14)).status is WorkerStatus.ACTIVE
    after = worker.state(SCHEDULE, date(2023, 1, 15))
    assert after.status is WorkerStatus.DISMISSED
    assert after.dismissal_reason is DismissalReason.RETIREMENT


def test_facts_dated_before_the_dismissal_are_still_accepted_after_it_is_recorded() -> None:
    worker = dismiss(hire(), date(2023, 6, 30))

    worker.record_appraisal(year=2022, rating=Rating.COMPETENT, schedule=SCHEDULE)
    worker.change_grade(
        grade=2, effective_date=date(2023, 1, 1), reason=GradeChangeReason.REWARD, schedule=SCHEDULE
    )

    assert new_events(worker) == ["Appraised", "GradeChanged"]


def test_a_correction_of_an_earlier_year_is_allowed_after_the_dismissal() -> None:
    worker = dismiss(appraise(hire(), {2022: Rating.UNQUALIFIED}), date(2023, 2, 1))

    worker.correct_appraisal(
        year=2022, rating=Rating.COMPETENT, reason="appeal upheld", schedule=SCHEDULE
    )

    assert new_events(worker) == ["AppraisalCorrected"]
    assert worker.state(SCHEDULE).appraisals[2022] is Rating.COMPETENT
    assert worker.state(SCHEDULE).status is WorkerStatus.DISMISSED


def test_a_correction_is_allowed_even_when_it_falls_after_the_dismissal_in_the_timeline() -> None:
    # The 2022 appraisal took effect on the dismissal date and was recorded first,
    # so its correction (same date, recorded later) sorts after the dismissal.
    worker = hire()
    worker.record_appraisal(
        year=2022,
        rating=Rating.UNQUALIFIED,
        effective_date=date(2023, 1, 15),
        schedule=SCHEDULE,
    )
    dismiss(worker, date(2023, 1, 15))

    worker.correct_appraisal(year=2022, rating=Rating.COMPETENT, reason="appeal", schedule=SCHEDULE)

    assert new_events(worker) == ["AppraisalCorrected"]
    assert worker.state(SCHEDULE).appraisals[2022] is Rating.COMPETENT
