"""``step_clock_with_states``: the step clock hands back the worker's states with the steps it
finds due, carried forward by the pass that judges them; they must be exactly the states of
the recorded facts and those steps, as ``states`` and ``states_with`` derive them, facts and
all (the rules look back through a state's facts)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from domain.facts import Fact
from domain.policy import PolicySchedule
from domain.policy_book import PolicyBook
from domain.rules import StepClock, pending_steps, step_clock, step_clock_with_states
from domain.timeline import WorkerState, states, states_with
from domain.vocabulary import CertificateLevel, GradeChangeReason, Post, Rating
from domain.worker import Worker
from tests.unit.builders import GRADES, LONG_AGO, SCHEDULE, appraise, dismiss, document, hire
from tests.unit.test_policy_posts import MAPPING, three_posts

C = Rating.COMPETENT
SIX_YEARS = {year: C for year in range(2020, 2026)}


def with_facts(changes: list[tuple[date, WorkerState]]) -> list[tuple[Any, ...]]:
    """Each state with its facts, which its equality leaves out."""
    return [(day, state, state.facts) for day, state in changes]


def clocked(
    facts: list[Fact], sched: PolicySchedule = SCHEDULE
) -> tuple[StepClock, list[tuple[date, WorkerState]]]:
    """The clock and the states it hands back, checked against the states of the facts with
    the steps due, derived whole (``states``) and continued (``states_with``)."""
    base = states(facts, sched)
    clock, handed = step_clock_with_states(base[-1][1], sched, base)
    steps = pending_steps(base[-1][1], clock.due)

    assert with_facts(handed) == with_facts(states([*facts, *steps], sched))
    assert with_facts(handed) == with_facts(states_with(base, steps, sched))
    assert clock == step_clock(base[-1][1], sched)  # the clock that replays each date
    return clock, handed


def in_assistant_post(grade: int) -> Worker:
    return appraise(hire(post=Post.ASSISTANT, grade=grade, hire_date=date(2020, 1, 1)), SIX_YEARS)


def test_the_states_handed_back_hold_each_step_after_the_facts_of_its_date() -> None:
    worker = hire(post=Post.ASSISTANT, grade=3, hire_date=date(2020, 1, 1))
    # 2022's rating takes effect on the first step's date, with a transfer: one state that
    # day, after both and the step. The second step's date brings a grade change.
    appraise(worker, {2020: C, 2021: C})
    worker.record_appraisal(year=2022, rating=C, schedule=SCHEDULE, effective_date=date(2023, 1, 1))
    worker.transfer(unit_id=uuid4(), effective_date=date(2023, 1, 1), schedule=SCHEDULE)
    appraise(worker, {2023: C, 2024: C, 2025: C})
    for level in (CertificateLevel.ASSISTANT_SOCIAL_WORKER, CertificateLevel.SOCIAL_WORKER):
        worker.obtain_certificate(level=level, effective_date=date(2024, 6, 1), schedule=SCHEDULE)
    worker.change_grade(
        grade=5,
        effective_date=date(2026, 1, 1),
        reason=GradeChangeReason.OTHER,
        schedule=SCHEDULE,
    )

    clock, handed = clocked(worker.facts)

    assert [d.effective_date for d in clock.due] == [date(2023, 1, 1), date(2026, 1, 1)]
    days = [day for day, _ in handed]
    assert days == sorted(set(days))  # one state a date
    on_first_step = dict(handed)[date(2023, 1, 1)]
    assert on_first_step.grade == 4
    assert [type(f).__name__ for f in on_first_step.facts[-3:]] == [
        "AppraisalFact",
        "TransferFact",
        "GradeStepFact",
    ]
    assert handed[-1][1].grade == 6  # the grade change of that day, then the step


def test_a_step_that_would_pass_the_posts_maximum_is_not_in_the_states_handed_back() -> None:
    high = GRADES[Post.ASSISTANT][1]
    worker = in_assistant_post(high - 1)
    worker.transfer(unit_id=uuid4(), effective_date=date(2026, 3, 1), schedule=SCHEDULE)

    clock, handed = clocked(worker.facts)

    assert [d.effective_date for d in clock.due] == [date(2023, 1, 1)]
    assert [state.grade for _, state in handed][-3:] == [high, high, high]


def test_the_states_after_a_dismissal_are_handed_back_with_the_steps_before_it() -> None:
    # Dismissed on what would be the second step's date: only the first step is due.
    worker = dismiss(in_assistant_post(3), date(2026, 1, 1))

    clock, handed = clocked(worker.facts)

    assert [d.effective_date for d in clock.due] == [date(2023, 1, 1)]
    assert handed[-1][0] == date(2026, 1, 1)
    assert (handed[-1][1].status.value, handed[-1][1].grade) == ("dismissed", 4)


def test_without_a_step_due_the_states_handed_back_are_those_of_the_facts() -> None:
    worker = appraise(hire(post=Post.ASSISTANT, grade=3, hire_date=date(2020, 1, 1)), {2020: C})
    base = states(worker.facts, SCHEDULE)

    clock, handed = clocked(worker.facts)

    assert clock.due == ()
    assert with_facts(handed) == with_facts(base)


def test_a_version_that_maps_a_dropped_post_moves_its_holder_in_the_states_handed_back() -> None:
    book = PolicyBook.open(document(), LONG_AGO, "赤壁")
    book.adopt(three_posts(MAPPING), date(2024, 7, 1), "三岗")
    sched = book.schedule()
    worker = hire(post=Post.OFFICER, grade=5, hire_date=date(2020, 1, 1), sched=sched)
    appraise(worker, SIX_YEARS, sched=sched)

    clock, handed = clocked(worker.facts, sched)

    assert [d.effective_date for d in clock.due] == [date(2023, 1, 1), date(2026, 1, 1)]
    # The version's date falls between two facts: the holder is moved there.
    assert dict(handed)[date(2024, 7, 1)].post == "staff"
