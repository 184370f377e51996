"""The rules derived from appraisals: three-year steps, promotion and dismissal flags."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from operator import itemgetter

from domain.facts import Fact, GradeStepFact
from domain.policy import PolicySchedule
from domain.timeline import WorkerState, advance, extend_states, replay, states_with
from domain.vocabulary import Rating, WorkerStatus

# Enum members read as module constants: ``WorkerStatus.ACTIVE`` is a descriptor look-up
# (about 160 ns on Python 3.11), asked for every fact and state of every replayed career.
_ACTIVE = WorkerStatus.ACTIVE
_EXCELLENT = Rating.EXCELLENT
_UNQUALIFIED = Rating.UNQUALIFIED


@dataclass(frozen=True)
class StepDue:
    """A three-year step that the rules make due and nobody has recorded yet."""

    effective_date: date
    caused_by_years: tuple[int, ...]
    policy_version: int


@dataclass(frozen=True)
class StepClock:
    years: int
    due: tuple[StepDue, ...]


def step_clock(
    state: WorkerState,
    schedule: PolicySchedule,
    earlier: Sequence[tuple[date, WorkerState]] | None = None,
) -> StepClock:
    """Count qualifying years since hire or the last step; list the steps due.

    Ratings other than excellent and competent neither count nor reset the
    clock. When a step would fall at the post's maximum there is no step and
    the clock starts again. A worker whose dismissal is required gets no step.
    Each of these is judged on the step's own date, not on the state's: a step
    that fell due while the worker was in post and in good standing stays due.

    ``earlier`` (optional, the same answer faster): the worker's states as
    ``domain.timeline.states`` derives them, up to and ending with ``state``; the
    state on a step's date is then looked up there instead of replayed.
    """
    forward = _Forward(state, schedule, earlier) if earlier and state.facts else None
    return _judged(state, schedule, earlier, forward)


def step_clock_with_states(
    state: WorkerState,
    schedule: PolicySchedule,
    earlier: Sequence[tuple[date, WorkerState]],
) -> tuple[StepClock, list[tuple[date, WorkerState]]]:
    """``step_clock(state, schedule, earlier)``, and the worker's states with the steps it
    makes due applied on their dates: ``states_with(earlier, pending_steps(state, due),
    schedule)``, ``earlier`` itself (a copy) when none is due.

    ``earlier``: the worker's states as ``domain.timeline.states`` derives them, ending
    with ``state``. From the first step due on, the clock carries a state forward through
    the later facts and the steps to judge each step's date; the states it passes are kept
    instead of derived again by ``states_with``, and the facts after the last step's date
    are applied to finish them. A schedule that maps dropped posts moves their holders on
    a version's date, between facts, which the pass does not: there the states are derived
    by ``states_with`` (no shipped pack maps posts; an adoption that drops one does).
    """
    if any(version.policy.post_aliases for version in schedule.versions):
        clock = step_clock(state, schedule, earlier)
        steps = pending_steps(state, clock.due) if clock.due else []
        return clock, states_with(earlier, steps, schedule)
    forward = _Forward(state, schedule, earlier, keep_states=True)
    clock = _judged(state, schedule, earlier, forward)
    return clock, forward.finished()


def _judged(
    state: WorkerState,
    schedule: PolicySchedule,
    earlier: Sequence[tuple[date, WorkerState]] | None,
    forward: _Forward | None,
) -> StepClock:
    """``step_clock``, the states on the step dates read from ``forward`` when given."""
    qualifying = sorted(
        year
        for year, rating in state.appraisals.items()
        if year > state.step_boundary_year and rating.qualifies_for_step
    )
    due: list[StepDue] = []
    counted: list[int] = []
    if len(qualifying) < min(v.policy.step_years for v in schedule.versions):
        counted = qualifying  # too few years for any step (most states): skip the dates
        qualifying = []
    for year in qualifying:
        counted.append(year)
        step_date = date(year + 1, 1, 1)
        version = schedule.version_on(step_date)
        if len(counted) < version.policy.step_years:
            continue
        # A later grade cut, post change or dismissal neither revives nor blocks this step.
        found = forward.on(step_date) if forward else None
        on_day = found or _state_on(state, schedule, step_date, due, earlier)
        _, high = version.policy.grade_range(on_day.post)
        in_post = on_day.status is _ACTIVE and not dismissal_due(on_day, schedule)
        if in_post and on_day.grade < high:
            due.append(StepDue(step_date, tuple(counted), version.version))
            if forward:
                forward.step(due[-1])
        counted = []
    if state.status is not _ACTIVE or dismissal_due(state, schedule):
        return StepClock(years=0, due=tuple(due))
    return StepClock(years=len(counted), due=tuple(due))


def _state_on(
    state: WorkerState,
    schedule: PolicySchedule,
    day: date,
    pending: list[StepDue],
    earlier: Sequence[tuple[date, WorkerState]] | None = None,
) -> WorkerState:
    """The state on ``day``, as if the steps found due so far were recorded."""
    if not state.facts:
        return replace(state, grade=state.grade + len(pending))
    if earlier:
        if not pending:
            # The facts effective by ``day`` are a prefix of the timeline, so the state
            # is the one from the last change on or before ``day``.
            index = bisect_right(earlier, day, key=itemgetter(0)) - 1
            if index >= 0:
                return earlier[index][1]
        elif pending[0].effective_date >= earlier[-1][0]:
            # Every pending step (and ``day``, after them) comes after every fact behind
            # ``state``: replaying would apply those facts, then the steps.
            return advance(state, pending_steps(state, pending), schedule)
    return replay([*state.facts, *pending_steps(state, pending)], schedule, day)


class _Forward:
    """The states on the step dates, in date order, as if the steps found due so far were
    recorded: what ``_state_on`` replays for each date, derived in one forward pass.

    Until a step is due the states are those of ``earlier``. From the first step on, a
    state carries forward: each later fact of the timeline is applied once, when a date
    reaches it, and each step once, when found due (after every fact of its date, as
    its seq is higher), in the timeline order ``replay`` would apply them.

    ``keep_states``: the state of each date passed is kept too (``extend_states``), after
    the states of ``earlier`` before the first step, for ``finished`` to hand back.
    """

    def __init__(
        self,
        state: WorkerState,
        schedule: PolicySchedule,
        earlier: Sequence[tuple[date, WorkerState]],
        *,
        keep_states: bool = False,
    ) -> None:
        self.timeline = state.facts
        self.schedule = schedule
        self.earlier = earlier
        self.seq = max(f.seq for f in state.facts)
        self.state: WorkerState | None = None  # None: no step due yet
        self.applied = 0  # facts of the timeline applied to ``state``
        self.keep_states = keep_states
        self.changes: list[tuple[date, WorkerState]] = []  # kept: the states up to ``state``

    def on(self, day: date) -> WorkerState | None:
        """The state on ``day`` (no earlier than the last date asked); None: not hired."""
        if self.state is None:
            index = bisect_right(self.earlier, day, key=itemgetter(0)) - 1
            return self.earlier[index][1] if index >= 0 else None
        timeline, start = self.timeline, self.applied
        end = start
        while end < len(timeline) and timeline[end].effective_date <= day:
            end += 1
        if end > start:
            self._advance(timeline[start:end])
            self.applied = end
        return self.state

    def step(self, due: StepDue) -> None:
        """Record ``due``, found due on the last date asked."""
        if self.state is None:
            index = bisect_right(self.earlier, due.effective_date, key=itemgetter(0)) - 1
            assert index >= 0  # a step is found due only on a date in post
            self.state = self.earlier[index][1]
            self.applied = len(self.state.facts)
            if self.keep_states:
                self.changes = list(self.earlier[: index + 1])
        self.seq += 1
        self._advance([GradeStepFact(due.effective_date, self.seq, due.caused_by_years)])

    def finished(self) -> list[tuple[date, WorkerState]]:
        """The states kept, carried on through the facts after the last date asked (the
        states of ``earlier`` when no step was found due)."""
        if self.state is None:
            return list(self.earlier)
        if self.applied < len(self.timeline):
            self._advance(self.timeline[self.applied :])
            self.applied = len(self.timeline)
        return self.changes

    def _advance(self, later: Sequence[Fact]) -> None:
        assert self.state is not None
        if self.keep_states:
            self.state = extend_states(self.changes, later, self.schedule)
        else:
            self.state = advance(self.state, later, self.schedule)


def pending_steps(state: WorkerState, pending: Sequence[StepDue]) -> list[GradeStepFact]:
    """``pending`` as step facts recorded after every fact behind ``state``."""
    seq = max(f.seq for f in state.facts)
    return [
        GradeStepFact(d.effective_date, seq + n, d.caused_by_years)
        for n, d in enumerate(pending, start=1)
    ]


def _streaks(state: WorkerState, rating: Rating, after_year: int) -> Iterator[tuple[int, int]]:
    """Each appraised year after ``after_year`` with the length of the run of
    consecutive years rated ``rating`` that ends there. A missing year breaks a run."""
    streak = 0
    previous: int | None = None
    for year in sorted(y for y in state.appraisals if y > after_year):
        if state.appraisals[year] is not rating:
            streak = 0
        elif streak and previous == year - 1:
            streak += 1
        else:
            streak = 1
        previous = year
        yield year, streak


def promotion_causes(state: WorkerState, schedule: PolicySchedule) -> tuple[int, ...]:
    """The consecutive excellent years since the last promotion that make the worker a
    candidate for a higher post (below the top post, while active); empty if none."""
    # The top post is the first a version lists; the state does not carry its date, and
    # versions that keep a post keep its rank, so any version's top will do.
    if state.status is not _ACTIVE or any(
        state.post == v.policy.top_post for v in schedule.versions
    ):
        return ()
    # A run is no longer than the excellent years in all (most workers have too few).
    least = min(v.policy.promotion_excellent_years for v in schedule.versions)
    if list(state.appraisals.values()).count(_EXCELLENT) < least:
        return ()
    after = state.last_promotion_date.year - 1 if state.last_promotion_date else 0
    for year, streak in _streaks(state, _EXCELLENT, after):
        if streak >= schedule.on(state.appraisal_dates[year]).promotion_excellent_years:
            return tuple(range(year - streak + 1, year + 1))
    return ()


def promotion_candidate(state: WorkerState, schedule: PolicySchedule) -> bool:
    """Three consecutive excellent years since the last promotion, below the top post."""
    return bool(promotion_causes(state, schedule))


def dismissal_causes(state: WorkerState, schedule: PolicySchedule) -> tuple[int, ...]:
    """The consecutive unqualified years that require the worker's dismissal (while
    active); empty if none."""
    if state.status is not _ACTIVE:
        return ()
    least = min(v.policy.dismissal_unqualified_years for v in schedule.versions)
    if list(state.appraisals.values()).count(_UNQUALIFIED) < least:
        return ()  # a run is no longer than the unqualified years in all
    for year, streak in _streaks(state, _UNQUALIFIED, 0):
        if streak >= schedule.on(state.appraisal_dates[year]).dismissal_unqualified_years:
            return tuple(range(year - streak + 1, year + 1))
    return ()


def dismissal_due(state: WorkerState, schedule: PolicySchedule) -> date | None:
    """The date by which a required dismissal should be recorded, if one is required."""
    causes = dismissal_causes(state, schedule)
    if not causes:
        return None
    appraised = state.appraisal_dates[causes[-1]]
    return appraised + timedelta(days=schedule.on(appraised).dismissal_due_days)
