"""The comparison of one worker (or unit) at a time under the adopted and the draft schedule."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from domain.facts import Fact
from domain.pay import year_ratings
from domain.policy import PolicySchedule
from domain.rules import dismissal_due, promotion_candidate, step_clock
from domain.timeline import WorkerState, states
from domain.unit import Unit
from domain.vocabulary import CertificateLevel, Rating, WorkerStatus
from domain.worker import Worker
from projections.models.derived import unit_text
from projections.models.payroll import month_text
from projections.simulation.careers import (
    Side,
    career,
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

ONE_DAY = timedelta(days=1)
ACTIVE = WorkerStatus.ACTIVE  # a module constant: a look-up on the enum is slow


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
        self.rated = any(
            v.policy.pay_split is not None for s in (adopted, draft) for v in s.versions
        )
        # The window's months as text, formatted once (every differing stretch names two).
        self.month_texts = [month_text(m) for m in range(self.first_month, self.last_month + 1)]

    @property
    def months(self) -> list[str]:
        return list(self.month_texts)

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
        # Only a split pay reads the year's rating (the pricer drops it elsewhere).
        ratings = year_ratings(facts) if self.rated else {}
        pay, totals_a, totals_d, paid = self._pay(a, d, sums, found, ratings)
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
        first_month, last_month = self.first_month, self.last_month
        for side in (a, d) if d is not a else (a,):
            for start, end, _ in side.periods:
                if first_month < start <= last_month:
                    bounds.add(start)
                if first_month < end <= last_month:
                    bounds.add(end)
        edges = sorted(bounds)
        stretches: list[list[Any]] = []  # [first month, month after the last, adopted, draft]
        a0 = a1 = a2 = d0 = d1 = d2 = 0  # each side's total, city share and local share
        units_seen: set[str] = set()
        units_affected: set[str] = set()
        offset = first_month
        by_month = sums.by_month
        ta, ca, la, td, cd, ld = by_month  # the months' columns, adopted then draft
        price_a, price_d = self.price_adopted, self.price_draft
        cache_a, cache_d = price_a.cache, price_d.cache  # looked up here: most are known
        periods_a, periods_d = a.periods, d.periods
        # Both sides' periods are walked forward with the edges (which only grow).
        ia, i_d = bisect_right(a.starts, edges[0]) - 1, bisect_right(d.starts, edges[0]) - 1
        for index in range(len(edges) - 1):
            start, end = edges[index], edges[index + 1]
            while ia + 1 < len(periods_a) and periods_a[ia + 1][0] <= start:
                ia += 1
            while i_d + 1 < len(periods_d) and periods_d[i_d + 1][0] <= start:
                i_d += 1
            paid_a = periods_a[ia][2] if ia >= 0 and start < periods_a[ia][1] else None
            paid_d = periods_d[i_d][2] if i_d >= 0 and start < periods_d[i_d][1] else None
            where = paid_a or paid_d
            if where is None or not self.in_scope(where[0]):
                continue
            unit_id = where[0]
            # Stretches break each January, so one year's rating holds through each.
            rating = ratings.get(start // 12)
            count = end - start
            unit_sums = sums.units.get(unit_id)
            if unit_sums is None:
                unit_sums = sums.units[unit_id] = [0] * 8
            units_seen.add(unit_id)
            first, after = start - offset, end - offset
            line_a = line_d = None
            if paid_a is not None:
                unit, post, grade, cert = paid_a
                priced = cache_a.get((start, post, grade, cert, rating)) or price_a(
                    start, post, grade, cert, rating
                )
                line_a = (unit, post, grade, priced)
                f0, f1, f2 = priced.fen
                ta[first] += f0
                ta[after] -= f0
                ca[first] += f1
                ca[after] -= f1
                la[first] += f2
                la[after] -= f2
                unit_sums[0] += f0 * count
                unit_sums[1] += f1 * count
                unit_sums[2] += f2 * count
                a0 += f0 * count
                a1 += f1 * count
                a2 += f2 * count
            if paid_d is not None:
                unit, post, grade, cert = paid_d
                priced = cache_d.get((start, post, grade, cert, rating)) or price_d(
                    start, post, grade, cert, rating
                )
                line_d = (unit, post, grade, priced)
                f0, f1, f2 = priced.fen
                td[first] += f0
                td[after] -= f0
                cd[first] += f1
                cd[after] -= f1
                ld[first] += f2
                ld[after] -= f2
                unit_sums[3] += f0 * count
                unit_sums[4] += f1 * count
                unit_sums[5] += f2 * count
                d0 += f0 * count
                d1 += f1 * count
                d2 += f2 * count
            if line_a == line_d:
                continue
            units_affected.add(unit_id)
            last = stretches[-1] if stretches else None
            if last and last[1] == start and last[2] == line_a and last[3] == line_d:
                last[1] = end  # the same difference goes on (past a January, say)
                continue
            stretches.append([start, end, line_a, line_d])
            found.append((month_start(start), unit_id))
        for unit_id in units_seen:
            sums.units[unit_id][6] += 1
        for unit_id in units_affected:
            sums.units[unit_id][7] += 1
        texts = self.month_texts
        pay = [
            PayStretch(texts[start - offset], texts[end - 1 - offset], end - start, line_a, line_d)
            for start, end, line_a, line_d in stretches
        ]
        return pay, (a0, a1, a2), (d0, d1, d2), bool(units_seen)

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
        first_day, last_day = self.first_day, self.last_day
        days_a, days_d = a.days, d.days
        changes_a, changes_d = a.changes, d.changes
        # The sides' states are one and the same object up to the first change that
        # differs (the draft side continues the shared states): nothing can differ there
        # unless the flag rules do, which judge even the same state apart.
        shared = 0
        if self.same_flags:
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
                and not (state_a is state_d and self.same_flags)
                and self.in_scope(unit_id := unit_text(state_a.unit_id))
            ):
                self._judge(
                    day, end, state_a, state_d, unit_id, grades, flags, found, raised_a, raised_d
                )
            if following is None:
                break
            day = following
            while ia + 1 < end_a and days_a[ia + 1] <= day:
                ia += 1
            while i_d + 1 < end_d and days_d[i_d + 1] <= day:
                i_d += 1
        return [
            GradeStretch(start, end, post, self.adopted.on(start).post_label(post), was, now)
            for start, end, post, was, now in grades
        ], flags

    def _judge(
        self,
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
        if self.same_flags:
            return
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

    def _steps(
        self, a: Side, d: Side, found: list[tuple[date, str]]
    ) -> tuple[list[date], list[date]]:
        if a.steps == d.steps:
            return [], []  # the same steps: none gained, none lost

        first_day, last_day = self.first_day, self.last_day

        def window(steps: list[date], side: Side) -> Counter[date]:
            if self.scope is None:
                # In the whole ledger a step counts wherever the worker is placed.
                return Counter(
                    day for day in steps if first_day <= day <= last_day and day >= side.days[0]
                )
            return Counter(
                day
                for day in steps
                if first_day <= day <= last_day
                and (state := state_on(side, day)) is not None
                and self.in_scope(unit_text(state.unit_id))
            )

        in_a, in_d = window(a.steps, a), window(d.steps, d)
        gained = sorted((in_d - in_a).elements())
        lost = sorted((in_a - in_d).elements())
        for day in (*gained, *lost):
            state = state_on(d, day)
            assert state is not None  # a step falls while the worker is in post
            found.append((day, unit_text(state.unit_id)))
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
