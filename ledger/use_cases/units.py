"""Use cases of units: registering them, approving their quota, reading them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.access import Actor
from domain.directory import DIRECTORY_ID, UnitDirectory
from domain.errors import Forbidden, NotFound
from domain.unit import Unit
from domain.vocabulary import UnitKind
from domain.worker import Worker
from ledger import views
from ledger.commands import Context, RecordUnitCounts
from ledger.core import LedgerCore, Result


class UnitUseCases(LedgerCore):
    def register_unit(
        self,
        ctx: Context,
        *,
        name: str,
        kind: UnitKind,
        parent_id: UUID | None,
        unit_class: int | None,
        households: int | None,
        population: int | None,
        note: str = "",
        unit_id: UUID | None = None,
    ) -> Result:
        """``unit_id``: an id the caller derived (the importer's); default a new one."""

        def run() -> tuple[Result, list[Aggregate]]:
            parent = self.get(parent_id, Unit, field="parent_id") if parent_id else None
            if parent is None:
                self._require_admin(ctx.actor, "register a unit without a parent")
            else:
                self._authorize_write(ctx.actor, [parent.id])
            unit = Unit.register(
                name=name,
                kind=kind,
                parent=parent,
                unit_class=unit_class,
                households=households,
                population=population,
                note=note,
                aggregate_id=unit_id,
            )
            if parent is not None:
                changed: list[Aggregate] = [unit, parent]
            else:
                directory = self.directory()
                directory.add_root(unit.id)
                changed = [unit, directory]
            return views.unit(unit, self.schedule(), date.today()), changed

        return self._command(ctx, run)

    def approve_quota(
        self,
        ctx: Context,
        unit_id: UUID,
        *,
        quota: int,
        effective_date: date,
        document_ref: str,
        note: str = "",
    ) -> Result:
        def run() -> tuple[Result, list[Aggregate]]:
            unit = self.get(unit_id, Unit)
            self._authorize_approval(ctx.actor, unit)
            self._require_version(ctx, unit, "unit")
            unit.approve_quota(
                quota=quota, effective_date=effective_date, document_ref=document_ref, note=note
            )
            return views.unit(unit, self.schedule(), effective_date), [unit]

        return self._command(ctx, run)

    def report_dispatch_headcount(
        self, ctx: Context, unit_id: UUID, *, year: int, count: int, note: str = ""
    ) -> Result:
        def run() -> tuple[Result, list[Aggregate]]:
            unit = self.get(unit_id, Unit)
            self._authorize_write(ctx.actor, [unit.id])
            self._require_version(ctx, unit, "unit")
            unit.report_dispatch_headcount(year=year, count=count, note=note)
            result = {"unit_id": str(unit.id), "year": year, "count": count}
            return result, [unit]

        return self._command(ctx, run)

    def record_unit_counts(
        self,
        ctx: Context,
        unit_id: UUID,
        *,
        effective_date: date,
        households: int | None = None,
        grids: int | None = None,
        population: int | None = None,
        note: str = "",
    ) -> Result:
        """Record a unit's households, grids and residents from ``effective_date``; the
        computed quota follows them. Answers the unit as of that date."""
        command = RecordUnitCounts(unit_id, effective_date, households, grids, population, note)

        def run() -> tuple[Result, list[Aggregate]]:
            unit = self.get(command.unit_id, Unit)
            self._authorize_write(ctx.actor, [unit.id])
            self._require_version(ctx, unit, "unit")
            command.apply(unit)
            return views.unit(unit, self.schedule(), command.effective_date), [unit]

        return self._command(ctx, run)

    def _authorize_approval(self, actor: Actor, unit: Unit) -> None:
        """Quotas are approved from above: a clerk approves only units below their own."""
        self._authorize_write(actor, [unit.id])
        if actor.is_scoped and unit.id == actor.unit_id:
            raise Forbidden.because("quota_approved_above")

    # -- queries --------------------------------------------------------------------------
    def list_units(self, actor: Actor, parent_id: UUID | None) -> list[Result]:
        """The top-level units, or the children of ``parent_id``, in registration order."""
        if parent_id is None:
            ids = self.directory().roots
        else:
            parent = self.get(parent_id, Unit, field="parent_id")
            self._authorize_read(actor, [parent.id])
            ids = parent.children
        units = [self.get(unit_id, Unit) for unit_id in ids]
        if actor.is_scoped and actor.unit_id and parent_id is None:
            units = [self.get(actor.unit_id, Unit)]  # a clerk's tree starts at their unit
        return [views.unit_summary(u) for u in units]

    def directory(self) -> UnitDirectory:
        """The list of top-level units."""
        try:
            return self.get(DIRECTORY_ID, UnitDirectory)
        except NotFound:
            return UnitDirectory()  # the first top-level unit opens it

    def unit_view(self, actor: Actor, unit_id: UUID, as_of: date) -> Result:
        unit = self.get(unit_id, Unit)
        self._authorize_read(actor, [unit.id])
        return views.unit(unit, self.schedule(), as_of)

    def quota_usage(self, actor: Actor, unit_id: UUID, as_of: date) -> Result:
        unit = self.get(unit_id, Unit)
        self._authorize_read(actor, [unit.id])
        schedule = self.schedule()
        subtree = list(self.subtree(unit))
        posts = views.posts_on(
            (self.get(w, Worker) for w in unit.occupants_on(as_of)), schedule, as_of
        )
        return views.quota_usage(unit, subtree, posts, as_of, schedule.on(as_of))

    def subtree(self, unit: Unit) -> Iterable[Unit]:
        """The unit and every unit below it."""
        yield unit
        for child_id in unit.children:
            yield from self.subtree(self.get(child_id, Unit))
