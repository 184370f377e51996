"""Where one worker's two careers differ in grade, flags and steps, judged on every date
either side's state changes: the comparison's part that reads states (its pay part reads
the paid stretches, in ``comparison``)."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from typing import Any, Protocol

from domain.policy import PolicySchedule
from domain.rules import dismissal_due, promotion_candidate
from domain.timeline import WorkerState
from domain.vocabulary import WorkerStatus
from projections.models.derived import unit_text
from projections.simulation.careers import Side, state_on
from projections.simulation.results import DISMISSAL, PROMOTION, FlagChange, GradeStretch


class Comparison(Protocol):
    """What judging reads of ``comparison.Comparison`` (which it is given)."""

    adopted: PolicySchedule
    draft: PolicySchedule
    first_day: date
    last_day: date
    scope: frozenset[str] | None
    same_flags: bool

    def in_scope(self, unit_id: str) -> bool: ...


ONE_DAY = timedelta(days=1)
ACTIVE = WorkerStatus.ACTIVE  # a module constant: a look-up on the enum is slow


def states(
    c: Comparison, a: Side, d: Side, found: list[tuple[date, str]]
) -> tuple[list[GradeStretch], list[FlagChange]]:
    """Grade and flag differences, judged on every date either side's state changes."""
    first_day, last_day = c.first_day, c.last_day
    days_a, days_d = a.days, d.days
    changes_a, changes_d = a.changes, d.changes
    # The sides' states are one and the same object up to the first change that
    # differs (the draft side continues the shared states): nothing can differ there
    # unless the flag rules do, which judge even the same state apart.
    shared = 0
    if c.same_flags:
        most = min(len(changes_a), len(changes_d))
        while shared < most and changes_a[shared] is changes_d[shared]:
            shared += 1
        if shared == len(changes_a) == len(changes_d):
            return [], []
    day = first_day
    if shared and days_a[shared - 1] > day:
        if days_a[shared - 1] > last_day:
            return [], []  # the sides part after the window
        day = days_a[shared - 1]  # each state before holds both sides alike
    # Both sides' change lists are walked forward with the days (as ``state_on``).
    ia = bisect_right(days_a, day) - 1
    i_d = bisect_right(days_d, day) - 1
    end_a, end_d = len(days_a), len(days_d)
    grades: list[list[Any]] = []  # [start, end, post, adopted grade, draft grade]
    flags: list[FlagChange] = []
    raised_a: dict[int, tuple[bool, bool]] = {}
    raised_d: dict[int, tuple[bool, bool]] = {}
    one_day = ONE_DAY
    while True:
        following = days_a[ia + 1] if ia + 1 < end_a else None
        other = days_d[i_d + 1] if i_d + 1 < end_d else None
        if following is None or (other is not None and other < following):
            following = other
        if following is not None and following > last_day:
            following = None
        end = following - one_day if following is not None else last_day
        state_a = changes_a[ia][1] if ia >= 0 else None
        state_d = changes_d[i_d][1] if i_d >= 0 else None
        if (
            state_a is not None
            and state_d is not None
            and not (state_a is state_d and c.same_flags)
            and c.in_scope(unit_id := unit_text(state_a.unit_id))
        ):
            _judge(c, day, end, state_a, state_d, unit_id, grades, flags, found, raised_a, raised_d)
        if following is None:
            break
        day = following
        while ia + 1 < end_a and days_a[ia + 1] <= day:
            ia += 1
        while i_d + 1 < end_d and days_d[i_d + 1] <= day:
            i_d += 1
    return [
        GradeStretch(start, end, post, c.adopted.on(start).post_label(post), was, now)
        for start, end, post, was, now in grades
    ], flags


def _judge(
    c: Comparison,
    day: date,
    end: date,
    state_a: WorkerState,
    state_d: WorkerState,
    unit_id: str,
    grades: list[list[Any]],
    flags: list[FlagChange],
    found: list[tuple[date, str]],
    raised_a: dict[int, tuple[bool, bool]],
    raised_d: dict[int, tuple[bool, bool]],
) -> None:
    """The grade and flags of the two states over ``day`` to ``end``."""
    if state_a.status is ACTIVE and state_a.grade != state_d.grade:
        stretch = grades[-1] if grades else None
        if (
            stretch is not None
            and stretch[1] + ONE_DAY == day
            and stretch[2] == state_a.post
            and stretch[3] == state_a.grade
            and stretch[4] == state_d.grade
        ):
            stretch[1] = end  # the same difference goes on
        else:
            grades.append([day, end, state_a.post, state_a.grade, state_d.grade])
            found.append((day, unit_id))
    if c.same_flags:
        return
    flags_a = _flags(state_a, c.adopted, raised_a)
    flags_d = _flags(state_d, c.draft, raised_d)
    for flag, was, now in zip((PROMOTION, DISMISSAL), flags_a, flags_d, strict=True):
        if was == now:
            continue
        change = "appears" if now else "vanishes"
        last = next((f for f in reversed(flags) if f.flag == flag), None)
        if last and last.change == change and last.end + timedelta(days=1) == day:
            flags[flags.index(last)] = replace(last, end=end)
            continue
        flags.append(FlagChange(flag, change, day, end))
        found.append((day, unit_id))


def steps(
    c: Comparison, a: Side, d: Side, found: list[tuple[date, str]]
) -> tuple[list[date], list[date]]:
    if a.steps == d.steps:
        return [], []  # the same steps: none gained, none lost

    first_day, last_day = c.first_day, c.last_day

    def window(steps: list[date], side: Side) -> Counter[date]:
        if c.scope is None:
            # In the whole ledger a step counts wherever the worker is placed.
            return Counter(
                day for day in steps if first_day <= day <= last_day and day >= side.days[0]
            )
        return Counter(
            day
            for day in steps
            if first_day <= day <= last_day
            and (state := state_on(side, day)) is not None
            and c.in_scope(unit_text(state.unit_id))
        )

    in_a, in_d = window(a.steps, a), window(d.steps, d)
    gained = sorted((in_d - in_a).elements())
    lost = sorted((in_a - in_d).elements())
    for day in (*gained, *lost):
        state = state_on(d, day)
        assert state is not None  # a step falls while the worker is in post
        found.append((day, unit_text(state.unit_id)))
    return gained, lost


def _flags(
    state: WorkerState, schedule: PolicySchedule, seen: dict[int, tuple[bool, bool]]
) -> tuple[bool, bool]:
    # The same state object recurs over several stretches: judge it once.
    found = seen.get(id(state))
    if found is None:
        found = (
            promotion_candidate(state, schedule),
            dismissal_due(state, schedule) is not None,
        )
        seen[id(state)] = found
    return found
