"""The payroll read model: one row per stretch of months with the same paid state."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from domain.pay import pay_for_month
from domain.vocabulary import CertificateLevel, GradeChangeReason, Post, PostChangeReason
from domain.worker import Worker
from projections.models.payroll import PAYROLL, month_text, pay_periods
from tests.unit.builders import SCHEDULE, dismiss, hire


def periods(worker: Worker) -> list[tuple[str, str | None, int, Post]]:
    found = pay_periods(worker.facts, SCHEDULE)
    return [(p.month_from, p.month_to, p.grade, p.post) for p in found]


def test_a_worker_hired_on_the_first_is_paid_from_that_month_in_one_open_period() -> None:
    worker = hire(hire_date=date(2021, 3, 1), grade=2)

    assert periods(worker) == [("2021-03", None, 2, Post.ASSISTANT)]


def test_a_worker_hired_mid_month_is_paid_from_the_next_month() -> None:
    worker = hire(hire_date=date(2021, 3, 15), grade=2)

    assert periods(worker) == [("2021-04", None, 2, Post.ASSISTANT)]


def test_a_grade_change_splits_the_period_at_the_first_month_it_holds_on_the_first_day() -> None:
    worker = hire(hire_date=date(2021, 3, 1), grade=2)
    worker.change_grade(
        grade=4, effective_date=date(2022, 6, 1), reason=GradeChangeReason.REWARD, schedule=SCHEDULE
    )
    worker.change_grade(
        grade=5, effective_date=date(2023, 6, 2), reason=GradeChangeReason.REWARD, schedule=SCHEDULE
    )

    assert periods(worker) == [
        ("2021-03", "2022-06", 2, Post.ASSISTANT),
        ("2022-06", "2023-07", 4, Post.ASSISTANT),
        ("2023-07", None, 5, Post.ASSISTANT),
    ]


def test_a_post_change_and_a_transfer_each_split_the_period() -> None:
    worker = hire(hire_date=date(2021, 3, 1), grade=4)
    first_unit = worker.hire_fact.unit_id
    elsewhere = uuid4()
    worker.change_post(
        post=Post.OFFICER,
        effective_date=date(2022, 1, 1),
        reason=PostChangeReason.PROMOTION,
        schedule=SCHEDULE,
    )
    worker.transfer(unit_id=elsewhere, effective_date=date(2022, 9, 10), schedule=SCHEDULE)

    found = pay_periods(worker.facts, SCHEDULE)

    assert [(p.month_from, p.month_to, p.post, p.unit_id) for p in found] == [
        ("2021-03", "2022-01", Post.ASSISTANT, str(first_unit)),
        ("2022-01", "2022-10", Post.OFFICER, str(first_unit)),
        ("2022-10", None, Post.OFFICER, str(elsewhere)),
    ]


def test_a_certificate_splits_the_period_at_the_month_it_is_obtained_even_late_in_it() -> None:
    worker = hire(hire_date=date(2021, 3, 1), grade=2)
    worker.obtain_certificate(
        level=CertificateLevel.SOCIAL_WORKER, effective_date=date(2021, 8, 31), schedule=SCHEDULE
    )

    found = pay_periods(worker.facts, SCHEDULE)

    assert [(p.month_from, p.month_to, p.certificate) for p in found] == [
        ("2021-03", "2021-08", None),
        ("2021-08", None, CertificateLevel.SOCIAL_WORKER),
    ]


def test_a_lower_certificate_after_a_higher_one_changes_nothing() -> None:
    worker = hire(hire_date=date(2021, 3, 1), grade=2)
    for level, on in (
        (CertificateLevel.SOCIAL_WORKER, date(2021, 5, 3)),
        (CertificateLevel.ASSISTANT_SOCIAL_WORKER, date(2022, 5, 3)),
    ):
        worker.obtain_certificate(level=level, effective_date=on, schedule=SCHEDULE)

    found = pay_periods(worker.facts, SCHEDULE)

    assert [(p.month_from, p.certificate) for p in found] == [
        ("2021-03", None),
        ("2021-05", CertificateLevel.SOCIAL_WORKER),
    ]


def test_a_dismissal_mid_month_ends_pay_after_that_month() -> None:
    worker = dismiss(hire(hire_date=date(2021, 3, 1), grade=2), date(2023, 4, 20))

    assert periods(worker) == [("2021-03", "2023-05", 2, Post.ASSISTANT)]


def test_a_dismissal_on_the_first_leaves_that_month_unpaid() -> None:
    worker = dismiss(hire(hire_date=date(2021, 3, 1), grade=2), date(2023, 4, 1))

    assert periods(worker) == [("2021-03", "2023-04", 2, Post.ASSISTANT)]


def test_the_periods_give_every_month_the_state_pay_for_month_pays() -> None:
    worker = hire(hire_date=date(2021, 3, 17), grade=3)
    worker.obtain_certificate(
        level=CertificateLevel.ASSISTANT_SOCIAL_WORKER,
        effective_date=date(2021, 11, 30),
        schedule=SCHEDULE,
    )
    worker.change_grade(
        grade=5, effective_date=date(2022, 2, 1), reason=GradeChangeReason.REWARD, schedule=SCHEDULE
    )
    worker.transfer(unit_id=uuid4(), effective_date=date(2022, 7, 5), schedule=SCHEDULE)
    dismiss(worker, date(2023, 9, 9))
    found = pay_periods(worker.facts, SCHEDULE)

    for index in range(2021 * 12, 2024 * 12):
        month = month_text(index)
        paid = pay_for_month(worker.facts, SCHEDULE, month)
        held = [p for p in found if p.month_from <= month and (p.month_to or "9") > month]
        assert len(held) == (paid is not None), month
        if paid is not None:
            assert (held[0].post, held[0].grade) == (paid.post, paid.grade), month
            allowance = SCHEDULE.on(date(2021, 1, 1)).allowance(held[0].certificate)
            assert allowance == paid.allowance, month


def test_the_model_writes_one_row_per_period_owned_by_the_worker() -> None:
    worker = hire(hire_date=date(2021, 3, 1), grade=2)
    worker.change_grade(
        grade=3, effective_date=date(2022, 1, 1), reason=GradeChangeReason.REWARD, schedule=SCHEDULE
    )

    rows = PAYROLL.rows(worker, SCHEDULE, [])["rm_pay_periods"]

    assert [row[:3] for row in rows] == [
        (str(worker.id), "2021-03", "2022-01"),
        (str(worker.id), "2022-01", None),
    ]
