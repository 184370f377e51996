"""Monthly pay: coefficient(post, grade) x base + certificate allowance, and who funds it.

Chibi's published figures: a new grid worker (assistant, grade 1) earns 2620 a
month and the highest grade (director, grade 18) 4803. Base = 0.8 x the previous
year's average wage (39 300) / 12 = 2620.00; grade 18's coefficient is 1.8332.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from domain.pay import PayLine, month_bounds, pay_for_month
from domain.policy import PolicySchedule
from domain.vocabulary import CertificateLevel, GradeChangeReason, Post
from domain.worker import Worker
from tests.unit.builders import dismiss, hire, schedule

CHIBI = schedule("chibi-2020")


def cents(value: str | Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def pay(worker: Worker, month: str, sched: PolicySchedule = CHIBI) -> PayLine | None:
    return pay_for_month(worker.facts, sched, month)


def test_chibi_pays_a_new_grid_worker_2620_a_month() -> None:
    worker = hire(post=Post.ASSISTANT, grade=1, hire_date=date(2021, 1, 1), sched=CHIBI)

    line = pay(worker, "2021-01")

    assert line is not None
    assert line.base == Decimal("2620.00")
    assert line.total == Decimal("2620.00")


def test_chibi_pays_a_grade_18_director_4802_98_a_month() -> None:
    worker = hire(post=Post.DIRECTOR, grade=18, hire_date=date(2021, 1, 1), sched=CHIBI)

    line = pay(worker, "2021-01")

    assert line is not None
    assert line.coefficient == Decimal("1.8332")
    assert line.total == Decimal("4802.98")  # 1.8332 x 2620, published as "4803"


def test_pay_is_the_coefficient_times_the_base() -> None:
    worker = hire(post=Post.OFFICER, grade=7, hire_date=date(2021, 1, 1), sched=CHIBI)

    line = pay(worker, "2021-05")

    assert line is not None
    assert line.total == cents(line.coefficient * Decimal("2620.00"))


def test_the_base_is_eight_tenths_of_the_previous_years_average_wage_over_twelve() -> None:
    sched = schedule("chibi-2020", average_wages={"2019": "39300", "2020": "45000"})
    worker = hire(grade=1, hire_date=date(2020, 1, 1), sched=sched)

    in_2020 = pay(worker, "2020-06", sched)
    in_2021 = pay(worker, "2021-06", sched)

    assert in_2020 is not None and in_2021 is not None
    assert in_2020.base == cents(Decimal("0.8") * 39300 / 12)
    assert in_2021.base == cents(Decimal("0.8") * 45000 / 12)  # 3000.00


@pytest.mark.parametrize(
    ("post", "city_share"),
    [
        (Post.DIRECTOR, Decimal("0.70")),
        (Post.DEPUTY_DIRECTOR, Decimal("0.70")),
        (Post.OFFICER, Decimal("0.70")),
        (Post.ASSISTANT, Decimal("1.00")),
    ],
)
def test_the_city_pays_70_percent_of_two_committee_members_and_all_of_assistants(
    post: Post, city_share: Decimal
) -> None:
    worker = hire(post=post, grade=10, hire_date=date(2021, 1, 1), sched=CHIBI)

    line = pay(worker, "2021-03")

    assert line is not None
    assert line.city_share == cents(line.total * city_share)
    assert line.local_share == line.total - line.city_share


def test_a_grade_18_directors_pay_splits_3362_09_city_and_1440_89_local() -> None:
    worker = hire(post=Post.DIRECTOR, grade=18, hire_date=date(2021, 1, 1), sched=CHIBI)
    line = pay(worker, "2021-01")
    assert line is not None
    assert (line.city_share, line.local_share) == (Decimal("3362.09"), Decimal("1440.89"))


# -- certificates ------------------------------------------------------------------------------


def certified(*obtained: tuple[CertificateLevel, date]) -> Worker:
    worker = hire(grade=1, hire_date=date(2021, 1, 1), sched=CHIBI)
    for level, on in obtained:
        worker.obtain_certificate(level=level, effective_date=on, schedule=CHIBI)
    return worker


@pytest.mark.parametrize(
    ("level", "allowance"),
    [
        (CertificateLevel.ASSISTANT_SOCIAL_WORKER, Decimal("100.00")),
        (CertificateLevel.SOCIAL_WORKER, Decimal("200.00")),
        (CertificateLevel.SENIOR_SOCIAL_WORKER, Decimal("300.00")),
    ],
)
def test_a_certificate_adds_its_monthly_allowance(
    level: CertificateLevel, allowance: Decimal
) -> None:
    worker = certified((level, date(2021, 3, 1)))

    line = pay(worker, "2021-03")

    assert line is not None
    assert line.allowance == allowance
    assert line.total == Decimal("2620.00") + allowance


def test_a_certificate_counts_from_the_month_it_is_obtained_even_late_in_the_month() -> None:
    worker = certified((CertificateLevel.SOCIAL_WORKER, date(2021, 3, 20)))

    february, march = pay(worker, "2021-02"), pay(worker, "2021-03")

    assert february is not None and march is not None
    assert february.allowance == Decimal("0.00")
    assert march.allowance == Decimal("200.00")


def test_only_the_highest_certificate_is_paid() -> None:
    worker = certified(
        (CertificateLevel.SOCIAL_WORKER, date(2021, 3, 1)),
        (CertificateLevel.ASSISTANT_SOCIAL_WORKER, date(2021, 5, 1)),
    )

    may = pay(worker, "2021-05")

    assert may is not None
    assert may.allowance == Decimal("200.00")


def test_a_higher_certificate_replaces_the_lower_allowance_from_its_month() -> None:
    worker = certified(
        (CertificateLevel.ASSISTANT_SOCIAL_WORKER, date(2021, 3, 1)),
        (CertificateLevel.SENIOR_SOCIAL_WORKER, date(2021, 8, 31)),
    )
    july, august = pay(worker, "2021-07"), pay(worker, "2021-08")
    assert july is not None and august is not None
    assert (july.allowance, august.allowance) == (Decimal("100.00"), Decimal("300.00"))


# -- the state on the first day of the month ------------------------------------------------------


def test_a_months_pay_uses_the_grade_on_the_first_day_of_the_month() -> None:
    worker = hire(post=Post.ASSISTANT, grade=1, hire_date=date(2021, 1, 1), sched=CHIBI)
    worker.change_grade(
        grade=2, effective_date=date(2021, 3, 2), reason=GradeChangeReason.REWARD, schedule=CHIBI
    )

    march, april = pay(worker, "2021-03"), pay(worker, "2021-04")

    assert march is not None and april is not None
    assert (march.grade, march.total) == (1, Decimal("2620.00"))
    assert april.grade == 2


def test_a_change_on_the_first_of_the_month_counts_for_that_month() -> None:
    worker = hire(post=Post.ASSISTANT, grade=1, hire_date=date(2021, 1, 1), sched=CHIBI)
    worker.change_grade(
        grade=2, effective_date=date(2021, 3, 1), reason=GradeChangeReason.REWARD, schedule=CHIBI
    )
    march = pay(worker, "2021-03")
    assert march is not None
    assert march.grade == 2


def test_no_pay_for_a_month_whose_first_day_is_before_the_hire() -> None:
    worker = hire(hire_date=date(2021, 3, 15), sched=CHIBI)

    assert pay(worker, "2021-02") is None
    assert pay(worker, "2021-03") is None
    assert pay(worker, "2021-04") is not None


def test_no_pay_for_months_that_start_after_the_dismissal() -> None:
    worker = dismiss(hire(hire_date=date(2021, 1, 1), sched=CHIBI), date(2021, 6, 15), CHIBI)

    assert pay(worker, "2021-06") is not None
    assert pay(worker, "2021-07") is None


def test_month_bounds_cover_the_whole_month_including_december() -> None:
    assert month_bounds("2021-02") == (date(2021, 2, 1), date(2021, 2, 28))
    assert month_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert month_bounds("2021-12") == (date(2021, 12, 1), date(2021, 12, 31))


def test_the_baohe_pack_also_pays_2620_for_assistant_grade_1() -> None:
    baohe = schedule("baohe-2020")
    worker = hire(grade=1, hire_date=date(2021, 1, 1), sched=baohe)
    line = pay(worker, "2021-01", baohe)
    assert line is not None
    assert line.total == Decimal("2620.00")


def test_the_worker_holds_the_highest_certificate_obtained_so_far() -> None:
    worker = certified(
        (CertificateLevel.SOCIAL_WORKER, date(2021, 3, 1)),
        (CertificateLevel.ASSISTANT_SOCIAL_WORKER, date(2021, 5, 1)),
    )

    assert worker.state(CHIBI, date(2021, 2, 28)).certificate is None
    assert worker.state(CHIBI, date(2021, 3, 1)).certificate is CertificateLevel.SOCIAL_WORKER
    assert worker.state(CHIBI).certificate is CertificateLevel.SOCIAL_WORKER
