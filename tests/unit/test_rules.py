"""The rules derived from appraisals: three-year steps, promotion and dismissal flags."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.errors import GradeOutOfRange
from domain.rules import (
    dismissal_causes,
    dismissal_due,
    promotion_candidate,
    promotion_causes,
    step_clock,
)
from domain.timeline import states
from domain.vocabulary import GradeChangeReason, Post, PostChangeReason, Rating, step_rule_label
from domain.worker import Worker
from tests.unit.builders import (
    GRADES,
    SCHEDULE,
    appraise,
    dismiss,
    hire,
    new_events,
    schedule,
)

C, E, B, U = Rating.COMPETENT, Rating.EXCELLENT, Rating.BASICALLY_COMPETENT, Rating.UNQUALIFIED


def worker_with(
    ratings: dict[int, Rating], *, post: Post = Post.ASSISTANT, grade: int = 3
) -> Worker:
    return appraise(hire(post=post, grade=grade, hire_date=date(2020, 1, 1)), ratings)


def due_of(worker: Worker, as_of: date | None = None) -> list[tuple[date, tuple[int, ...]]]:
    clock = step_clock(worker.state(SCHEDULE, as_of), SCHEDULE)
    return [(d.effective_date, d.caused_by_years) for d in clock.due]


def apply_due(worker: Worker, as_of: date | None = None) -> None:
    for due in step_clock(worker.state(SCHEDULE, as_of), SCHEDULE).due:
        worker.apply_step(due, SCHEDULE)


# -- three-year step ---------------------------------------------------------------------------


def test_three_qualifying_years_make_a_step_due_on_1_january_of_the_next_year() -> None:
    worker = worker_with({2020: C, 2021: E, 2022: C})

    clock = step_clock(worker.state(SCHEDULE), SCHEDULE)

    assert [(d.effective_date, d.caused_by_years) for d in clock.due] == [
        (date(2023, 1, 1), (2020, 2021, 2022))
    ]
    assert clock.due[0].policy_version == 1


def test_two_qualifying_years_make_no_step_and_the_clock_shows_two() -> None:
    worker = worker_with({2020: C, 2021: E})

    clock = step_clock(worker.state(SCHEDULE), SCHEDULE)

    assert clock.due == ()
    assert clock.years == 2


@pytest.mark.parametrize("other", [B, U])
def test_a_year_rated_below_competent_neither_counts_nor_resets_the_step_clock(
    other: Rating,
) -> None:
    worker = worker_with({2020: C, 2021: other, 2022: C})
    assert due_of(worker) == []
    assert step_clock(worker.state(SCHEDULE), SCHEDULE).years == 2

    appraise(worker, {2023: E})

    assert due_of(worker) == [(date(2024, 1, 1), (2020, 2022, 2023))]


def test_qualifying_years_need_not_be_consecutive_for_a_step() -> None:
    worker = worker_with({2020: C, 2022: C, 2024: E})
    assert due_of(worker) == [(date(2025, 1, 1), (2020, 2022, 2024))]


def test_a_late_recorded_appraisal_makes_the_step_due_on_1_january_after_the_third_year() -> None:
    worker = worker_with({2020: C, 2021: C})
    worker.record_appraisal(
        year=2022, rating=C, effective_date=date(2023, 2, 20), schedule=SCHEDULE
    )
    assert due_of(worker) == [(date(2023, 1, 1), (2020, 2021, 2022))]


def test_applying_a_step_raises_the_grade_by_one_from_its_date_and_records_its_cause() -> None:
    worker = worker_with({2020: C, 2021: E, 2022: C}, grade=3)
    (due,) = step_clock(worker.state(SCHEDULE), SCHEDULE).due

    worker.apply_step(due, SCHEDULE)

    (event,) = worker.collect_events()
    assert type(event).__name__ == "GradeStepped"
    assert event.rule == "grade_step"  # type: ignore[attr-defined]
    assert event.interval_years == 3  # type: ignore[attr-defined]
    assert event.caused_by_years == [2020, 2021, 2022]  # type: ignore[attr-defined]
    assert event.policy_version == 1  # type: ignore[attr-defined]
    assert event.effective_date == date(2023, 1, 1)  # type: ignore[attr-defined]
    assert worker.state(SCHEDULE, date(2022, 12, 31)).grade == 3
    assert worker.state(SCHEDULE, date(2023, 1, 1)).grade == 4


def test_a_two_year_policy_records_its_steps_as_two_year_steps() -> None:
    two_years = schedule(step_years=2)
    worker = appraise(
        hire(grade=3, hire_date=date(2020, 1, 1), sched=two_years),
        {2020: C, 2021: E},
        sched=two_years,
    )
    (due,) = step_clock(worker.state(two_years), two_years).due

    worker.apply_step(due, two_years)

    (event,) = worker.collect_events()
    assert (event.rule, event.interval_years) == ("grade_step", 2)  # type: ignore[attr-defined]
    assert event.caused_by_years == [2020, 2021]  # type: ignore[attr-defined]
    assert worker.state(two_years, date(2022, 1, 1)).grade == 4


def test_a_step_recorded_before_the_rule_had_an_interval_reads_as_a_three_year_step() -> None:
    # The fields of a GradeStepped as class version 2 recorded them (the mapper's upcasting
    # runs the class's upcasters in turn from the recorded version).
    state = {
        "effective_date": date(2023, 1, 1),
        "rule": "three_year_step",
        "caused_by_years": [2020, 2021, 2022],
        "policy_version": 1,
    }
    Worker.GradeStepped.upcast_v2_v3(state)
    assert state["rule"] == "grade_step"
    assert state["interval_years"] == 3


@pytest.mark.parametrize(
    ("years", "label"),
    [(1, "一年晋档"), (2, "两年晋档"), (3, "三年晋档"), (10, "十年晋档"), (12, "十二年晋档")],
)
def test_the_step_rule_is_named_in_chinese_by_its_interval(years: int, label: str) -> None:
    assert step_rule_label(years) == label


def test_applying_a_step_consumes_its_years_so_the_next_step_needs_three_more() -> None:
    worker = worker_with({2020: C, 2021: E, 2022: C}, grade=3)
    apply_due(worker)

    clock = step_clock(worker.state(SCHEDULE), SCHEDULE)
    assert (clock.years, clock.due) == (0, ())

    appraise(worker, {2023: C, 2024: C})
    assert due_of(worker) == []
    appraise(worker, {2025: E})
    assert due_of(worker) == [(date(2026, 1, 1), (2023, 2024, 2025))]


def test_six_qualifying_years_make_two_steps_each_with_its_own_years() -> None:
    worker = worker_with({y: C for y in range(2020, 2026)}, grade=3)

    assert due_of(worker) == [
        (date(2023, 1, 1), (2020, 2021, 2022)),
        (date(2026, 1, 1), (2023, 2024, 2025)),
    ]
    apply_due(worker)
    assert worker.state(SCHEDULE).grade == 5


def test_steps_due_after_the_as_of_date_are_not_yet_due() -> None:
    worker = worker_with({2020: C, 2021: C, 2022: C})
    assert due_of(worker, date(2022, 6, 30)) == []
    assert step_clock(worker.state(SCHEDULE, date(2022, 6, 30)), SCHEDULE).years == 2


@pytest.mark.parametrize("post", list(Post))
def test_at_the_post_maximum_there_is_no_step_and_the_clock_resets(post: Post) -> None:
    worker = worker_with({2020: C, 2021: C, 2022: C}, post=post, grade=GRADES[post][1])

    clock = step_clock(worker.state(SCHEDULE), SCHEDULE)

    assert (clock.due, clock.years) == ((), 0)


def test_a_step_that_reaches_the_maximum_is_the_last_and_later_years_reset_the_clock() -> None:
    high = GRADES[Post.ASSISTANT][1]
    worker = worker_with({y: C for y in range(2020, 2027)}, grade=high - 1)

    clock = step_clock(worker.state(SCHEDULE), SCHEDULE)

    assert [d.caused_by_years for d in clock.due] == [(2020, 2021, 2022)]
    assert clock.years == 1  # 2023-2025 reset the clock at the maximum; 2026 counts again


def test_a_step_reset_at_the_maximum_is_not_revived_by_a_later_grade_cut() -> None:
    high = GRADES[Post.ASSISTANT][1]
    worker = worker_with({2020: C, 2021: C, 2022: C}, grade=high)
    worker.change_grade(
        grade=high - 2,
        effective_date=date(2023, 6, 1),
        reason=GradeChangeReason.DISCIPLINE,
        schedule=SCHEDULE,
    )
    worker.collect_events()

    # On 1 January 2023 the worker was at the maximum: those three years made no step.
    assert due_of(worker, date(2023, 7, 1)) == []
    assert step_clock(worker.state(SCHEDULE, date(2023, 7, 1)), SCHEDULE).years == 0


def test_a_step_reset_at_the_maximum_is_not_revived_by_a_later_post_change() -> None:
    worker = worker_with({2020: C, 2021: C, 2022: C}, grade=GRADES[Post.ASSISTANT][1])
    worker.change_post(
        post=Post.OFFICER,
        effective_date=date(2023, 3, 1),
        reason=PostChangeReason.PROMOTION,
        schedule=SCHEDULE,
    )
    worker.collect_events()

    assert due_of(worker) == []


def test_a_step_due_before_a_later_grade_change_to_the_maximum_is_still_due_and_applicable() -> (
    None
):
    high = GRADES[Post.ASSISTANT][1]
    worker = worker_with({2020: C, 2021: C, 2022: C}, grade=5)
    worker.change_grade(
        grade=high,
        effective_date=date(2023, 6, 1),
        reason=GradeChangeReason.REWARD,
        schedule=SCHEDULE,
    )
    worker.collect_events()

    # On 1 January 2023, when the step fell due, the worker was at grade 5.
    assert due_of(worker) == [(date(2023, 1, 1), (2020, 2021, 2022))]
    apply_due(worker)
    assert new_events(worker) == ["GradeStepped"]
    assert worker.state(SCHEDULE, date(2023, 1, 1)).grade == 6
    assert worker.state(SCHEDULE).grade == high


def test_every_step_the_rules_list_as_due_can_be_applied() -> None:
    worker = worker_with({2020: C, 2021: C, 2022: C}, grade=GRADES[Post.ASSISTANT][1])
    worker.change_grade(
        grade=4,
        effective_date=date(2023, 6, 1),
        reason=GradeChangeReason.DISCIPLINE,
        schedule=SCHEDULE,
    )
    appraise(worker, {2023: C, 2024: C, 2025: C})

    try:
        apply_due(worker)
    except GradeOutOfRange as error:  # pragma: no cover - the failure being guarded against
        raise AssertionError(f"a step listed as due could not be applied: {error}") from error
    assert new_events(worker) == ["GradeStepped"]
    assert worker.state(SCHEDULE).grade == 5


def test_a_step_due_after_a_late_appraisal_is_recorded_and_a_later_one_lapses() -> None:
    high = GRADES[Post.DIRECTOR][1]
    worker = hire(post=Post.DIRECTOR, grade=high - 2, hire_date=date(2016, 1, 1))
    appraise(worker, {2016: C, 2017: C, 2019: C, 2020: C, 2021: C, 2022: C})
    apply_due(worker, date(2023, 1, 1))  # 2016, 2017, 2019; then 2020-2022: two steps
    assert worker.state(SCHEDULE).grade == high
    worker.collect_events()
    # The 2018 appraisal, recorded late, makes 2016-2018 a step on 1 January 2019, when
    # the worker was two grades below the maximum: due, and judged on its own date.
    appraise(worker, {2018: C})
    assert due_of(worker, date(2019, 1, 1)) == [(date(2019, 1, 1), (2016, 2017, 2018))]

    apply_due(worker, date(2019, 1, 1))

    assert new_events(worker) == ["GradeStepped"]
    assert worker.state(SCHEDULE, date(2019, 1, 1)).grade == high - 1
    assert worker.state(SCHEDULE, date(2020, 1, 1)).grade == high
    # The step recorded for 1 January 2023 now falls at the maximum: no grade, as the
    # rule says of any step there (the clock starts again).
    assert worker.state(SCHEDULE).grade == high


def test_a_worker_whose_dismissal_is_required_gets_no_step() -> None:
    worker = worker_with({2020: U, 2021: U, 2022: C, 2023: C, 2024: C})
    assert dismissal_due(worker.state(SCHEDULE), SCHEDULE) is not None

    assert due_of(worker) == []


def test_a_dismissed_worker_gets_no_step() -> None:
    worker = dismiss(worker_with({2020: C, 2021: C, 2022: C}), date(2022, 12, 31))
    assert due_of(worker) == []


def test_a_step_that_fell_due_before_a_resignation_can_still_be_recorded_after_it() -> None:
    # The 2022 appraisal is recorded late, after the worker left on 20 January 2023:
    # the step of 1 January 2023 fell due while the worker was still in post.
    worker = dismiss(worker_with({2020: C, 2021: C}), date(2023, 1, 20))
    worker.record_appraisal(
        year=2022, rating=C, effective_date=date(2022, 12, 31), schedule=SCHEDULE
    )
    worker.collect_events()

    assert due_of(worker) == [(date(2023, 1, 1), (2020, 2021, 2022))]
    apply_due(worker)
    assert new_events(worker) == ["GradeStepped"]
    assert worker.state(SCHEDULE, date(2023, 1, 1)).grade == 4


def test_a_step_that_fell_due_before_the_dismissal_requirement_is_still_due() -> None:
    # 2020-2022 make a step due on 1 January 2023; 2023 and 2024 unqualified then
    # require dismissal from the end of 2024: later steps stop, the earlier one stands.
    worker = worker_with({2020: C, 2021: C, 2022: C, 2023: U, 2024: U, 2025: C, 2026: C, 2027: C})
    assert dismissal_due(worker.state(SCHEDULE), SCHEDULE) is not None

    assert due_of(worker) == [(date(2023, 1, 1), (2020, 2021, 2022))]


def test_the_step_rule_follows_the_policy_step_years() -> None:
    two_year = schedule(step_years=2)
    worker = appraise(
        hire(grade=3, hire_date=date(2020, 1, 1), sched=two_year),
        {2020: C, 2021: C},
        sched=two_year,
    )
    clock = step_clock(worker.state(two_year), two_year)
    assert [d.caused_by_years for d in clock.due] == [(2020, 2021)]


# -- priority promotion --------------------------------------------------------------------------


def test_three_consecutive_excellent_years_make_a_promotion_candidate() -> None:
    worker = worker_with({2020: E, 2021: E, 2022: E}, post=Post.OFFICER, grade=5)
    assert promotion_candidate(worker.state(SCHEDULE), SCHEDULE)


def test_two_excellent_years_do_not_make_a_promotion_candidate() -> None:
    worker = worker_with({2020: E, 2021: E, 2022: C}, post=Post.OFFICER, grade=5)
    assert not promotion_candidate(worker.state(SCHEDULE), SCHEDULE)


def test_a_missing_year_breaks_the_consecutive_excellent_years() -> None:
    worker = worker_with({2020: E, 2021: E, 2023: E}, post=Post.OFFICER, grade=5)
    assert not promotion_candidate(worker.state(SCHEDULE), SCHEDULE)


def test_a_lower_rating_between_excellent_years_breaks_the_run() -> None:
    worker = worker_with({2020: E, 2021: C, 2022: E, 2023: E}, post=Post.OFFICER, grade=5)
    assert not promotion_candidate(worker.state(SCHEDULE), SCHEDULE)
    appraise(worker, {2024: E})
    assert promotion_candidate(worker.state(SCHEDULE), SCHEDULE)


def test_a_director_is_never_a_promotion_candidate() -> None:
    worker = worker_with({2020: E, 2021: E, 2022: E}, post=Post.DIRECTOR, grade=10)
    assert not promotion_candidate(worker.state(SCHEDULE), SCHEDULE)


def test_the_promotion_flag_is_a_flag_and_changes_no_post() -> None:
    worker = worker_with({2020: E, 2021: E, 2022: E}, post=Post.OFFICER, grade=5)
    assert worker.state(SCHEDULE).post == Post.OFFICER
    assert [f.kind for f in worker.facts].count("PostChangeFact") == 0


def test_a_promotion_clears_the_flag_until_three_more_excellent_years() -> None:
    worker = worker_with({2020: E, 2021: E, 2022: E}, post=Post.OFFICER, grade=5)
    worker.change_post(
        post=Post.DEPUTY_DIRECTOR,
        effective_date=date(2023, 3, 1),
        reason=PostChangeReason.PROMOTION,
        schedule=SCHEDULE,
    )
    assert not promotion_candidate(worker.state(SCHEDULE), SCHEDULE)

    appraise(worker, {2023: E, 2024: E})
    assert not promotion_candidate(worker.state(SCHEDULE), SCHEDULE)
    appraise(worker, {2025: E})
    assert promotion_candidate(worker.state(SCHEDULE), SCHEDULE)


def test_a_post_change_that_is_not_a_promotion_keeps_the_flag() -> None:
    worker = worker_with({2020: E, 2021: E, 2022: E}, post=Post.OFFICER, grade=5)
    worker.change_post(
        post=Post.ASSISTANT,
        effective_date=date(2023, 3, 1),
        reason=PostChangeReason.REASSIGNMENT,
        schedule=SCHEDULE,
    )
    assert promotion_candidate(worker.state(SCHEDULE), SCHEDULE)


def test_the_promotion_flag_is_raised_only_once_the_third_year_is_appraised() -> None:
    worker = worker_with({2020: E, 2021: E, 2022: E}, post=Post.OFFICER, grade=5)
    assert not promotion_candidate(worker.state(SCHEDULE, date(2022, 12, 30)), SCHEDULE)
    assert promotion_candidate(worker.state(SCHEDULE, date(2022, 12, 31)), SCHEDULE)


# -- dismissal required ----------------------------------------------------------------------------


def test_two_consecutive_unqualified_years_require_dismissal_with_a_due_date() -> None:
    worker = worker_with({2020: C, 2021: U, 2022: U})

    due = dismissal_due(worker.state(SCHEDULE), SCHEDULE)

    days = SCHEDULE.on(date(2022, 12, 31)).dismissal_due_days
    assert due == date(2022, 12, 31) + timedelta(days=days)


def test_one_unqualified_year_does_not_require_dismissal() -> None:
    worker = worker_with({2020: C, 2021: U, 2022: C})
    assert dismissal_due(worker.state(SCHEDULE), SCHEDULE) is None


def test_a_missing_year_breaks_consecutive_unqualified_years() -> None:
    worker = worker_with({2020: U, 2022: U})
    assert dismissal_due(worker.state(SCHEDULE), SCHEDULE) is None


def test_a_basically_competent_year_breaks_consecutive_unqualified_years() -> None:
    worker = worker_with({2020: U, 2021: B, 2022: U})
    assert dismissal_due(worker.state(SCHEDULE), SCHEDULE) is None


def test_recording_the_dismissal_clears_the_dismissal_flag() -> None:
    worker = worker_with({2020: U, 2021: U})
    assert dismissal_due(worker.state(SCHEDULE), SCHEDULE) is not None

    dismiss(worker, date(2022, 1, 20))

    assert dismissal_due(worker.state(SCHEDULE), SCHEDULE) is None
    assert dismissal_due(worker.state(SCHEDULE, date(2022, 1, 19)), SCHEDULE) is not None


def test_correcting_an_unqualified_rating_clears_the_dismissal_flag() -> None:
    worker = worker_with({2020: U, 2021: U})
    worker.correct_appraisal(year=2021, rating=C, reason="appeal", schedule=SCHEDULE)
    assert dismissal_due(worker.state(SCHEDULE), SCHEDULE) is None


def test_a_promotion_flag_names_the_excellent_years_that_raised_it() -> None:
    # 2020 excellent, a competent break, then three excellent years: the run that counts
    # is 2022-2024, not the lone 2020 nor the longer run still going on after it.
    ratings = {2020: E, 2021: C, 2022: E, 2023: E, 2024: E, 2025: E}
    worker = worker_with(ratings, post=Post.OFFICER, grade=5)
    assert promotion_causes(worker.state(SCHEDULE), SCHEDULE) == (2022, 2023, 2024)


def test_a_dismissal_names_the_unqualified_years_that_require_it() -> None:
    worker = worker_with({2020: U, 2021: C, 2022: U, 2023: U})
    assert dismissal_causes(worker.state(SCHEDULE), SCHEDULE) == (2022, 2023)


def test_no_flag_names_no_years() -> None:
    worker = worker_with({2020: E, 2021: E, 2022: C}, post=Post.OFFICER, grade=5)
    state = worker.state(SCHEDULE)
    assert (promotion_causes(state, SCHEDULE), dismissal_causes(state, SCHEDULE)) == ((), ())


def test_a_second_step_is_judged_with_a_fact_of_its_own_date_and_the_first_step_recorded() -> None:
    high = GRADES[Post.ASSISTANT][1]
    worker = worker_with({year: C for year in range(2020, 2026)}, grade=high - 3)
    # On the second step's date the grade is set to the maximum: that date's state holds
    # the change, so the second step is not due (without it, one step up, it would be).
    worker.change_grade(
        grade=high,
        effective_date=date(2026, 1, 1),
        reason=GradeChangeReason.DISCIPLINE,
        schedule=SCHEDULE,
    )
    state = worker.state(SCHEDULE)
    expected = step_clock(state, SCHEDULE).due  # replays each step's date

    assert [d.effective_date for d in expected] == [date(2023, 1, 1)]
    # The same answer from the worker's states, derived forward through the steps.
    assert step_clock(state, SCHEDULE, states(worker.facts, SCHEDULE)).due == expected
