"""The rule-outcome read model: rows valid on a date answer what the rules say on that date."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from domain.rules import step_clock
from domain.timeline import states
from domain.vocabulary import (
    DismissalReason,
    Education,
    GradeChangeReason,
    Post,
    PostChangeReason,
    Rating,
)
from domain.worker import Worker
from projections.models.rules import DISMISSAL, FLAGS, PROMOTION, RULES, STEPS, outcomes_on
from tests.unit.builders import SCHEDULE, appraise, hire

C, E, B, U = Rating.COMPETENT, Rating.EXCELLENT, Rating.BASICALLY_COMPETENT, Rating.UNQUALIFIED


def worker_with(ratings: dict[int, Rating], *, grade: int = 3) -> Worker:
    return appraise(hire(grade=grade, hire_date=date(2020, 1, 1)), ratings)


def rows(worker: Worker) -> dict[str, list[dict[str, Any]]]:
    found = RULES.rows(worker, SCHEDULE, [])
    return {
        table.name: [
            dict(zip(["worker_id", *table.column_names[1:]], row, strict=True))
            for row in found[table.name]
        ]
        for table in (STEPS, FLAGS)
    }


def valid_on(found: list[dict[str, Any]], day: date) -> list[dict[str, Any]]:
    iso = day.isoformat()
    return [
        r
        for r in found
        if r["valid_from"] <= iso and (r["valid_to"] is None or r["valid_to"] > iso)
    ]


def test_a_step_row_starts_on_its_due_date_not_on_the_third_appraisal() -> None:
    worker = worker_with({2020: C, 2021: E, 2022: C})
    [step] = rows(worker)[STEPS.name]
    assert (step["valid_from"], step["valid_to"]) == ("2023-01-01", None)
    assert (step["grade"], step["new_grade"], step["effective_date"]) == (3, 4, "2023-01-01")
    assert json.loads(step["caused_by"]) == [
        {"year": 2020, "rating": "competent"},
        {"year": 2021, "rating": "excellent"},
        {"year": 2022, "rating": "competent"},
    ]
    assert valid_on(rows(worker)[STEPS.name], date(2022, 12, 31)) == []


def test_a_recorded_step_closes_the_row_on_its_own_date() -> None:
    worker = worker_with({2020: C, 2021: C, 2022: C})
    for due in step_clock(worker.state(SCHEDULE), SCHEDULE).due:
        worker.apply_step(due, SCHEDULE)
    assert rows(worker)[STEPS.name] == []


def test_two_pending_steps_each_say_the_grade_they_reach() -> None:
    worker = worker_with({y: C for y in range(2020, 2026)})
    latest = valid_on(rows(worker)[STEPS.name], date(2026, 1, 1))
    assert [(r["effective_date"], r["grade"], r["new_grade"]) for r in latest] == [
        ("2023-01-01", 3, 4),
        ("2026-01-01", 3, 5),
    ]


def test_a_promotion_flag_holds_from_the_third_excellent_appraisal_to_the_promotion() -> None:
    worker = worker_with({2020: E, 2021: E, 2022: E})
    worker.change_post(
        post=Post.OFFICER,
        effective_date=date(2023, 5, 1),
        reason=PostChangeReason.PROMOTION,
        schedule=SCHEDULE,
    )
    [flag] = [r for r in rows(worker)[FLAGS.name] if r["flag"] == PROMOTION]
    assert (flag["valid_from"], flag["valid_to"], flag["since"]) == (
        "2022-12-31",
        "2023-05-01",
        "2022-12-31",
    )
    assert [y["year"] for y in json.loads(flag["years"])] == [2020, 2021, 2022]


def test_a_dismissal_flag_keeps_its_start_across_a_transfer_and_ends_with_the_dismissal() -> None:
    worker = worker_with({2020: U, 2021: U})
    other = hire().state(SCHEDULE).unit_id
    worker.transfer(unit_id=other, effective_date=date(2022, 1, 10), schedule=SCHEDULE)
    worker.dismiss(
        effective_date=date(2022, 2, 1),
        reason=DismissalReason.TWO_CONSECUTIVE_UNQUALIFIED,
        schedule=SCHEDULE,
    )
    found = [r for r in rows(worker)[FLAGS.name] if r["flag"] == DISMISSAL]
    assert [
        (r["valid_from"], r["valid_to"], r["since"], r["unit_id"] == str(other)) for r in found
    ] == [
        ("2021-12-31", "2022-01-10", "2021-12-31", False),
        ("2022-01-10", "2022-02-01", "2021-12-31", True),
    ]
    assert {r["due_date"] for r in found} == {
        (
            date(2021, 12, 31) + timedelta(days=SCHEDULE.on(date(2021, 12, 31)).dismissal_due_days)
        ).isoformat()
    }


def test_rows_valid_on_any_day_are_what_the_rules_say_on_that_day() -> None:
    worker = worker_with({2020: C, 2021: U, 2022: U, 2023: E, 2024: C})
    mixed = worker_with({2020: E, 2021: E, 2022: E, 2023: C, 2024: B, 2025: C, 2026: C})
    mixed.correct_appraisal(year=2021, rating=C, reason="review", schedule=SCHEDULE)
    for w in (worker, mixed):
        found = rows(w)
        day = date(2019, 12, 1)
        while day < date(2028, 2, 1):
            steps, flags = outcomes_on(w.state(SCHEDULE, day), SCHEDULE, day)
            assert [_step(r) for r in valid_on(found[STEPS.name], day)] == steps, day
            assert {r["flag"]: _flag(r) for r in valid_on(found[FLAGS.name], day)} == flags, day
            day += timedelta(days=1)


def _step(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c] for c in STEPS.column_names[3:])


def _flag(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c] for c in ("unit_id", "post", "grade", "due_date", "years"))


def _pending_steps_then_later_facts() -> Worker:
    """Steps fall due and stay unrecorded while a grade cut, an education upgrade and a
    post change take effect after them: the step rows must count those facts."""
    worker = worker_with({y: C for y in range(2020, 2026)}, grade=5)
    worker.change_grade(
        grade=4,
        effective_date=date(2023, 3, 1),
        reason=GradeChangeReason.CORRECTION,
        schedule=SCHEDULE,
    )
    worker.upgrade_education(
        education=Education.BACHELOR, effective_date=date(2024, 6, 1), schedule=SCHEDULE
    )
    worker.change_post(
        post=Post.OFFICER,
        effective_date=date(2026, 1, 1),
        reason=PostChangeReason.PROMOTION,
        schedule=SCHEDULE,
    )
    worker.record_appraisal(year=2026, rating=U, effective_date=date(2026, 7, 1), schedule=SCHEDULE)
    worker.record_appraisal(year=2027, rating=U, schedule=SCHEDULE)
    return worker


def test_rows_count_the_facts_that_follow_a_step_left_unrecorded() -> None:
    worker = _pending_steps_then_later_facts()
    found = rows(worker)
    day = date(2022, 12, 1)
    while day < date(2028, 3, 1):
        steps, flags = outcomes_on(worker.state(SCHEDULE, day), SCHEDULE, day)
        assert [_step(r) for r in valid_on(found[STEPS.name], day)] == steps, day
        assert {r["flag"]: _flag(r) for r in valid_on(found[FLAGS.name], day)} == flags, day
        day += timedelta(days=1)
    assert len(valid_on(found[STEPS.name], date(2026, 1, 1))) == 2


def test_the_step_clock_read_off_earlier_states_is_the_replayed_one() -> None:
    """``step_clock(..., earlier)`` looks the state on a step's date up instead of
    replaying it; for every state of these workers it must answer the same."""
    workers = [
        _pending_steps_then_later_facts(),
        worker_with({2020: C, 2021: U, 2022: U, 2023: E, 2024: C}),
        worker_with({y: E for y in range(2020, 2027)}, grade=11),  # steps hit the maximum
    ]
    for worker in workers:
        changes = states(worker.facts, SCHEDULE)
        for index, (_, state) in enumerate(changes):
            earlier = changes[: index + 1]
            assert step_clock(state, SCHEDULE, earlier) == step_clock(state, SCHEDULE)
