"""The appraisal rules' outcomes over time: steps due, promotion candidates, dismissals required.

The outcomes depend on the date asked about (a step due on 1 January is not
due on 31 December), so each row holds from ``valid_from`` up to (not
including) ``valid_to``, NULL: still so. "As of D" is then a query for the
rows valid on D, not a replay. The outcomes change only where a fact takes
effect or a step falls due, so those dates are the only ones evaluated.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, Literal

from domain.policy import PolicySchedule
from domain.rules import (
    StepClock,
    StepDue,
    _streaks,
    dismissal_due,
    pending_steps,
    promotion_candidate,
    step_clock,
)
from domain.timeline import WorkerState, advance, replay
from domain.vocabulary import Rating
from domain.worker import Worker
from projections.models.derived import id_text, last_clock, unit_text, worker_states
from projections.tables import Index, Rows, Table

PROMOTION = "promotion_candidate"
DISMISSAL = "dismissal_required"

STEPS = Table(
    "rm_rule_steps",
    (
        ("worker_id", "TEXT NOT NULL"),
        ("valid_from", "TEXT NOT NULL"),
        ("valid_to", "TEXT"),
        ("ordinal", "INTEGER NOT NULL"),
        ("unit_id", "TEXT NOT NULL"),
        ("post", "TEXT NOT NULL"),
        ("grade", "INTEGER NOT NULL"),
        ("new_grade", "INTEGER NOT NULL"),
        ("effective_date", "TEXT NOT NULL"),
        ("caused_by", "TEXT NOT NULL"),
        ("policy_version", "INTEGER NOT NULL"),
    ),
    primary_key=("worker_id", "valid_from", "ordinal"),
    owner="worker_id",
    indexes=(Index("rm_rule_steps_valid", ("valid_from", "valid_to")),),
)
# One row per flag and stretch of time; ``since`` is when the flag was first raised,
# kept across rows split by a transfer or a grade change.
FLAGS = Table(
    "rm_rule_flags",
    (
        ("worker_id", "TEXT NOT NULL"),
        ("flag", "TEXT NOT NULL"),
        ("valid_from", "TEXT NOT NULL"),
        ("valid_to", "TEXT"),
        ("unit_id", "TEXT NOT NULL"),
        ("post", "TEXT NOT NULL"),
        ("grade", "INTEGER NOT NULL"),
        ("since", "TEXT NOT NULL"),
        ("due_date", "TEXT"),
        ("years", "TEXT NOT NULL"),
    ),
    primary_key=("worker_id", "flag", "valid_from"),
    owner="worker_id",
    indexes=(Index("rm_rule_flags_valid", ("flag", "valid_from", "valid_to")),),
)

Outcome = tuple[Any, ...]  # the columns after worker_id, valid_from, valid_to


def outcomes_on(
    state: WorkerState, schedule: PolicySchedule, day: date, clock: StepClock | None = None
) -> tuple[list[Outcome], dict[str, Outcome]]:
    """The steps due by ``day`` (one per step) and the raised flags, on ``day``.

    ``state`` is the worker's state on ``day``. Exposed so tests can check a
    single date against the stored rows.
    """
    clock = clock or step_clock(state, schedule)
    due = [d for d in clock.due if d.effective_date <= day]
    steps = [
        (
            n,
            str(state.unit_id),
            state.post,
            state.grade,
            _grade_after(state, schedule, day, due[:n]),
            d.effective_date.isoformat(),
            _years(state, d.caused_by_years),
            d.policy_version,
        )
        for n, d in enumerate(due, start=1)
    ]
    return steps, _flags(state, schedule)


def _flags(state: WorkerState, schedule: PolicySchedule) -> dict[str, Outcome]:
    """The raised flags: they depend on the state alone, not on the date within it."""
    flags: dict[str, Outcome] = {}
    promoted = promotion_candidate(state, schedule)
    due_by = dismissal_due(state, schedule)
    if not promoted and due_by is None:
        return flags  # most states
    where = (unit_text(state.unit_id), state.post, state.grade)
    if promoted:
        years = _run(state, schedule, Rating.EXCELLENT, "promotion_excellent_years")
        flags[PROMOTION] = (*where, None, _years(state, years))
    if due_by is not None:
        years = _run(state, schedule, Rating.UNQUALIFIED, "dismissal_unqualified_years")
        flags[DISMISSAL] = (*where, due_by.isoformat(), _years(state, years))
    return flags


def _grade_after(
    state: WorkerState, schedule: PolicySchedule, day: date, pending: Sequence[StepDue]
) -> int:
    """The grade on ``day`` once ``pending`` are recorded (a step at the maximum adds nothing)."""
    return replay([*state.facts, *pending_steps(state, pending)], schedule, day).grade


def _run(state: WorkerState, schedule: PolicySchedule, rating: Rating, rule: str) -> list[int]:
    """The years of the first run of ``rating`` long enough for the rule, as the rule reads it."""
    after = 0
    if rating is Rating.EXCELLENT and state.last_promotion_date:
        after = state.last_promotion_date.year - 1
    for year, streak in _streaks(state, rating, after):
        needed = int(getattr(schedule.on(state.appraisal_dates[year]), rule))
        if streak >= needed:
            return list(range(year - needed + 1, year + 1))
    return []


def _years(state: WorkerState, years: Sequence[int]) -> str:
    return json.dumps(
        [{"year": y, "rating": state.appraisals[y].value} for y in years], sort_keys=True
    )


class _Stretch:
    """The outcomes while one state holds: the flags, and the steps due by a date.

    What ``outcomes_on`` answers for each date of the stretch, computed once: the
    flags depend on the state alone, and the steps due by a date are a prefix of
    the clock's, each row the same whatever the date (its new grade counts every
    fact behind the state and the steps before it, all effective by then).
    """

    def __init__(
        self,
        changes: Sequence[tuple[date, WorkerState]],
        index: int,
        schedule: PolicySchedule,
    ) -> None:
        self.start, self.state = changes[index]
        self.schedule = schedule
        self.clock = (
            last_clock(changes, schedule)
            if index == len(changes) - 1
            else step_clock(self.state, schedule, changes[: index + 1])
        )
        self.rows: list[Outcome] = []
        self.flags = _flags(self.state, schedule)

    def steps(self, day: date) -> list[Outcome]:
        """The steps due by ``day`` (on or after the stretch's start)."""
        due = self.clock.due
        count = 0
        while count < len(due) and due[count].effective_date <= day:
            count += 1
        state = self.state
        while len(self.rows) < count:
            n = len(self.rows) + 1
            d = due[n - 1]
            self.rows.append(
                (
                    n,
                    str(state.unit_id),
                    state.post,
                    state.grade,
                    self._grade_after(due[:n]),
                    d.effective_date.isoformat(),
                    _years(state, d.caused_by_years),
                    d.policy_version,
                )
            )
        return self.rows[:count]

    def _grade_after(self, pending: Sequence[StepDue]) -> int:
        if pending[0].effective_date >= self.start:
            # Every step comes after every fact behind the state (see ``advance``).
            steps = pending_steps(self.state, pending)
            return advance(self.state, steps, self.schedule).grade
        # A fact behind the state falls after a step: replay, as of a date by which
        # both have taken effect.
        day = max(self.start, pending[-1].effective_date)
        return _grade_after(self.state, self.schedule, day, pending)

    def days(self, end: date | None) -> list[date]:
        """The dates up to ``end`` where an outcome may change: the start and the due
        dates of the steps falling due within the stretch."""
        if not self.clock.due:
            return [self.start]
        within = sorted(
            {
                d.effective_date
                for d in self.clock.due
                if self.start < d.effective_date and (end is None or d.effective_date < end)
            }
        )
        return [self.start, *within]


def _evaluations(
    worker: Worker, schedule: PolicySchedule
) -> Iterator[tuple[date, list[Outcome], dict[str, Outcome]]]:
    """Every date where an outcome may change, with the outcomes on it."""
    changes = worker_states(worker.facts, schedule)
    for index in range(len(changes)):
        end = changes[index + 1][0] if index + 1 < len(changes) else None
        stretch = _Stretch(changes, index, schedule)
        for day in stretch.days(end):
            yield day, stretch.steps(day), stretch.flags


class RuleOutcomes:
    kind: Literal["worker"] = "worker"
    tables = (STEPS, FLAGS)

    def rows(self, worker: Worker, schedule: PolicySchedule, new_events: Sequence[Any]) -> Rows:
        key = id_text(worker.id)
        step_rows: list[tuple[Any, ...]] = []
        flag_rows: list[tuple[Any, ...]] = []
        open_steps: tuple[str, list[Outcome]] | None = None
        open_flags: dict[str, tuple[str, Outcome]] = {}
        since: dict[str, str] = {}

        def close_steps(day: str | None) -> None:
            if open_steps is not None:
                start, steps = open_steps
                step_rows.extend((key, start, day, *s) for s in steps)

        def close_flag(flag: str, day: str | None) -> None:
            start, outcome = open_flags.pop(flag)
            flag_rows.append((key, flag, start, day, *outcome[:3], since[flag], *outcome[3:]))

        for day, steps, flags in _evaluations(worker, schedule):
            iso = day.isoformat()
            if open_steps is None or open_steps[1] != steps:
                close_steps(iso)
                open_steps = (iso, steps) if steps else None
            for flag in (PROMOTION, DISMISSAL):
                outcome = flags.get(flag)
                current = open_flags.get(flag)
                if current is not None and current[1] == outcome:
                    continue
                if current is not None:
                    close_flag(flag, iso)
                if outcome is None:
                    since.pop(flag, None)
                else:
                    since.setdefault(flag, iso)
                    open_flags[flag] = (iso, outcome)
        close_steps(None)
        for flag in list(open_flags):
            close_flag(flag, None)
        return {STEPS.name: step_rows, FLAGS.name: flag_rows}


RULES = RuleOutcomes()
