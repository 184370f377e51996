"""What each shipped pack makes of one small district's history, worked by hand.

The history (tests/integration/test_every_pack.py records it) is the same under every
pack; only the posts differ, each pack's own:

- 甲, the top post, hired 2021-01-01 with a master's degree and 4 years' prior service,
  rated competent 2021-2025;
- 乙, the lowest post, hired 2021-01-01 with a bachelor's degree, rated excellent
  2021-2023 (a promotion candidate: three excellent years) and competent 2024-2025, and
  obtains 社会工作师 (social_worker) on 2024-06-01;
- 丙, a deputy, hired 2021-01-01 with 大专 (associate) and 2 years' prior service, rated
  competent 2021-2022, basically competent 2023, unqualified 2024 and 2025 (dismissal
  required: the 2025 appraisal takes effect 2025-12-31, due 30 days later, 2026-01-30).

An appraisal takes effect on 31 December; a step on 1 January after the last qualifying
year of its run. Every figure below is worked from the pack's file, never by the code under
test; the arithmetic is in the comment beside it. Coefficients are the grade-only table
1 + 0.04901 x (grade - 1), to 4 places: grade 3 1.0980, 4 1.1470, 6 1.2451, 9 1.3921,
11 1.4901, 12 1.5391, 16 1.7352.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

D = Decimal
NAMES = ("甲", "乙", "丙")  # top post, lowest post, deputy


@dataclass(frozen=True)
class Line:
    """One payroll line: grade, coefficient, base, allowance, total, city share."""

    grade: int
    coefficient: Decimal
    base: Decimal
    allowance: Decimal
    total: Decimal
    city_share: Decimal


@dataclass(frozen=True)
class Case:
    posts: tuple[str, str, str]  # 甲, 乙, 丙
    labels: tuple[str, str, str]  # their posts' Chinese labels, as the pack names them
    every_post: tuple[str, ...]  # the pack's posts, top first
    interval: int  # years a step takes, recorded with each step
    rule_label: str
    computed_quota: int  # the community: urban, class 2, 3,000 households
    hired_at: dict[str, int]
    # steps due on 2026-01-01 before any is applied: (date, qualifying years, the grade on
    # 2026-01-01 once this step and those before it are recorded)
    steps_due: dict[str, list[tuple[str, list[int], int]]]
    grades_2026: dict[str, int]  # after the steps are applied
    payroll_2026_01: dict[str, Line]
    payroll_total: Decimal
    # a pack that splits pay withholds 丙's 2025 performance part: 丙's 2025-06 total
    withheld_2025_06: Decimal | None
    raise_base: dict[str, Any]  # a draft's parameters changed: the base rises by 100.00
    draft_difference: Decimal  # 2026-01: 100.00 x the sum of the three coefficients


FOUR_POSTS = ("director", "deputy_director", "officer", "assistant")
THREE_YEARS = "三年晋档"
# Initial grades under 四岗十八级 (director 7-18, deputy director 5-16, assistant 1-12;
# education bonus associate 1, bachelor 2, master 3; a grade per 3 prior years):
FOUR_POST_HIRES = {
    "甲": 11,  # 7 + 4 // 3 + 3 = 11
    "乙": 3,  # 1 + 0 // 3 + 2 = 3
    "丙": 6,  # 5 + 2 // 3 + 1 = 6
}
# Three-year steps: 甲 and 乙 qualify 2021-2023 -> a step on 2024-01-01 (2024-2025 count
# two years, not enough); 丙 has two qualifying years (2023 basically competent neither
# counts nor resets; 2024, 2025 unqualified): none.
FOUR_POST_STEPS = {
    "甲": [("2024-01-01", [2021, 2022, 2023], 12)],  # 11 + 1
    "乙": [("2024-01-01", [2021, 2022, 2023], 4)],  # 3 + 1
    "丙": [],
}
FOUR_POST_GRADES = {"甲": 12, "乙": 4, "丙": 6}
# Chibi's wage share: 0.8 x 39,300 / 12 = 2,620.00; a draft at 40,800: 0.8 x 40,800 / 12
# = 2,720.00, 100.00 more.
WAGE_UP = {"average_wages": {"2019": "40800"}}
# 100.00 x (1.5391 + 1.1470 + 1.2451) = 100.00 x 3.9312 = 393.12
FOUR_POST_DIFFERENCE = D("393.12")

CHIBI_LINES = {
    # director 12: 1.5391 x 2620 = 4032.442 -> 4032.44; city 0.70 x 4032.44 = 2822.708 -> .71
    "甲": Line(12, D("1.5391"), D("2620.00"), D("0.00"), D("4032.44"), D("2822.71")),
    # assistant 4: 1.1470 x 2620 = 3005.14, + 200.00 (社会工作师) = 3205.14; city 1.00
    "乙": Line(4, D("1.1470"), D("2620.00"), D("200.00"), D("3205.14"), D("3205.14")),
    # deputy director 6: 1.2451 x 2620 = 3262.162 -> 3262.16; city 0.70 x 3262.16 = 2283.512
    "丙": Line(6, D("1.2451"), D("2620.00"), D("0.00"), D("3262.16"), D("2283.51")),
}
CHIBI_TOTAL = D("10499.74")  # 4032.44 + 3205.14 + 3262.16


def four_post_case(**changes: Any) -> Case:
    fields: dict[str, Any] = dict(
        posts=("director", "assistant", "deputy_director"),
        labels=("主管", "助理", "副主管"),  # no ``posts`` parameter: 四岗十八级's four
        every_post=FOUR_POSTS,
        interval=3,
        rule_label=THREE_YEARS,
        computed_quota=16,  # Baohe's base for an urban community, 16 x class 2's 1.0
        hired_at=FOUR_POST_HIRES,
        steps_due=FOUR_POST_STEPS,
        grades_2026=FOUR_POST_GRADES,
        payroll_2026_01=CHIBI_LINES,
        payroll_total=CHIBI_TOTAL,
        withheld_2025_06=None,
        raise_base=WAGE_UP,
        draft_difference=FOUR_POST_DIFFERENCE,
    )
    fields.update(changes)
    return Case(**fields)


CASES: dict[str, Case] = {
    "baohe-2020": four_post_case(),
    # Chibi's own formula: 7 committee seats + 3,000 households / 500 = 7 + 6 = 13
    "chibi-2020": four_post_case(computed_quota=13),
    "xian-2022": four_post_case(
        payroll_2026_01={
            # 1.5391 x 3900 = 6002.49; city 0.70 x 6002.49 = 4201.743 -> 4201.74
            "甲": Line(12, D("1.5391"), D("3900.00"), D("0.00"), D("6002.49"), D("4201.74")),
            # 1.1470 x 3900 = 4473.30, + 200.00 = 4673.30; city 1.00
            "乙": Line(4, D("1.1470"), D("3900.00"), D("200.00"), D("4673.30"), D("4673.30")),
            # 1.2451 x 3900 = 4855.89; city 0.70 x 4855.89 = 3399.123 -> 3399.12
            "丙": Line(6, D("1.2451"), D("3900.00"), D("0.00"), D("4855.89"), D("3399.12")),
        },
        payroll_total=D("15531.68"),  # 6002.49 + 4673.30 + 4855.89
        raise_base={"fixed_base_pay": {"2022-07-01": "4000.00"}},  # 3,900 + 100
    ),
    "benxi-2023": four_post_case(
        payroll_2026_01={
            # 2026 not yet rated: the performance part paid in full.
            # 1.5391 x 3400 = 5232.94; city 0.70 x 5232.94 = 3663.058 -> 3663.06
            "甲": Line(12, D("1.5391"), D("3400.00"), D("0.00"), D("5232.94"), D("3663.06")),
            # 1.1470 x 3400 = 3899.80, + 200.00 = 4099.80; city 1.00
            "乙": Line(4, D("1.1470"), D("3400.00"), D("200.00"), D("4099.80"), D("4099.80")),
            # 1.2451 x 3400 = 4233.34; city 0.70 x 4233.34 = 2963.338 -> 2963.34
            "丙": Line(6, D("1.2451"), D("3400.00"), D("0.00"), D("4233.34"), D("2963.34")),
        },
        payroll_total=D("13566.08"),  # 5232.94 + 4099.80 + 4233.34
        # 丙 unqualified in 2025: basic 0.8 x 4233.34 = 3386.672 -> 3386.67, performance 0
        withheld_2025_06=D("3386.67"),
        raise_base={"fixed_base_pay": {"2023-01-01": "3500.00"}},  # 3,400 + 100
    ),
    "sangang-18": Case(
        posts=("head", "staff", "deputy"),
        labels=("社区正职", "其他工作人员", "社区副职"),
        every_post=("head", "deputy", "staff"),
        interval=3,
        rule_label=THREE_YEARS,
        computed_quota=16,
        # head 7-18, deputy 4-15, staff 1-12; bachelor +1, master +2, associate 0
        hired_at={
            "甲": 10,  # 7 + 4 // 3 + 2 = 10
            "乙": 2,  # 1 + 0 + 1 = 2
            "丙": 4,  # 4 + 2 // 3 + 0 = 4
        },
        steps_due={
            "甲": [("2024-01-01", [2021, 2022, 2023], 11)],  # 10 + 1
            "乙": [("2024-01-01", [2021, 2022, 2023], 3)],  # 2 + 1
            "丙": [],
        },
        grades_2026={"甲": 11, "乙": 3, "丙": 4},
        payroll_2026_01={
            # base 1 x 39,300 / 12 = 3,275.00; 2026 not yet rated: performance paid in full
            # head 11: 1.4901 x 3275 = 4880.0775 -> 4880.08; city 0.70 x 4880.08 = 3416.056
            "甲": Line(11, D("1.4901"), D("3275.00"), D("0.00"), D("4880.08"), D("3416.06")),
            # staff 3: 1.0980 x 3275 = 3595.95, + 200.00 = 3795.95; city 1.00
            "乙": Line(3, D("1.0980"), D("3275.00"), D("200.00"), D("3795.95"), D("3795.95")),
            # deputy 4: 1.1470 x 3275 = 3756.425 -> 3756.43; city 0.70 x 3756.43 = 2629.501
            "丙": Line(4, D("1.1470"), D("3275.00"), D("0.00"), D("3756.43"), D("2629.50")),
        },
        payroll_total=D("12432.46"),  # 4880.08 + 3795.95 + 3756.43
        # unqualified 2025: basic 0.7 x 3756.43 = 2629.501 -> 2629.50, performance 0
        withheld_2025_06=D("2629.50"),
        # share 1: 1 x 40,500 / 12 = 3,375.00, 100.00 more
        raise_base={"average_wages": {"2019": "40500"}},
        draft_difference=D("373.51"),  # 100.00 x (1.4901 + 1.0980 + 1.1470) = 100 x 3.7351
    ),
    "sigang-24": Case(
        posts=("head", "staff", "deputy"),
        labels=("社区正职", "专职工作人员", "社区副职"),
        every_post=("head", "deputy", "member", "staff"),
        interval=2,
        rule_label="两年晋档",
        computed_quota=16,
        # head 10-24, deputy 7-21, staff 1-15; education as years (bachelor 3, master 5,
        # associate 0) added to prior service, a grade per 2 counted years
        hired_at={
            "甲": 14,  # 10 + (4 + 5) // 2 = 10 + 4
            "乙": 2,  # 1 + (0 + 3) // 2 = 1 + 1
            "丙": 8,  # 7 + (2 + 0) // 2 = 7 + 1
        },
        # two-year steps: 2021-2022 -> 2023-01-01, 2023-2024 -> 2025-01-01 (2025 counts
        # one year); 丙: 2021-2022 -> 2023-01-01, then no qualifying year
        steps_due={
            "甲": [("2023-01-01", [2021, 2022], 15), ("2025-01-01", [2023, 2024], 16)],
            # 2 -> 3 on 2023-01-01; 社会工作师 +2 on 2024-06-01 -> 5; -> 6 on 2025-01-01. The
            # report's new grade is the grade on the day asked (2026-01-01) once the step and
            # those before it are recorded: 2 + 1 + 2 = 5 for the first, 5 + 1 = 6 for both.
            "乙": [("2023-01-01", [2021, 2022], 5), ("2025-01-01", [2023, 2024], 6)],
            "丙": [("2023-01-01", [2021, 2022], 9)],
        },
        grades_2026={"甲": 16, "乙": 6, "丙": 9},
        payroll_2026_01={
            # base 0.8 x 39,300 / 12 = 2,620.00; certificates raise grades, no allowance
            # head 16: 1.7352 x 2620 = 4546.224 -> 4546.22; city 0.70 x 4546.22 = 3182.354
            "甲": Line(16, D("1.7352"), D("2620.00"), D("0.00"), D("4546.22"), D("3182.35")),
            # staff 6: 1.2451 x 2620 = 3262.162 -> 3262.16; city 1.00
            "乙": Line(6, D("1.2451"), D("2620.00"), D("0.00"), D("3262.16"), D("3262.16")),
            # deputy 9: 1.3921 x 2620 = 3647.302 -> 3647.30; city 0.70 x 3647.30 = 2553.11
            "丙": Line(9, D("1.3921"), D("2620.00"), D("0.00"), D("3647.30"), D("2553.11")),
        },
        payroll_total=D("11455.68"),  # 4546.22 + 3262.16 + 3647.30
        withheld_2025_06=None,
        raise_base=WAGE_UP,
        draft_difference=D("437.24"),  # 100.00 x (1.7352 + 1.2451 + 1.3921) = 100 x 4.3724
    ),
}

PROMOTION_DUE = date(2023, 12, 31)  # 乙's third excellent year takes effect
DISMISSAL_DUE = "2026-01-30"  # 2025-12-31 + 30 days
