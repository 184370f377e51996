"""The comparison of one worker (or unit) at a time under the adopted and the draft schedule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from domain.facts import Fact
from domain.pay import year_ratings
from domain.policy import PolicySchedule
from domain.rules import dismissal_due, promotion_candidate, step_clock
from domain.timeline import WorkerState, states
from domain.unit import Unit
from domain.vocabulary import CertificateLevel, Rating, WorkerStatus
from domain.worker import Worker
from projections.models.payroll import month_text
from projections.simulation.careers import (
    Side,
    career,
    paid_in,
    recorded_facts,
    state_on,
    steps_of,
)
from projections.simulation.draft import (
    CAREER_PARAMETERS,
    FLAG_PARAMETERS,
    REPLAY_PARAMETERS,
    same_parameters,
)
from projections.simulation.months import month_index, month_start
from projections.simulation.pricing import Priced, Pricer
from projections.simulation.results import (
    DISMISSAL,
    PROMOTION,
    FlagChange,
    GradeStretch,
    PayStretch,
    Sums,
    UnitInfo,
    WorkerDifference,
)


class Comparison:
    """Compares one worker at a time under the two schedules, within a window of months
    and (optionally) a set of units; built once, inherited by forked processes."""

    def __init__(
        self,
        adopted: PolicySchedule,
        draft: PolicySchedule,
        from_month: str,
        to_month: str,
        scope: frozenset[str] | None = None,
        *,
        shortcuts: bool = True,
    ) -> None:
        self.adopted = adopted
        self.draft = draft
        self.first_month = month_index(from_month)
        self.last_month = month_index(to_month)
        self.first_day = month_start(self.first_month)
        self.last_day = month_start(self.last_month + 1) - timedelta(days=1)
        self.quota_day = month_start(self.last_month)
        self.scope = scope
        self.price_adopted = Pricer(adopted)
        self.price_draft = Pricer(draft)
        # A draft that changes only pay (a new wage, say) derives the very same careers,
        # and one that keeps the flag rules raises the same flags: each is then derived once.
        # (``shortcuts=False`` derives both sides in full: tests show the answers agree.)
        self.same_careers = shortcuts and same_parameters(adopted, draft, CAREER_PARAMETERS)
        self.same_flags = shortcuts and same_parameters(adopted, draft, FLAG_PARAMETERS)
        self.same_replay = shortcuts and same_parameters(adopted, draft, REPLAY_PARAMETERS)
        # Pay can change without any fact: each January (the base follows last year's
        # wage), where either side's policy version changes, and where a fixed base
        # changes within a version (a base "from 2023-07-01").
        breaks = {self.first_month, self.last_month + 1}
        versions = None
        for month in range(self.first_month, self.last_month + 1):
            day = month_start(month)
            now = (
                adopted.version_on(day).version,
                draft.version_on(day).version,
                adopted.on(day).base_pay_on(day),
                draft.on(day).base_pay_on(day),
            )
            if now != versions or month % 12 == 0:
                breaks.add(month)
            versions = now
        self.breaks = breaks

    @property
    def months(self) -> list[str]:
        return [month_text(m) for m in range(self.first_month, self.last_month + 1)]

    def in_scope(self, unit_id: str) -> bool:
        return self.scope is None or unit_id in self.scope

    # -- units --------------------------------------------------------------------------
    def unit(self, unit: Unit, sums: Sums) -> None:
        unit_id = str(unit.id)
        if not self.in_scope(unit_id):
            return
        approval = unit.approval_on(self.quota_day)
        sums.unit_info[unit_id] = UnitInfo(
            unit_id,
            unit.name,
            unit.kind,
            str(unit.parent_id) if unit.parent_id else None,
            approval.quota if approval else None,
            unit.computed_quota(self.adopted.on(self.quota_day), self.quota_day),
            unit.computed_quota(self.draft.on(self.quota_day), self.quota_day),
        )

    # -- workers ------------------------------------------------------------------------
    def worker(self, worker: Worker, sums: Sums) -> WorkerDifference | None:
        """Add the worker's pay to ``sums``; answer the differences, if there are any."""
        return self.career(str(worker.id), worker.person.name, worker.facts, sums)

    def career(
        self, worker_id: str, name: str, facts: Sequence[Fact], sums: Sums
    ) -> WorkerDifference | None:
        """``worker`` from the worker's id, name and recorded facts (however they were read)."""
        kept = recorded_facts(facts, self.adopted)
        base = states(kept, self.adopted)
        last_state = base[-1][1]
        # The states of the recorded facts answer the step clock's look-ups by date.
        due = step_clock(last_state, self.adopted, base).due
        a = career(kept, base, due, self.adopted)
        if self.same_careers:
            d = a
        elif self.same_replay:
            # The recorded facts replay alike under both: only the steps can differ.
            due_d = step_clock(last_state, self.draft, base).due
            if steps_of(due_d) != steps_of(due):
                d = career(kept, base, due_d, self.draft)
            else:
                d = a if self.same_flags else replace(a)  # a copy: the flags are compared
        else:
            kept_d = recorded_facts(facts, self.draft)
            base_d = states(kept_d, self.draft)
            d = career(
                kept_d, base_d, step_clock(base_d[-1][1], self.draft, base_d).due, self.draft
            )
        found: list[tuple[date, str]] = []  # (date, unit) of each difference
        pay, totals_a, totals_d, paid = self._pay(a, d, sums, found, year_ratings(facts))
        grades: list[GradeStretch] = []
        flags: list[FlagChange] = []
        gained: list[date] = []
        lost: list[date] = []
        if d is not a:
            grades, flags = self._states(a, d, found)
            gained, lost = self._steps(a, d, found)
        if not (pay or grades or flags or gained or lost):
            if paid:
                sums.compared += 1
            return None
        sums.compared += 1
        sums.affected += 1
        if totals_d[0] > totals_a[0]:
            sums.gaining += 1
        elif totals_d[0] < totals_a[0]:
            sums.losing += 1
        first_day, unit_id = min(found)
        return WorkerDifference(
            worker_id,
            name,
            unit_id,
            first_day.isoformat()[:7],
            totals_a,
            totals_d,
            pay,
            grades,
            gained,
            lost,
            flags,
        )

    def _pay(
        self,
        a: Side,
        d: Side,
        sums: Sums,
        found: list[tuple[date, str]],
        ratings: dict[int, Rating],
    ) -> tuple[list[PayStretch], tuple[int, int, int], tuple[int, int, int], bool]:
        bounds = set(self.breaks)
        for side in (a, d):
            for start, end, _ in side.periods:
                for month in (start, end):
                    if self.first_month < month <= self.last_month:
                        bounds.add(month)
        edges = sorted(bounds)
        stretches: list[list[Any]] = []  # [first month, month after the last, adopted, draft]
        total_a, total_d = [0, 0, 0], [0, 0, 0]
        units_seen: set[str] = set()
        units_affected: set[str] = set()
        offset = self.first_month
        for start, end in pairwise(edges):
            paid_a = paid_in(a, start)
            paid_d = paid_in(d, start)
            where = paid_a or paid_d
            if where is None or not self.in_scope(where[0]):
                continue
            unit_id = where[0]
            # Stretches break each January, so one year's rating holds through each.
            rating = ratings.get(start // 12)
            line_a = self._line(self.price_adopted, start, paid_a, rating)
            line_d = self._line(self.price_draft, start, paid_d, rating)
            count = end - start
            unit_sums = sums.units.setdefault(unit_id, [0] * 8)
            units_seen.add(unit_id)
            for column, line in ((0, line_a), (3, line_d)):
                if line is None:
                    continue
                for n, fen in enumerate(line[3].fen):
                    amount = fen * count
                    sums.by_month[column + n][start - offset] += fen
                    sums.by_month[column + n][end - offset] -= fen
                    unit_sums[column + n] += amount
                    (total_a if column == 0 else total_d)[n] += amount
            if line_a == line_d:
                continue
            units_affected.add(unit_id)
            last = stretches[-1] if stretches else None
            if last and last[1] == start and last[2:] == [line_a, line_d]:
                last[1] = end  # the same difference goes on (past a January, say)
                continue
            stretches.append([start, end, line_a, line_d])
            found.append((month_start(start), unit_id))
        for unit_id in units_seen:
            sums.units[unit_id][6] += 1
        for unit_id in units_affected:
            sums.units[unit_id][7] += 1
        pay = [
            PayStretch(month_text(start), month_text(end - 1), end - start, line_a, line_d)
            for start, end, line_a, line_d in stretches
        ]
        return pay, _triple(total_a), _triple(total_d), bool(units_seen)

    @staticmethod
    def _line(
        pricer: Pricer,
        month: int,
        paid: tuple[str, str, int, CertificateLevel | None] | None,
        rating: Rating | None,
    ) -> tuple[str, str, int, Priced] | None:
        if paid is None:
            return None
        unit_id, post, grade, cert = paid
        return (unit_id, post, grade, pricer(month, post, grade, cert, rating))

    def _states(
        self, a: Side, d: Side, found: list[tuple[date, str]]
    ) -> tuple[list[GradeStretch], list[FlagChange]]:
        """Grade and flag differences, judged on every date either side's state changes."""
        days = sorted(
            {day for day in (*a.days, *d.days) if self.first_day < day <= self.last_day}
            | {self.first_day}
        )
        grades: list[GradeStretch] = []
        flags: list[FlagChange] = []
        raised_a: dict[int, tuple[bool, bool]] = {}
        raised_d: dict[int, tuple[bool, bool]] = {}
        for index, day in enumerate(days):
            end = days[index + 1] - timedelta(days=1) if index + 1 < len(days) else self.last_day
            state_a = state_on(a, day)
            state_d = state_on(d, day)
            if state_a is None or state_d is None or not self.in_scope(str(state_a.unit_id)):
                continue
            unit_id = str(state_a.unit_id)
            if state_a.status is WorkerStatus.ACTIVE and state_a.grade != state_d.grade:
                if not _extends(grades, day, (state_a.post, state_a.grade, state_d.grade)):
                    grades.append(
                        GradeStretch(
                            day,
                            end,
                            state_a.post,
                            self.adopted.on(day).post_label(state_a.post),
                            state_a.grade,
                            state_d.grade,
                        )
                    )
                    found.append((day, unit_id))
                else:
                    grades[-1] = replace(grades[-1], end=end)
            if self.same_flags:
                continue
            flags_a = _flags(state_a, self.adopted, raised_a)
            flags_d = _flags(state_d, self.draft, raised_d)
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
        return grades, flags

    def _steps(
        self, a: Side, d: Side, found: list[tuple[date, str]]
    ) -> tuple[list[date], list[date]]:
        def window(steps: list[date], side: Side) -> Counter[date]:
            return Counter(
                day
                for day in steps
                if self.first_day <= day <= self.last_day
                and (state := state_on(side, day)) is not None
                and self.in_scope(str(state.unit_id))
            )

        in_a, in_d = window(a.steps, a), window(d.steps, d)
        gained = sorted((in_d - in_a).elements())
        lost = sorted((in_a - in_d).elements())
        for day in (*gained, *lost):
            state = state_on(d, day)
            assert state is not None  # a step falls while the worker is in post
            found.append((day, str(state.unit_id)))
        return gained, lost


def _triple(values: list[int]) -> tuple[int, int, int]:
    return values[0], values[1], values[2]


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


def _extends(grades: list[GradeStretch], day: date, key: tuple[str, int, int]) -> bool:
    if not grades:
        return False
    last = grades[-1]
    return last.end + timedelta(days=1) == day and (last.post, last.adopted, last.draft) == key
