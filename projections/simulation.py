"""Policy simulation: every worker's history replayed under the adopted policy and under a
draft, compared month by month. Nothing is written to the ledger or to the read models.

What stays and what is derived again (docs/simulation.md):

- **recorded facts stay**: hires, appraisals and their corrections, grade changes made by
  people, post changes, transfers, education, certificates, dismissals;
- **derived facts are derived again, on both sides**: the recorded three-year steps
  (``GradeStepped``) are dropped and the steps each side's schedule makes due are applied
  on their dates (after any recorded fact of the same date, as ``step_clock`` judges them);
  an initial grade the policy gave at hire is worked out again;
- **everything computed follows**: grades after education upgrades and post changes, the
  promotion and dismissal flags, pay, its city and local shares, the computed quota.

Both sides go through the very same derivation, so a draft identical to the adopted policy
gives no difference at all, even where the ledger holds a due step nobody recorded yet.

The draft is in force from its document's ``effective_from`` when it has one (the adopted
versions govern before that date; from it on the draft alone, replacing later adoptions,
since a policy document is the whole policy), and from the start otherwise.

The events are streamed as the fast rebuild streams them (``projections.rebuild``): one
aggregate at a time, each id range in its own forked process, so memory holds one worker,
the per-unit and per-month sums, and at most one page of differing workers per process;
with every differing worker wanted, each process writes them to its own spool file and the
files are read back in id order.
"""

from __future__ import annotations

import pickle
import tempfile
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple
from uuid import UUID

from domain.access import Actor, scope_root
from domain.errors import NotFound, PolicyInvalid
from domain.facts import Fact, GradeStepFact, HireFact
from domain.pay import price
from domain.policy import AdoptedVersion, Policy, PolicySchedule
from domain.rules import StepDue, dismissal_due, promotion_candidate, step_clock
from domain.timeline import WorkerState, replay
from domain.unit import Unit
from domain.vocabulary import CertificateLevel, Post, UnitKind, WorkerStatus
from domain.worker import Worker
from ledger.application import Ledger
from projections import rebuild
from projections.models.derived import worker_states
from projections.models.payroll import month_text, pay_periods

PROMOTION = "promotion_candidate"
DISMISSAL = "dismissal_required"
FLAG_LABELS = {PROMOTION: "优先晋升候选", DISMISSAL: "应予解聘"}
CHANGE_LABELS = {"appears": "新出现", "vanishes": "消失"}
DRAFT_REF = "draft (simulation)"
# The parameters a career's grades, steps and flags are derived from; pay and quota aside.
FLAG_PARAMETERS = ("promotion_excellent_years", "dismissal_unqualified_years", "dismissal_due_days")
# What replaying the recorded facts reads (the grade bands, raises and the initial grade).
REPLAY_PARAMETERS = ("post_grades", "education_bonus", "prior_service_years_per_grade")
CAREER_PARAMETERS = (*REPLAY_PARAMETERS, "step_years", *FLAG_PARAMETERS)
PROGRESS_EVENTS = 5_000  # events read between two progress messages of a process
SPOOL_BATCH = 200  # differing workers pickled at once
FEN = 100


# -- the two schedules --------------------------------------------------------------------
@dataclass(frozen=True)
class Draft:
    """A draft policy and the date it would be in force from (None: from the start)."""

    policy: Policy
    effective: date | None
    title: str | None = None

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Draft:
        """Validate the document, or raise ``PolicyInvalid`` listing every problem."""
        if not isinstance(document, Mapping):
            raise PolicyInvalid(["the policy must be a JSON object"])
        problems: list[str] = []
        try:
            effective = draft_effective_date(document)
        except PolicyInvalid as error:
            problems, effective = error.problems, None
        try:
            policy = Policy.from_document(document)
        except PolicyInvalid as error:
            raise PolicyInvalid([*error.problems, *problems]) from None
        if problems:
            raise PolicyInvalid(problems)
        title = document.get("title")
        return cls(policy, effective, title if isinstance(title, str) else None)

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.policy.policy_id,
            "title": self.title,
            "in_force_from": self.effective.isoformat() if self.effective else None,
        }


def draft_effective_date(document: Mapping[str, Any]) -> date | None:
    """The draft's ``effective_from``, or None when it has none (in force from the start)."""
    raw = document.get("effective_from")
    if raw is None:
        return None
    try:
        if isinstance(raw, str) and len(raw) == 10:
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise PolicyInvalid(["effective_from: must be a date written YYYY-MM-DD"])


def same_parameters(a: PolicySchedule, b: PolicySchedule, names: Sequence[str]) -> bool:
    """Whether the two schedules agree on these parameters on every date."""
    days = {date.min} | {v.effective_date for v in (*a.versions, *b.versions)}
    return all(getattr(a.on(d), n) == getattr(b.on(d), n) for d in days for n in names)


def draft_schedule(
    adopted: PolicySchedule, draft: Policy, effective: date | None
) -> PolicySchedule:
    """The adopted versions in force before ``effective``, then the draft from it on."""
    number = max(v.version for v in adopted.versions) + 1
    if effective is None:
        return PolicySchedule([AdoptedVersion(number, date.min, DRAFT_REF, draft)])
    kept = [v for v in adopted.versions if v.effective_date < effective]
    return PolicySchedule([*kept, AdoptedVersion(number, effective, DRAFT_REF, draft)])


# -- one worker under one schedule ----------------------------------------------------------
def rederived_facts(facts: Sequence[Fact], schedule: PolicySchedule) -> list[Fact]:
    """The recorded facts with the derived ones made again under ``schedule``."""
    kept = recorded_facts(facts, schedule)
    return with_steps(kept, step_clock(replay(kept, schedule), schedule).due)


def recorded_facts(facts: Sequence[Fact], schedule: PolicySchedule) -> list[Fact]:
    """The facts without the recorded steps, an initial grade from the policy given again."""
    kept = [f for f in facts if not isinstance(f, GradeStepFact)]
    hire = kept[0]
    if isinstance(hire, HireFact) and hire.grade_from_policy:
        policy = schedule.on(hire.effective_date)
        grade = policy.initial_grade(hire.post, hire.prior_service_years, hire.education)
        if grade != hire.grade:
            kept[0] = replace(hire, grade=grade)
    return kept


def with_steps(kept: list[Fact], due: Sequence[StepDue]) -> list[Fact]:
    """``kept`` and the due steps, each after every recorded fact of its date."""
    last = max(f.seq for f in kept)
    return [
        *kept,
        *(
            GradeStepFact(d.effective_date, last + n, d.caused_by_years)
            for n, d in enumerate(due, start=1)
        ),
    ]


class Priced(NamedTuple):
    """One paid position's pay in a month: what is shown, and the fen that are summed."""

    coefficient: Decimal
    base: Decimal
    allowance: Decimal
    total: Decimal
    city_share: Decimal
    local_share: Decimal
    fen: tuple[int, int, int]  # total, city share, local share


class _Pricer:
    """``domain.pay.price`` remembered per month, post, grade and certificate: a district
    has a few hundred distinct ones, against hundreds of thousands of worker-months."""

    def __init__(self, schedule: PolicySchedule) -> None:
        self.schedule = schedule
        self.cache: dict[tuple[int, Post, int, CertificateLevel | None], Priced] = {}

    def __call__(self, month: int, post: Post, grade: int, cert: CertificateLevel | None) -> Priced:
        key = (month, post, grade, cert)
        found = self.cache.get(key)
        if found is None:
            text = month_text(month)
            # A recorded grade outside a draft's narrower range is paid at the range's end.
            policy = self.schedule.on(_first_day(month))
            line = price(self.schedule, text, post, policy.clamp(post, grade), cert)
            found = Priced(
                line.coefficient,
                line.base,
                line.allowance,
                line.total,
                line.city_share,
                line.local_share,
                (_fen(line.total), _fen(line.city_share), _fen(line.local_share)),
            )
            self.cache[key] = found
        return found


@dataclass
class _Side:
    """One worker's career under one schedule: state changes, paid stretches, steps."""

    changes: list[tuple[date, WorkerState]]
    days: list[date]
    periods: list[tuple[int, int, tuple[str, Post, int, CertificateLevel | None]]]
    starts: list[int]
    steps: list[date]


def _side(derived: list[Fact], schedule: PolicySchedule) -> _Side:
    periods = pay_periods(derived, schedule)
    changes = worker_states(derived, schedule)  # remembered by pay_periods: not derived twice
    paid = [
        (
            _index(p.month_from),
            _index(p.month_to) if p.month_to else _FOREVER,
            (p.unit_id, p.post, p.grade, p.certificate),
        )
        for p in periods
    ]
    return _Side(
        changes,
        [day for day, _ in changes],
        paid,
        [start for start, _, _ in paid],
        [f.effective_date for f in derived if isinstance(f, GradeStepFact)],
    )


# -- what a worker's comparison answers --------------------------------------------------------
@dataclass(frozen=True)
class PayStretch:
    """Consecutive months in which the two sides pay differently, the same each month."""

    from_month: str
    to_month: str
    months: int
    adopted: tuple[str, Post, int, Priced] | None  # unit, post, grade, pay; None: not paid
    draft: tuple[str, Post, int, Priced] | None


@dataclass(frozen=True)
class GradeStretch:
    start: date
    end: date  # inclusive
    post: Post
    adopted: int
    draft: int


@dataclass(frozen=True)
class FlagChange:
    flag: str
    change: str  # "appears" under the draft, or "vanishes" under it
    start: date
    end: date  # inclusive


@dataclass
class WorkerDifference:
    worker_id: str
    name: str
    unit_id: str  # where the first difference falls
    first_month: str
    adopted: tuple[int, int, int]  # fen over the window: total, city share, local share
    draft: tuple[int, int, int]
    pay: list[PayStretch]
    grades: list[GradeStretch]
    steps_gained: list[date]
    steps_lost: list[date]
    flags: list[FlagChange]


# -- sums ----------------------------------------------------------------------------------------
@dataclass
class UnitInfo:
    unit_id: str
    name: str
    kind: UnitKind
    parent_id: str | None
    approved_quota: int | None
    computed_adopted: int | None
    computed_draft: int | None


@dataclass
class Sums:
    """What one process adds up; the parent merges every process's."""

    months: int
    # Six running differences (adopted total, city, local, then the draft's) over the
    # window's months: a stretch adds at its first month and takes away after its last.
    by_month: list[list[int]] = field(default_factory=list)
    units: dict[str, list[int]] = field(default_factory=dict)  # 6 sums, workers, affected
    unit_info: dict[str, UnitInfo] = field(default_factory=dict)
    compared: int = 0
    affected: int = 0
    gaining: int = 0
    losing: int = 0

    def __post_init__(self) -> None:
        if not self.by_month:
            self.by_month = [[0] * (self.months + 1) for _ in range(6)]

    def merge(self, other: Sums) -> None:
        for mine, theirs in zip(self.by_month, other.by_month, strict=True):
            for index, value in enumerate(theirs):
                mine[index] += value
        for unit_id, values in other.units.items():
            found = self.units.setdefault(unit_id, [0] * 8)
            for index, value in enumerate(values):
                found[index] += value
        self.unit_info.update(other.unit_info)
        self.compared += other.compared
        self.affected += other.affected
        self.gaining += other.gaining
        self.losing += other.losing


# -- the comparison ---------------------------------------------------------------------------
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
        self.first_month = _index(from_month)
        self.last_month = _index(to_month)
        self.first_day = _first_day(self.first_month)
        self.last_day = _first_day(self.last_month + 1) - timedelta(days=1)
        self.quota_day = _first_day(self.last_month)
        self.scope = scope
        self.price_adopted = _Pricer(adopted)
        self.price_draft = _Pricer(draft)
        # A draft that changes only pay (a new wage, say) derives the very same careers,
        # and one that keeps the flag rules raises the same flags: each is then derived once.
        # (``shortcuts=False`` derives both sides in full: tests show the answers agree.)
        self.same_careers = shortcuts and same_parameters(adopted, draft, CAREER_PARAMETERS)
        self.same_flags = shortcuts and same_parameters(adopted, draft, FLAG_PARAMETERS)
        self.same_replay = shortcuts and same_parameters(adopted, draft, REPLAY_PARAMETERS)
        # Pay can change without any fact: each January (the base follows last year's
        # wage) and where either side's policy version changes.
        breaks = {self.first_month, self.last_month + 1}
        versions = None
        for month in range(self.first_month, self.last_month + 1):
            day = _first_day(month)
            now = (adopted.version_on(day).version, draft.version_on(day).version)
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
            unit.computed_quota(self.adopted.on(self.quota_day)),
            unit.computed_quota(self.draft.on(self.quota_day)),
        )

    # -- workers ------------------------------------------------------------------------
    def worker(self, worker: Worker, sums: Sums) -> WorkerDifference | None:
        """Add the worker's pay to ``sums``; answer the differences, if there are any."""
        facts = worker.facts
        kept = recorded_facts(facts, self.adopted)
        last_state = replay(kept, self.adopted)
        due = step_clock(last_state, self.adopted).due
        a = _side(with_steps(kept, due), self.adopted)
        if self.same_careers:
            d = a
        elif self.same_replay:
            # The recorded facts replay alike under both: only the steps can differ.
            due_d = step_clock(last_state, self.draft).due
            if _steps_of(due_d) != _steps_of(due):
                d = _side(with_steps(kept, due_d), self.draft)
            else:
                d = a if self.same_flags else replace(a)  # a copy: the flags are compared
        else:
            d = _side(rederived_facts(facts, self.draft), self.draft)
        found: list[tuple[date, str]] = []  # (date, unit) of each difference
        pay, totals_a, totals_d, paid = self._pay(a, d, sums, found)
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
            str(worker.id),
            worker.person.name,
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
        self, a: _Side, d: _Side, sums: Sums, found: list[tuple[date, str]]
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
            paid_a = _paid(a, start)
            paid_d = _paid(d, start)
            where = paid_a or paid_d
            if where is None or not self.in_scope(where[0]):
                continue
            unit_id = where[0]
            line_a = self._line(self.price_adopted, start, paid_a)
            line_d = self._line(self.price_draft, start, paid_d)
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
            found.append((_first_day(start), unit_id))
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
        pricer: _Pricer, month: int, paid: tuple[str, Post, int, CertificateLevel | None] | None
    ) -> tuple[str, Post, int, Priced] | None:
        if paid is None:
            return None
        unit_id, post, grade, cert = paid
        return (unit_id, post, grade, pricer(month, post, grade, cert))

    def _states(
        self, a: _Side, d: _Side, found: list[tuple[date, str]]
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
            state_a = _state(a, day)
            state_d = _state(d, day)
            if state_a is None or state_d is None or not self.in_scope(str(state_a.unit_id)):
                continue
            unit_id = str(state_a.unit_id)
            if state_a.status is WorkerStatus.ACTIVE and state_a.grade != state_d.grade:
                if not _extends(grades, day, (state_a.post, state_a.grade, state_d.grade)):
                    grades.append(
                        GradeStretch(day, end, state_a.post, state_a.grade, state_d.grade)
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
        self, a: _Side, d: _Side, found: list[tuple[date, str]]
    ) -> tuple[list[date], list[date]]:
        def window(steps: list[date], side: _Side) -> Counter[date]:
            return Counter(
                day
                for day in steps
                if self.first_day <= day <= self.last_day
                and (state := _state(side, day)) is not None
                and self.in_scope(str(state.unit_id))
            )

        in_a, in_d = window(a.steps, a), window(d.steps, d)
        gained = sorted((in_d - in_a).elements())
        lost = sorted((in_a - in_d).elements())
        for day in (*gained, *lost):
            state = _state(d, day)
            assert state is not None  # a step falls while the worker is in post
            found.append((day, str(state.unit_id)))
        return gained, lost


# -- small helpers -------------------------------------------------------------------------------
_FOREVER = 1 << 30


def _steps_of(due: Sequence[StepDue]) -> list[tuple[date, tuple[int, ...]]]:
    return [(d.effective_date, d.caused_by_years) for d in due]


def _index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _first_day(month: int) -> date:
    return date(month // 12, month % 12 + 1, 1)


def _fen(amount: Decimal) -> int:
    return int(amount * FEN)


def _triple(values: list[int]) -> tuple[int, int, int]:
    return values[0], values[1], values[2]


def _paid(side: _Side, month: int) -> tuple[str, Post, int, CertificateLevel | None] | None:
    index = bisect_right(side.starts, month) - 1
    if index < 0:
        return None
    _, end, paid = side.periods[index]
    return paid if month < end else None


def _state(side: _Side, day: date) -> WorkerState | None:
    index = bisect_right(side.days, day) - 1
    return side.changes[index][1] if index >= 0 else None


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


def _extends(grades: list[GradeStretch], day: date, key: tuple[Post, int, int]) -> bool:
    if not grades:
        return False
    last = grades[-1]
    return last.end + timedelta(days=1) == day and (last.post, last.adopted, last.draft) == key


# -- running it over the event store --------------------------------------------------------------
@dataclass(frozen=True)
class _Progress:
    events: int


@dataclass(frozen=True)
class _Done:
    events: int
    index: int
    kept: list[WorkerDifference]
    sums: Sums


@dataclass
class Outcome:
    """The answer: sums over the window, and the differing workers (a page, or all)."""

    comparison: Comparison
    sums: Sums
    items: list[WorkerDifference]
    next_cursor: str | None
    spool: list[Path]
    events_read: int

    def workers(self) -> Iterator[WorkerDifference]:
        """Every differing worker in id order, from the spool files (all-workers mode)."""
        for path in self.spool:
            with path.open("rb") as spool:
                while True:
                    try:
                        yield from pickle.load(spool)  # noqa: S301 - our own spool file
                    except EOFError:
                        break


def simulate(
    ledger: Ledger,
    draft: Draft,
    from_month: str,
    to_month: str,
    *,
    unit_id: UUID | None = None,
    scope: frozenset[str] | None = None,
    after: str | None = None,
    limit: int | None = None,
    spool_dir: Path | None = None,
    processes: int = 1,
    fork: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Compare every worker (in ``unit_id``'s subtree) under the adopted and the draft
    schedule from ``from_month`` to ``to_month`` (``YYYY-MM``, both included). ``scope``:
    the subtree's unit ids, when the caller has found them already.

    With ``limit``, ``items`` holds the first ``limit`` differing workers after the
    worker id ``after``, in id order, and ``next_cursor`` the last of them when more
    follow. Without, every differing worker is written to spool files in ``spool_dir``
    and read back with :meth:`Outcome.workers`. ``progress`` hears of the events read.

    ``processes`` > 1 splits the aggregate ids into ranges, one process each; they are
    forked from this one, or (``fork=False``, for a threaded server, where forking is
    unsafe) from a clean fork server, opening the store again from its settings.
    """
    adopted = ledger.schedule()
    if scope is None and unit_id is not None:
        scope = subtree(ledger, unit_id)
    comparison = Comparison(
        adopted, draft_schedule(adopted, draft.policy, draft.effective), from_month, to_month, scope
    )
    head = ledger.recorder.max_notification_id() or 0
    streaming = rebuild.supported(ledger)
    if not streaming:
        processes = 1
    if limit is None and spool_dir is None:
        raise ValueError("every differing worker is wanted: give a spool folder")

    work = _RangeWork(ledger, comparison, head, streaming, after, limit, spool_dir)
    total = Sums(comparison.last_month - comparison.first_month + 1)
    pages: dict[int, list[WorkerDifference]] = {}
    read = 0
    method = "forkserver" if processes > 1 and not fork else "fork"
    with closing(
        rebuild.in_processes(work, processes, name="simulation", method=method)
    ) as messages:
        for message in messages:
            read += message.events
            if progress and message.events:
                progress(message.events)
            if isinstance(message, _Done):
                total.merge(message.sums)
                pages[message.index] = message.kept
    items = [found for index in sorted(pages) for found in pages[index]]
    next_cursor = None
    if limit is not None and len(items) > limit:
        items = items[:limit]
        next_cursor = items[-1].worker_id if items else None
    spool = sorted(spool_dir.glob("*.pickle")) if spool_dir else []
    return Outcome(comparison, total, items, next_cursor, spool, read)


class _RangeWork:
    """One id range's share of a simulation: picklable, for processes started by a fork
    server, which open the store again from its settings instead of inheriting it."""

    def __init__(
        self,
        ledger: Ledger,
        comparison: Comparison,
        head: int,
        streaming: bool,
        after: str | None,
        limit: int | None,
        spool_dir: Path | None,
    ) -> None:
        self.ledger: Ledger | None = ledger
        # A process started by the fork server only decodes events (it reads them over its
        # own connection): one pooled connection, and no tables to create.
        self.env = {
            **ledger.env,
            "POSTGRES_POOL_SIZE": "1",
            "POSTGRES_MAX_OVERFLOW": "0",
            "CREATE_TABLE": "n",
        }
        self.comparison = comparison
        self.head = head
        self.streaming = streaming
        self.after = after
        self.limit = limit
        self.spool_dir = spool_dir

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "ledger": None}

    def __call__(self, index: int, lo: UUID | None, hi: UUID | None) -> Iterator[_Progress | _Done]:
        ledger = self.ledger or Ledger(env=self.env)
        comparison, after, limit = self.comparison, self.after, self.limit
        if self.streaming:
            source = rebuild.aggregates(ledger, self.head, lo, hi)
        else:
            source = _all(ledger, self.head)
        sums = Sums(comparison.last_month - comparison.first_month + 1)
        kept: list[WorkerDifference] = []
        spool = (self.spool_dir / f"{index:04d}.pickle").open("wb") if self.spool_dir else None
        read = 0
        try:
            for events_read, events in source:
                read += events_read
                aggregate = rebuild.reconstruct(events) if events else None
                if isinstance(aggregate, Unit):
                    comparison.unit(aggregate, sums)
                elif isinstance(aggregate, Worker):
                    found = comparison.worker(aggregate, sums)
                    # One more than a page tells whether another page follows.
                    wanted = limit is None or len(kept) <= limit
                    if found and wanted and (after is None or found.worker_id > after):
                        kept.append(found)
                if spool and len(kept) >= SPOOL_BATCH:
                    pickle.dump(kept, spool)
                    kept = []
                if read >= PROGRESS_EVENTS:
                    yield _Progress(read)
                    read = 0
            if spool:
                pickle.dump(kept, spool)
                kept = []
        finally:
            if spool:
                spool.close()
            if ledger is not self.ledger:
                ledger.close()
        yield _Done(read, index, kept, sums)


def spool_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="ledger-simulation-")


def _all(ledger: Ledger, head: int) -> Iterator[tuple[int, list[Any]]]:
    """The in-memory store has no events table to stream: its aggregates, by id (tests)."""
    by_id: dict[UUID, list[Any]] = {}
    position = 0
    while position < head:
        batch = ledger.recorder.select_notifications(position + 1, 1000, stop=head)
        if not batch:
            break
        for notification in batch:
            if notification.topic.startswith(rebuild.TOPICS):
                event = ledger.mapper.to_domain_event(notification)
                by_id.setdefault(event.originator_id, []).append(event)
        position = batch[-1].id
    yield head - sum(len(e) for e in by_id.values()), []
    for aggregate_id in sorted(by_id):
        yield len(by_id[aggregate_id]), by_id[aggregate_id]


# -- units and who may ask ------------------------------------------------------------------------
def _unit(ledger: Ledger, unit_id: UUID, field: str | None = "unit_id") -> Unit:
    try:
        found: Any = ledger.repository.get(unit_id)
    except Exception:  # the library's AggregateNotFoundError, or another aggregate's id
        found = None
    if not isinstance(found, Unit):
        raise NotFound(f"no unit {unit_id}", field=field)
    return found


def subtree(ledger: Ledger, root: UUID) -> frozenset[str]:
    """``root`` and every unit below it, from the event store (no read model needed)."""
    found: set[str] = set()
    waiting = [root]
    while waiting:
        unit = _unit(ledger, waiting.pop())
        found.add(str(unit.id))
        waiting.extend(unit.children)
    return frozenset(found)


def simulation_root(ledger: Ledger, actor: Actor, unit_id: UUID | None) -> UUID | None:
    """The subtree a simulation covers (the clerk-scope rule: ``scope_root``)."""

    def chain(unit: UUID) -> list[UUID]:
        found: list[UUID] = []
        current: UUID | None = unit
        while current is not None:
            found.append(current)
            current = _unit(ledger, current).parent_id
        return found

    return scope_root(actor, unit_id, chain, lambda own: own)
