"""The unit aggregate: a district, street office or community, its quota and its seats.

A unit's seats are the stretches of time each worker occupies in it. A hire or
transfer changes a worker's seats and the unit's in one save, so two clerks
racing for the last seat cannot both win: the loser's save conflicts on the
unit's version and is re-checked against the winner's seat.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from domain.base import LedgerAggregate
from domain.catalogue import Term
from domain.errors import (
    DispatchConversionRefused,
    InvalidInput,
    NoApprovedQuota,
    QuotaExceeded,
)
from domain.policy import Policy, PolicySchedule
from domain.policy_parts import COMMUNITY_KINDS, UnitCounts
from domain.timeline import Placement
from domain.values import Immutable
from domain.vocabulary import UnitKind

__all__ = ["COMMUNITY_KINDS", "CountsRecord", "QuotaApproval", "Seat", "Unit"]
ALLOWED_PARENTS: dict[UnitKind, frozenset[UnitKind | None]] = {
    UnitKind.DISTRICT: frozenset({None}),
    UnitKind.STREET_OFFICE: frozenset({UnitKind.DISTRICT}),
    **{kind: frozenset({UnitKind.STREET_OFFICE}) for kind in COMMUNITY_KINDS},
}


@dataclass(frozen=True)
class Seat(Immutable):
    start: date
    end: date | None

    def holds(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class QuotaApproval(Immutable):
    quota: int
    effective_date: date
    document_ref: str


@dataclass(frozen=True)
class CountsRecord(Immutable):
    """Counts recorded as true from ``effective_date``; None: not stated, unchanged."""

    effective_date: date
    households: int | None
    grids: int | None
    population: int | None


class Unit(LedgerAggregate):
    @classmethod
    def register(
        cls,
        *,
        name: str,
        kind: UnitKind,
        parent: Unit | None,
        unit_class: int | None = None,
        households: int | None = None,
        population: int | None = None,
        note: str = "",
        aggregate_id: UUID | None = None,
    ) -> Unit:
        """``aggregate_id``: an id the caller derived (an importer's); default a new one."""
        parent_kind = parent.kind if parent else None
        if parent_kind not in ALLOWED_PARENTS[kind]:
            allowed = sorted(k or Term("no parent") for k in ALLOWED_PARENTS[kind])
            raise InvalidInput.because(
                "unit_parent_kind",
                field="parent_id",
                kind=kind,
                allowed=allowed,
                parent=parent_kind or Term("no parent"),
            )
        unit: Unit = cls._create_with_id(
            "Registered",
            aggregate_id,
            name=name,
            kind=kind.value,
            parent_id=parent.id if parent else None,
            unit_class=unit_class,
            households=households,
            population=population,
            note=note,
        )
        if parent is not None:
            parent._child_registered(child_id=unit.id)
        return unit

    @event("Registered")
    def __init__(
        self,
        *,
        name: str,
        kind: str,
        parent_id: UUID | None,
        unit_class: int | None,
        households: int | None,
        population: int | None,
        note: str,
    ) -> None:
        self.name = name
        self.kind = UnitKind(kind)
        self.parent_id = parent_id
        self.unit_class = unit_class
        self.households = households
        self.population = population
        self.children: list[UUID] = []
        self.approvals: list[QuotaApproval] = []
        self.dispatch_headcount: dict[int, int] = {}
        self.conversions: dict[int, list[UUID]] = {}
        self.seats: dict[UUID, tuple[Seat, ...]] = {}
        self.counts_records: list[CountsRecord] = []

    @event("ChildRegistered")
    def _child_registered(self, child_id: UUID) -> None:
        self.children.append(child_id)

    # -- quota ---------------------------------------------------------------------
    def approve_quota(
        self, *, quota: int, effective_date: date, document_ref: str, note: str = ""
    ) -> None:
        if quota < 0:
            raise InvalidInput.because("quota_negative", field="quota")
        if not document_ref.strip():
            raise InvalidInput.because("approval_needs_document", field="document_ref")
        self._quota_approved(
            quota=quota, effective_date=effective_date, document_ref=document_ref, note=note
        )

    @event("QuotaApproved")
    def _quota_approved(
        self, quota: int, effective_date: date, document_ref: str, note: str
    ) -> None:
        self.approvals.append(QuotaApproval(quota, effective_date, document_ref))

    def approval_on(self, day: date) -> QuotaApproval | None:
        """The approval in force on ``day``; a later-recorded one wins a tie."""
        in_force = [a for a in self.approvals if a.effective_date <= day]
        # max() keeps the first of equals: look from the latest recorded backwards.
        return max(reversed(in_force), key=lambda a: a.effective_date, default=None)

    def computed_quota(self, policy: Policy, day: date | None = None) -> int | None:
        """The policy's quota for the unit with its counts on ``day`` (None: the latest)."""
        return policy.computed_quota(self.kind, self.unit_class, self.counts_on(day))

    # -- counts (households, grids, population) -----------------------------------------
    def record_counts(
        self,
        *,
        effective_date: date,
        households: int | None = None,
        grids: int | None = None,
        population: int | None = None,
        note: str = "",
    ) -> None:
        """Record what the unit counts from ``effective_date``; a count left None keeps
        its earlier value."""
        given = {"households": households, "grids": grids, "population": population}
        if all(value is None for value in given.values()):
            raise InvalidInput(
                "give at least one of households, grids and population", field="households"
            )
        for name, value in given.items():
            if value is not None and value < 0:
                raise InvalidInput(f"{name} cannot be negative", field=name)
        self._counts_recorded(effective_date=effective_date, note=note, **given)

    @event("CountsRecorded")
    def _counts_recorded(
        self,
        effective_date: date,
        households: int | None,
        grids: int | None,
        population: int | None,
        note: str,
    ) -> None:
        self.counts_records.append(CountsRecord(effective_date, households, grids, population))

    def counts_on(self, day: date | None = None) -> UnitCounts:
        """The counts on ``day`` (None: after every record): those given at registration,
        then each record effective by then in date order (recorded order breaks ties)."""
        households, grids, population = self.households, None, self.population
        records = sorted(
            (r for r in self.counts_records if day is None or r.effective_date <= day),
            key=lambda r: r.effective_date,  # stable: recorded order breaks ties
        )
        for record in records:
            households = record.households if record.households is not None else households
            grids = record.grids if record.grids is not None else grids
            population = record.population if record.population is not None else population
        return UnitCounts(households, grids, population)

    # -- dispatch ---------------------------------------------------------------------
    def report_dispatch_headcount(self, *, year: int, count: int, note: str = "") -> None:
        if count < 0:
            raise InvalidInput.because("headcount_negative", field="count")
        self._dispatch_headcount_reported(year=year, count=count, note=note)

    @event("DispatchHeadcountReported")
    def _dispatch_headcount_reported(self, year: int, count: int, note: str) -> None:
        self.dispatch_headcount[year] = count

    # -- seats ------------------------------------------------------------------------
    def headcount_on(self, day: date) -> int:
        return sum(1 for seats in self.seats.values() if any(s.holds(day) for s in seats))

    def occupants_on(self, day: date) -> list[UUID]:
        return [w for w, seats in self.seats.items() if any(s.holds(day) for s in seats)]

    def assign_seats(
        self,
        *,
        worker_id: UUID,
        placements: Iterable[Placement],
        schedule: PolicySchedule,
        dispatch_conversion_year: int | None = None,
    ) -> None:
        """Set the stretches ``worker_id`` holds a seat here, checking every added day.

        Occupancy only changes at a seat's start or end or a quota's effective
        date, so checking those points within the added stretches checks them all.
        """
        new = tuple(Seat(p.start, p.end) for p in placements if p.unit_id == self.id)
        old = self.seats.get(worker_id, ())
        if new == old and dispatch_conversion_year is None:
            return
        others = [s for w, seats in self.seats.items() if w != worker_id for s in seats]
        points = {s.start for s in new} | {
            day
            for day in (
                *(s.start for s in others),
                *(s.end for s in others if s.end),
                *(a.effective_date for a in self.approvals),
            )
        }
        # One sweep over the others' starts (+1) and ends (-1, ends are exclusive) in date
        # order: counting the others at each point made a hire quadratic in the unit's seats.
        changes = sorted([(s.start, 1) for s in others] + [(s.end, -1) for s in others if s.end])
        occupied, passed = 0, 0
        for day in sorted(points):
            while passed < len(changes) and changes[passed][0] <= day:
                occupied += changes[passed][1]
                passed += 1
            if not _held(new, day) or _held(old, day):
                continue
            approval = self.approval_on(day)
            if approval is None:
                raise NoApprovedQuota.because(
                    "no_approved_quota", field="unit_id", unit=self.name, day=day
                )
            if occupied + 1 > approval.quota:
                raise QuotaExceeded.because(
                    "quota_full",
                    field="unit_id",
                    unit=self.name,
                    occupied=occupied,
                    quota=approval.quota,
                    day=day,
                )
        if dispatch_conversion_year is not None:
            self._check_conversion(dispatch_conversion_year, schedule)
        self._seats_assigned(
            worker_id=worker_id,
            seats=[[s.start, s.end] for s in new],
            dispatch_conversion_year=dispatch_conversion_year,
        )

    def _check_conversion(self, year: int, schedule: PolicySchedule) -> None:
        reported = self.dispatch_headcount.get(year)
        if reported is None:
            raise DispatchConversionRefused.because(
                "no_dispatch_headcount", field="unit_id", unit=self.name, year=year
            )
        policy = schedule.on(date(year, 1, 1))
        limit = policy.dispatch_conversion_limit(reported)
        done = len(self.conversions.get(year, []))
        if done >= limit:
            share = f"{policy.dispatch_conversion_share * 100:g}%"
            raise DispatchConversionRefused.because(
                "dispatch_conversions_used",
                field="channel",
                unit=self.name,
                done=done,
                limit=limit,
                year=year,
                share=share,
                reported=reported,
            )

    @event("SeatsAssigned")
    def _seats_assigned(
        self,
        worker_id: UUID,
        seats: Sequence[Sequence[date | None]],
        dispatch_conversion_year: int | None,
    ) -> None:
        held = tuple(Seat(start, end) for start, end in seats if start is not None)
        if held:
            self.seats[worker_id] = held
        else:
            self.seats.pop(worker_id, None)
        if dispatch_conversion_year is not None:
            self.conversions.setdefault(dispatch_conversion_year, []).append(worker_id)


def _held(seats: tuple[Seat, ...], day: date) -> bool:
    return any(s.holds(day) for s in seats)
