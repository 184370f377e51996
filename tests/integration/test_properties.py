"""Properties of every accepted history, over random command sequences (hypothesis).

A worker is hired, then any mix of appraisals, corrections, grade and post
changes, education upgrades, certificates, transfers, dismissals and step
applications follows, with random effective dates, backdated ones included.
Refusals are ignored: the properties hold for whatever was accepted.
"""

from __future__ import annotations

import copy
import random
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import LedgerError
from domain.facts import AppraisalCorrectionFact, DismissalFact, HireFact
from domain.rules import step_clock
from domain.timeline import ordered, replay
from domain.vocabulary import (
    CertificateLevel,
    Channel,
    DismissalReason,
    Education,
    GradeChangeReason,
    Post,
    PostChangeReason,
    Rating,
    WorkerStatus,
)
from domain.worker import Worker
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from tests.integration.application_support import (
    ADMIN,
    as_,
    build_tree,
    dismiss,
    hire,
    transfer,
    worker_id,
)
from tests.unit.builders import GRADES, SCHEDULE, person
from tests.unit.builders import hire as hire_worker

UNITS = [UUID(int=n) for n in (1, 2, 3)]
FIRST_DAY, LAST_DAY = date(2015, 1, 1), date(2030, 12, 31)

# Commands carry dates relative to the hire, so that most land in the career (and
# some before it); appraisals are the commonest command, dismissals the rarest.
days = st.integers(min_value=-90, max_value=12 * 365)
year_offsets = st.integers(min_value=-1, max_value=12)
appraisal = st.tuples(
    st.just("appraise"),
    year_offsets,
    st.sampled_from(Rating),
    st.none() | st.integers(min_value=-30, max_value=120),
)
# a run of yearly appraisals, mostly qualifying, so that steps and flags come due
mostly_qualifying = st.sampled_from([Rating.COMPETENT] * 3 + [Rating.EXCELLENT] * 3 + list(Rating))
appraisal_run = st.tuples(
    st.just("appraisals"), year_offsets, st.lists(mostly_qualifying, min_size=2, max_size=7)
)
commands = st.one_of(
    appraisal,
    appraisal,
    appraisal_run,
    st.tuples(st.just("correct"), year_offsets, st.sampled_from(Rating)),
    st.tuples(st.just("grade"), st.integers(min_value=0, max_value=19), days),
    st.tuples(st.just("post"), st.sampled_from(Post), st.sampled_from(PostChangeReason), days),
    st.tuples(st.just("education"), st.sampled_from(Education), days),
    st.tuples(st.just("certificate"), st.sampled_from(CertificateLevel), days),
    st.tuples(st.just("transfer"), st.sampled_from(UNITS), days),
    st.tuples(st.just("steps"), days),
    st.tuples(st.just("steps"), days),
    st.tuples(st.just("dismiss"), st.integers(min_value=-30, max_value=15 * 365)),
)
dates = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)

hires = st.fixed_dictionaries(
    {
        "post": st.sampled_from(Post),
        "education": st.sampled_from(Education),
        "prior_service_years": st.integers(min_value=0, max_value=40),
        "hire_date": st.dates(min_value=date(2016, 1, 1), max_value=date(2019, 12, 31)),
        "unit_id": st.sampled_from(UNITS),
        # often hired at or near the top of the post, where steps stop
        "below_top": st.none() | st.just(0) | st.integers(min_value=1, max_value=2),
    }
).map(lambda spec: with_grade(**spec))


def with_grade(*, below_top: int | None, **spec: Any) -> dict[str, Any]:
    """The hire's arguments: the policy's grade, or one a little below the post maximum."""
    top = GRADES[spec["post"]][1]
    return {**spec, "grade": None if below_top is None else top - below_top}


SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def run(worker: Worker, command: tuple[Any, ...]) -> None:
    """Apply one command through the domain; a refusal leaves the worker as it was."""
    hired = worker.hire_fact.effective_date
    kind, *args = command
    if kind in ("grade", "post", "education", "certificate", "transfer", "steps", "dismiss"):
        on = hired + timedelta(days=args[-1])
    try:
        match kind:
            case "appraise":
                offset, rating, late_by = args
                year = hired.year + offset
                effective = None if late_by is None else date(year, 12, 31) + timedelta(late_by)
                worker.record_appraisal(
                    year=year, rating=rating, effective_date=effective, schedule=SCHEDULE
                )
            case "appraisals":
                offset, ratings = args
                for n, rating in enumerate(ratings):
                    run(worker, ("appraise", offset + n, rating, None))
            case "correct":
                offset, rating = args
                worker.correct_appraisal(
                    year=hired.year + offset, rating=rating, reason="r", schedule=SCHEDULE
                )
            case "grade":
                worker.change_grade(
                    grade=args[0],
                    effective_date=on,
                    reason=GradeChangeReason.OTHER,
                    schedule=SCHEDULE,
                )
            case "post":
                worker.change_post(
                    post=args[0], effective_date=on, reason=args[1], schedule=SCHEDULE
                )
            case "education":
                worker.upgrade_education(education=args[0], effective_date=on, schedule=SCHEDULE)
            case "certificate":
                worker.obtain_certificate(level=args[0], effective_date=on, schedule=SCHEDULE)
            case "transfer":
                worker.transfer(unit_id=args[0], effective_date=on, schedule=SCHEDULE)
            case "dismiss":
                worker.dismiss(effective_date=on, reason=DismissalReason.OTHER, schedule=SCHEDULE)
    except LedgerError:
        pass
    if kind == "steps":
        # Not a request a person may get refused: the ledger records only the
        # steps its own rules list as due, so each of them must fit the timeline.
        apply_steps(worker, on)


def apply_steps(worker: Worker, as_of: date) -> None:
    """As the service layer does: every step due by ``as_of``."""
    for due in step_clock(worker.state(SCHEDULE, as_of), SCHEDULE).due:
        if due.effective_date <= as_of:
            worker.apply_step(due, SCHEDULE)


def history(spec: dict[str, Any], sequence: list[tuple[Any, ...]]) -> Worker:
    worker = hire_worker(**spec)
    for command in sequence:
        facts_before = list(worker.facts)
        try:
            run(worker, command)
        finally:
            # a refusal never leaves a half-recorded fact behind
            assert worker.facts[: len(facts_before)] == facts_before
    return worker


def days_to_check(worker: Worker) -> list[date]:
    checked = {date(year, 1, 1) for year in range(FIRST_DAY.year - 1, LAST_DAY.year + 3)}
    for fact in worker.facts:
        checked |= {fact.effective_date - timedelta(days=1), fact.effective_date}
    return sorted(checked)


@SETTINGS
@given(spec=hires, sequence=st.lists(commands, min_size=10, max_size=40))
def test_every_accepted_history_keeps_the_grade_within_the_post_range_on_every_date(
    spec: dict[str, Any], sequence: list[tuple[Any, ...]]
) -> None:
    worker = history(spec, sequence)

    replay(worker.facts, SCHEDULE, strict=True)  # the whole accepted timeline holds
    for day in days_to_check(worker):
        state = replay(worker.facts, SCHEDULE, day)
        low, high = GRADES[state.post]
        assert low <= state.grade <= high, (day, state.post, state.grade)


@SETTINGS
@given(spec=hires, sequence=st.lists(commands, min_size=10, max_size=40))
def test_nothing_but_a_correction_takes_effect_after_a_dismissal(
    spec: dict[str, Any], sequence: list[tuple[Any, ...]]
) -> None:
    worker = history(spec, sequence)

    timeline = ordered(worker.facts)
    assert isinstance(timeline[0], HireFact)
    assert all(f.effective_date >= spec["hire_date"] for f in worker.facts)
    dismissals = [i for i, f in enumerate(timeline) if isinstance(f, DismissalFact)]
    assert len(dismissals) <= 1
    if dismissals:
        after = timeline[dismissals[0] + 1 :]
        assert all(isinstance(f, AppraisalCorrectionFact) for f in after), after
        dismissed_on = timeline[dismissals[0]].effective_date
        for day in days_to_check(worker):
            status = replay(worker.facts, SCHEDULE, day).status
            assert (status is WorkerStatus.DISMISSED) == (day >= dismissed_on)


@SETTINGS
@given(
    spec=hires,
    sequence=st.lists(commands, min_size=10, max_size=40),
    shuffle_seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_replaying_the_recorded_facts_in_any_order_gives_the_same_state(
    spec: dict[str, Any], sequence: list[tuple[Any, ...]], shuffle_seed: int
) -> None:
    worker = history(spec, sequence)
    facts = list(worker.facts)
    shuffled = list(facts)
    random.Random(shuffle_seed).shuffle(shuffled)

    for day in [*days_to_check(worker), None]:
        assert replay(shuffled, SCHEDULE, day) == replay(facts, SCHEDULE, day)


@SETTINGS
@given(spec=hires, sequence=st.lists(commands, min_size=10, max_size=40))
def test_the_recorded_events_rebuild_the_same_worker(
    spec: dict[str, Any], sequence: list[tuple[Any, ...]]
) -> None:
    worker = Worker.hire(
        person=person(), channel=Channel.OPEN_RECRUITMENT, schedule=SCHEDULE, **spec
    )
    for command in sequence:
        run(worker, command)
    events = worker.collect_events()

    rebuilt: Any = None
    for event in events:
        rebuilt = event.mutate(rebuilt)

    assert rebuilt.facts == worker.facts
    assert rebuilt.version == worker.version == len(events)
    assert replay(rebuilt.facts, SCHEDULE) == replay(worker.facts, SCHEDULE)


@SETTINGS
@given(spec=hires, sequence=st.lists(commands, min_size=10, max_size=40))
def test_every_step_the_rules_list_as_due_can_be_recorded_on_any_date(
    spec: dict[str, Any], sequence: list[tuple[Any, ...]]
) -> None:
    worker = history(spec, sequence)

    for year in range(spec["hire_date"].year + 1, LAST_DAY.year + 3):
        as_of = date(year, 1, 1)
        due = [
            d
            for d in step_clock(worker.state(SCHEDULE, as_of), SCHEDULE).due
            if d.effective_date <= as_of
        ]
        trial = copy.deepcopy(worker)

        apply_steps(trial, as_of)  # raises if a listed step does not fit the timeline

        after = trial.state(SCHEDULE, as_of)
        assert after.grade <= GRADES[after.post][1]
        if due:
            assert after.step_boundary_year == max(y for d in due for y in d.caused_by_years)
        assert [d for d in step_clock(after, SCHEDULE).due if d.effective_date <= as_of] == []


# -- seats through the application ---------------------------------------------------------------

seat_days = st.dates(min_value=date(2019, 7, 1), max_value=date(2026, 12, 31))
streets = st.sampled_from(["street_a", "street_b"])
seat_hire = st.tuples(st.just("hire"), streets, seat_days)
seat_commands = st.lists(
    st.one_of(
        seat_hire,
        seat_hire,
        st.tuples(st.just("transfer"), st.integers(0, 20), streets, seat_days),
        st.tuples(st.just("dismiss"), st.integers(0, 20), seat_days),
    ),
    min_size=4,
    max_size=16,
)
quotas = st.lists(
    st.tuples(streets, st.integers(0, 4), seat_days),
    min_size=0,
    max_size=4,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(approvals=quotas, sequence=seat_commands)
def test_seats_follow_the_workers_and_never_exceed_the_quota_approved_beforehand(
    approvals: list[tuple[str, int, date]], sequence: list[tuple[Any, ...]]
) -> None:
    ledger = Ledger(env=store_environment("memory://"))
    ledger.bootstrap("baohe-2020")
    tree = build_tree(ledger, {"street_a": 2, "street_b": 1})
    units = {"street_a": tree.street_a, "street_b": tree.street_b}
    for name, quota, on in approvals:  # every quota decision comes before any hire
        ledger.approve_quota(
            as_(), units[name], quota=quota, effective_date=on, document_ref="文号"
        )
    workers: list[UUID] = []
    for command in sequence:
        try:
            match command:
                case ("hire", unit, on):
                    workers.append(worker_id(hire(ledger, units[unit], hire_date=on)))
                case ("transfer", n, to, on) if workers:
                    transfer(ledger, workers[n % len(workers)], units[to], on)
                case ("dismiss", n, on) if workers:
                    dismiss(ledger, workers[n % len(workers)], on)
        except LedgerError:
            pass

    check_days = sorted(
        {date(y, m, 1) for y in range(2014, 2032) for m in (1, 7)}
        | {on for *_, on in approvals}
        | {command[-1] for command in sequence}
    )
    for day in check_days:
        placed = {unit: 0 for unit in units.values()}
        for worker in workers:
            view = ledger.worker_view(ADMIN, worker, day, None)
            if view["status"] == "active":
                placed[UUID(view["unit_id"])] += 1
        for unit in units.values():
            usage = ledger.quota_usage(ADMIN, unit, day)
            assert usage["headcount"] == placed[unit], (day, unit)
            if usage["headcount"]:
                assert usage["approved_quota"] is not None
                assert usage["headcount"] <= usage["approved_quota"], (day, usage)
    ledger.close()
