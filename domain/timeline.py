"""Replay a worker's facts in effective-date order, and check that they fit.

``replay`` is the single place where a worker's state on a date is derived.
With ``strict=True`` it is also the timeline check: every fact must be valid at
its place in the timeline, so a fact inserted at an early effective date is
refused if it would make any later fact invalid.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from operator import attrgetter, itemgetter
from typing import Any
from uuid import UUID

from mypy_extensions import mypyc_attr

from domain.catalogue import Term
from domain.errors import (
    EducationNotHigher,
    GradeOutOfRange,
    TimelineConflict,
    WorkerDismissed,
)
from domain.facts import (
    AppraisalCorrectionFact,
    AppraisalFact,
    CertificateFact,
    DismissalFact,
    EducationFact,
    Fact,
    GradeChangeFact,
    GradeStepFact,
    HireFact,
    PostChangeFact,
    TransferFact,
)
from domain.policy import Policy, PolicySchedule
from domain.values import Immutable
from domain.vocabulary import (
    CertificateLevel,
    Channel,
    DismissalReason,
    Education,
    PostChangeReason,
    Rating,
    WorkerStatus,
)

# Enum members read as module constants: ``WorkerStatus.ACTIVE`` is a descriptor look-up
# (about 160 ns on Python 3.11), asked for every fact and state of every replayed career.
_DISMISSED = WorkerStatus.DISMISSED


# Both stay Python classes when a build compiles this module (ADR 0017): a Placement is
# an Immutable (a Python base class), and ``_evolve`` copies states through ``__dict__``,
# which compiled classes do not have (a compiled ``replace`` was slower, measured).
@mypyc_attr(native_class=False)
@dataclass(frozen=True)
class Placement(Immutable):
    """A stretch of time in one unit: from ``start`` up to (not including) ``end``."""

    unit_id: UUID
    start: date
    end: date | None


@mypyc_attr(native_class=False)
@dataclass(frozen=True)
class WorkerState:
    status: WorkerStatus
    unit_id: UUID
    post: str  # a post of the version in force on the state's date (see ``_placed``)
    grade: int
    education: Education
    channel: Channel
    hire_date: date
    certificate: CertificateLevel | None = None
    dismissal_date: date | None = None
    dismissal_reason: DismissalReason | None = None
    appraisals: dict[int, Rating] = field(default_factory=dict)
    appraisal_dates: dict[int, date] = field(default_factory=dict)
    step_boundary_year: int = 0
    last_promotion_date: date | None = None
    # Education counted as years of service: the counted years that made no whole grade
    # at hire (or after the last upgrade), which an education upgrade adds to.
    leftover_years: int = 0
    placements: tuple[Placement, ...] = ()
    # The facts effective by the state's date, in timeline order: the rules look
    # back at the post and grade on an earlier date (a step's due date).
    facts: tuple[Fact, ...] = field(default=(), compare=False, repr=False)


_timeline_order = attrgetter("effective_date", "seq")  # in C: replay sorts every timeline


def ordered(facts: Iterable[Fact]) -> list[Fact]:
    """Effective-date order; recorded order breaks ties."""
    return sorted(facts, key=_timeline_order)


def replay(
    facts: Iterable[Fact],
    schedule: PolicySchedule,
    as_of: date | None = None,
    *,
    strict: bool = False,
    new_step: GradeStepFact | None = None,
) -> WorkerState:
    """The worker's state on ``as_of`` (default: after every fact).

    ``new_step``: with ``strict``, a step the rules made due, being recorded. An appraisal
    recorded late can make a step due before steps recorded on what was known then; one
    of those it carries to the post's maximum lapses (no grade, the clock starts again, as
    for any step there) instead of refusing the due step. A person's backdated change
    that would do so is still refused."""
    timeline = ordered(facts)
    hire = next((f for f in timeline if isinstance(f, HireFact)), None)
    if hire is None:
        raise TimelineConflict.because("timeline_starts_with_hire")
    state: WorkerState | None = None
    for fact in timeline:
        if as_of is not None and fact.effective_date > as_of:
            break
        if state is None:
            if not isinstance(fact, HireFact):
                raise TimelineConflict.because(
                    "fact_before_hire_date", **_describe(fact), hire=hire.effective_date
                )
            state = _hired(fact, schedule)
            continue
        lapses = new_step is not None and fact is not new_step and isinstance(fact, GradeStepFact)
        state = _apply(state, fact, schedule, strict and not lapses)
    if state is None:
        return replace(_hired(hire, schedule), status=WorkerStatus.NOT_YET_HIRED, placements=())
    if as_of is not None:
        state = _placed(state, schedule.on(as_of))
    return _evolve(
        state, facts=tuple(f for f in timeline if as_of is None or f.effective_date <= as_of)
    )


def states(facts: Iterable[Fact], schedule: PolicySchedule) -> list[tuple[date, WorkerState]]:
    """The state from each effective date on, in one pass: what read models store.

    Only the dates where some fact takes effect appear; the state holds until
    the next one. The facts are the recorded ones, which passed the check.
    """
    return _states_from([], ordered(facts), 0, None, schedule)


def states_with(
    changes: Sequence[tuple[date, WorkerState]],
    later: Sequence[Fact],
    schedule: PolicySchedule,
) -> list[tuple[date, WorkerState]]:
    """``states([*facts, *later])`` from ``changes`` = ``states(facts)``, when each fact of
    ``later`` follows every fact of its date in ``facts`` (a higher seq: steps made due
    and appended). The states before the first date of ``later`` are those of
    ``changes``; only the rest of the timeline is derived again."""
    if not later or not changes:
        return list(changes) if not later else states([*later], schedule)
    first = min(f.effective_date for f in later)
    kept = bisect_left(changes, first, key=itemgetter(0))
    if kept == 0:
        return states([*changes[-1][1].facts, *later], schedule)
    before = changes[kept - 1][1]
    timeline = ordered([*changes[-1][1].facts, *later])
    return _states_from(list(changes[:kept]), timeline, len(before.facts), before, schedule)


def extend_states(
    changes: list[tuple[date, WorkerState]], later: Sequence[Fact], schedule: PolicySchedule
) -> WorkerState:
    """``changes`` (``states(facts)``, or a prefix of them ending with the state after
    all of ``facts``) continued in place by ``later``, as ``states([*facts, *later])``
    derives them, when ``later`` are in timeline order and follow every one of ``facts``
    (a later date, or the same date and a higher seq); answers the last state. The last
    date's state is made again when ``later`` add to that date. For a schedule that maps
    no post: a version that does moves holders between facts, which needs the whole
    timeline (``states_with``)."""
    day, state = changes[-1]
    if later[0].effective_date == day:
        changes.pop()
    _states_from(changes, (*state.facts, *later), len(state.facts), state, schedule)
    return changes[-1][1]


def _states_from(
    changes: list[tuple[date, WorkerState]],
    timeline: Sequence[Fact],
    start: int,
    state: WorkerState | None,
    schedule: PolicySchedule,
) -> list[tuple[date, WorkerState]]:
    """``changes`` continued by the facts of ``timeline`` from index ``start`` on, from
    ``state`` (the state after the facts before ``start``; None: not hired yet)."""
    # A version that maps dropped posts moves their holders on its date, between facts.
    remaps = [v for v in schedule.versions if v.policy.post_aliases]
    timeline = tuple(timeline)  # its prefixes, the settled states' facts, sliced as tuples
    for index in range(start, len(timeline)):
        fact = timeline[index]
        if state is not None and remaps:
            for version in remaps:
                if changes[-1][0] < version.effective_date < fact.effective_date:
                    moved = _placed(changes[-1][1], version.policy)  # settled: with its facts
                    if moved is not changes[-1][1]:
                        state = _placed(state, version.policy)
                        changes.append((version.effective_date, moved))
        before = state
        if state is None:
            if not isinstance(fact, HireFact):
                raise TimelineConflict.because("fact_before_hire", **_describe(fact))
            state = _hired(fact, schedule)
        else:
            state = _apply(state, fact, schedule, strict=False)
        following = timeline[index + 1] if index + 1 < len(timeline) else None
        if following is None or following.effective_date != fact.effective_date:
            # The rules look back at earlier dates through the facts, as after replay().
            if state is before:
                state = _evolve(state, facts=timeline[: index + 1])
            else:
                # A state ``_apply`` (or ``_hired``) has just made is seen nowhere else
                # yet: it takes its facts in place instead of being copied once more.
                state.__dict__["facts"] = timeline[: index + 1]
            changes.append((fact.effective_date, state))
    if changes and remaps:
        for version in remaps:
            if changes[-1][0] < version.effective_date:
                moved = _placed(changes[-1][1], version.policy)
                if moved is not changes[-1][1]:
                    changes.append((version.effective_date, moved))
    return changes


def advance(state: WorkerState, later: Sequence[Fact], schedule: PolicySchedule) -> WorkerState:
    """``state`` once ``later`` have taken effect, as ``replay`` would derive it from the
    longer timeline, when ``later`` come after every fact behind ``state`` in timeline
    order (a later date, or the same date and a higher seq). The rules ask this once per
    pending step; replaying from the hire each time was most of their cost."""
    for fact in later:
        state = _apply(state, fact, schedule, strict=False)
    return _evolve(state, facts=(*state.facts, *later))


def _evolve(state: WorkerState, **changes: Any) -> WorkerState:
    """``dataclasses.replace`` without re-running ``__init__``: replay makes a new state
    per fact, and this is most of a rebuild's time. Safe: the state has no validation.
    The copied attributes are handed over as the new state's ``__dict__`` (set past the
    frozen ``__setattr__``): half the time of updating an empty one twice."""
    new = _new(WorkerState)
    attributes = state.__dict__.copy()
    attributes.update(changes)
    _set_attribute(new, "__dict__", attributes)
    return new


_new = object.__new__
_set_attribute = object.__setattr__


def _placed(state: WorkerState, policy: Policy) -> WorkerState:
    """``state`` under ``policy``: a post the version dropped becomes the post it maps to,
    the grade kept within that post's band (a post change the policy made)."""
    post = policy.post_aliases.get(state.post)
    if post is None:
        return state
    return _evolve(state, post=post, grade=policy.clamp(post, state.grade))


def _hired(fact: HireFact, schedule: PolicySchedule) -> WorkerState:
    grade = fact.grade
    policy = schedule.on(fact.effective_date)
    if fact.grade_from_policy:
        # The policy chose the grade, so the version in force on the hire date chooses it
        # again: a version adopted after a future-dated hire was recorded (or a draft
        # being replayed) sets that hire's grade. Under the recording schedule this is
        # the recorded grade.
        grade = policy.initial_grade(fact.post, fact.prior_service_years, fact.education)
    post = policy.post_of(fact.post)
    return WorkerState(
        status=WorkerStatus.ACTIVE,
        unit_id=fact.unit_id,
        post=post,
        grade=grade if post == fact.post else policy.clamp(post, grade),
        education=fact.education,
        channel=fact.channel,
        hire_date=fact.effective_date,
        step_boundary_year=fact.effective_date.year - 1,
        leftover_years=policy.leftover_years(fact.prior_service_years, fact.education),
        placements=(Placement(fact.unit_id, fact.effective_date, None),),
    )


def _apply(state: WorkerState, fact: Fact, schedule: PolicySchedule, strict: bool) -> WorkerState:
    policy = schedule.on(fact.effective_date)
    if policy.post_aliases:
        state = _placed(state, policy)
    if state.status is _DISMISSED and not isinstance(fact, AppraisalCorrectionFact):
        if strict:
            raise WorkerDismissed.because(
                "fact_after_dismissal", **_describe(fact), dismissed=state.dismissal_date
            )
        return state
    match fact:
        case HireFact():
            raise TimelineConflict.because("hired_once")
        case AppraisalFact(year=year, rating=rating):
            return _evolve(
                state,
                appraisals={**state.appraisals, year: rating},
                appraisal_dates={**state.appraisal_dates, year: fact.effective_date},
            )
        case AppraisalCorrectionFact(year=year, rating=rating):
            return _evolve(state, appraisals={**state.appraisals, year: rating})
        case GradeChangeFact(grade=grade):
            low, high = policy.grade_range(state.post)
            if strict and not low <= grade <= high:
                raise GradeOutOfRange.because(
                    "grade_outside_post_on",
                    field="grade",
                    grade=grade,
                    on=fact.effective_date,
                    post=policy.post_name(state.post),
                    low=low,
                    high=high,
                )
            return _evolve(state, grade=grade)
        case GradeStepFact(caused_by_years=years):
            _, high = policy.grade_range(state.post)
            if strict and state.grade + 1 > high:
                raise GradeOutOfRange.because(
                    "step_beyond_maximum",
                    on=fact.effective_date,
                    grade=state.grade,
                    post=policy.post_name(state.post),
                    high=high,
                )
            return _evolve(
                state,
                grade=min(state.grade + 1, high),
                step_boundary_year=max((state.step_boundary_year, *years)),
            )
        case PostChangeFact(post=recorded, reason=reason):
            post = policy.post_of(recorded)
            promoted = reason is PostChangeReason.PROMOTION
            return _evolve(
                state,
                post=post,
                grade=policy.clamp(post, state.grade),
                last_promotion_date=fact.effective_date if promoted else state.last_promotion_date,
            )
        case TransferFact(unit_id=unit_id):
            if strict and unit_id == state.unit_id:
                raise TimelineConflict.because(
                    "already_in_unit", field="unit_id", unit_id=unit_id, on=fact.effective_date
                )
            return _evolve(
                state,
                unit_id=unit_id,
                placements=(
                    *_close(state.placements, fact.effective_date),
                    Placement(unit_id, fact.effective_date, None),
                ),
            )
        case EducationFact(education=education):
            if education.rank <= state.education.rank:
                if strict:
                    raise EducationNotHigher.because(
                        "education_not_higher",
                        field="education",
                        on=fact.effective_date,
                        education=state.education,
                    )
                return state
            raise_by, leftover = policy.education_raise(
                state.education, education, state.leftover_years
            )
            return _evolve(
                state,
                education=education,
                grade=policy.clamp(state.post, state.grade + raise_by),
                leftover_years=leftover,
            )
        case CertificateFact(level=level):
            if state.certificate is not None and state.certificate.rank >= level.rank:
                return state
            raise_by = policy.certificate_raise(state.certificate, level)
            if raise_by:
                grade = policy.clamp(state.post, state.grade + raise_by)
                return _evolve(state, certificate=level, grade=grade)
            return _evolve(state, certificate=level)
        case DismissalFact(reason=reason):
            return _evolve(
                state,
                status=WorkerStatus.DISMISSED,
                dismissal_date=fact.effective_date,
                dismissal_reason=reason,
                placements=_close(state.placements, fact.effective_date),
            )
    raise TimelineConflict(f"unknown fact {fact.kind}")


def _close(placements: tuple[Placement, ...], on: date) -> tuple[Placement, ...]:
    *earlier, last = placements
    return (*earlier, replace(last, end=on))


def _describe(fact: Fact) -> dict[str, Any]:
    """A fact as a refusal names it: what (a word of the catalogue) and its date."""
    return {"fact": Term(fact.kind.removesuffix("Fact").lower()), "on": fact.effective_date}
