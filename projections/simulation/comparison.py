"""The comparison of one worker (or unit) at a time under the adopted and the draft schedule."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from domain.facts import Fact
from domain.pay import year_ratings
from domain.policy import PolicySchedule
from domain.rules import step_clock_with_states
from domain.timeline import states
from domain.unit import Unit
from domain.vocabulary import Rating
from domain.worker import Worker
from projections.models.payroll import month_text
from projections.simulation import judging
from projections.simulation.careers import (
    Side,
    career,
    recorded_facts,
    steps_of,
)
from projections.simulation.draft import (
    CAREER_PARAMETERS,
    FLAG_PARAMETERS,
    REPLAY_PARAMETERS,
    same_parameters,
)
from projections.simulation.months import month_index, month_start
from projections.simulation.pricing import Pricer
from projections.simulation.results import (
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
        self._made_of = (adopted, draft, from_month, to_month, scope, shortcuts)
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

    def __reduce__(self) -> tuple[Any, ...]:
        """A process from the fork server makes the comparison again from what it was made
        of (its pricers' caches start empty): a compiled class has no ``__dict__`` to copy."""
        return (_made, self._made_of)

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
        # The states of the recorded facts answer the step clock's look-ups by date; the
        # clock hands back the states with the steps it finds due.
        clock, changes = step_clock_with_states(last_state, self.adopted, base)
        due = clock.due
        a = career(kept, due, changes, self.adopted)
        if self.same_careers:
            d = a
        elif self.same_replay:
            # The recorded facts replay alike under both: only the steps can differ.
            clock_d, changes_d = step_clock_with_states(last_state, self.draft, base)
            if steps_of(clock_d.due) != steps_of(due):
                d = career(kept, clock_d.due, changes_d, self.draft)
            else:
                d = a if self.same_flags else replace(a)  # a copy: the flags are compared
        else:
            kept_d = recorded_facts(facts, self.draft)
            base_d = states(kept_d, self.draft)
            clock_d, changes_d = step_clock_with_states(base_d[-1][1], self.draft, base_d)
            d = career(kept_d, clock_d.due, changes_d, self.draft)
        found: list[tuple[date, str]] = []  # (date, unit) of each difference
        # Only a split pay reads the year's rating (the pricer drops it elsewhere).
        ratings = year_ratings(facts) if self.rated else {}
        pay, totals_a, totals_d, paid = self._pay(a, d, sums, found, ratings)
        grades: list[GradeStretch] = []
        flags: list[FlagChange] = []
        gained: list[date] = []
        lost: list[date] = []
        if d is not a:
            grades, flags = judging.states(self, a, d, found)
            gained, lost = judging.steps(self, a, d, found)
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


def _made(
    adopted: PolicySchedule,
    draft: PolicySchedule,
    from_month: str,
    to_month: str,
    scope: frozenset[str] | None,
    shortcuts: bool,
) -> Comparison:
    return Comparison(adopted, draft, from_month, to_month, scope, shortcuts=shortcuts)
