"""Use cases of workers: the hire and every later fact of a career, and reading them.

Seats follow placements (ADR 0003), and this module is that rule's one home: a
change that moves a worker's placements re-assigns the seats of exactly the units
whose placements changed, in the same save as the worker (``_sync_seats``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.access import Actor
from domain.errors import LedgerError, RuleViolation
from domain.policy import PolicySchedule
from domain.timeline import Placement
from domain.unit import Unit
from domain.vocabulary import Channel, step_rule_label
from domain.worker import Worker
from ledger import views
from ledger.commands import (
    AddCertificate,
    ApplySteps,
    Appraise,
    ChangeGrade,
    ChangePost,
    Context,
    CorrectAppraisal,
    Dismiss,
    Hire,
    Transfer,
    UpgradeEducation,
    WorkerChange,
)
from ledger.core import LedgerCore, Result, recorded_at

# ``@event`` makes the event classes at class creation, out of the type checker's sight.
STEPPED = Worker.GradeStepped


class WorkerUseCases(LedgerCore):
    def hire(self, ctx: Context, cmd: Hire) -> Result:
        def run() -> tuple[Result, list[Aggregate]]:
            schedule = self.schedule()
            unit = self.get(cmd.unit_id, Unit, field="unit_id")
            self._authorize_write(ctx.actor, [unit.id])
            worker = Worker.hire(
                person=cmd.person,
                unit_id=cmd.unit_id,
                post=cmd.post,
                education=cmd.education,
                channel=cmd.channel,
                hire_date=cmd.hire_date,
                schedule=schedule,
                prior_service_years=cmd.prior_service_years,
                dispatch_service_years=cmd.dispatch_service_years,
                grade=cmd.grade,
                note=cmd.note,
                aggregate_id=cmd.worker_id,
            )
            conversion = cmd.hire_date.year if cmd.channel is Channel.DISPATCH_CONVERSION else None
            batch = self._batch()
            if batch is not None and batch.whole_careers:  # set by settle_seats
                converted = (unit.id, conversion) if conversion is not None else None
                batch.seats_from[worker.id] = ((), converted)
            else:
                unit.assign_seats(
                    worker_id=worker.id,
                    placements=worker.state(schedule).placements,
                    schedule=schedule,
                    dispatch_conversion_year=conversion,
                )
            return self._answer(worker, schedule, cmd.hire_date), [worker, unit]

        return self._command(ctx, run)

    # -- one use case per later fact; all run through _change ---------------------------
    def appraise(self, ctx: Context, cmd: Appraise) -> Result:
        return self._change(ctx, cmd)

    def correct_appraisal(self, ctx: Context, cmd: CorrectAppraisal) -> Result:
        return self._change(ctx, cmd)

    def change_grade(self, ctx: Context, cmd: ChangeGrade) -> Result:
        return self._change(ctx, cmd)

    def change_post(self, ctx: Context, cmd: ChangePost) -> Result:
        return self._change(ctx, cmd)

    def transfer(self, ctx: Context, cmd: Transfer) -> Result:
        self.get(cmd.unit_id, Unit, field="unit_id")
        return self._change(ctx, cmd)

    def upgrade_education(self, ctx: Context, cmd: UpgradeEducation) -> Result:
        return self._change(ctx, cmd)

    def add_certificate(self, ctx: Context, cmd: AddCertificate) -> Result:
        return self._change(ctx, cmd)

    def dismiss(self, ctx: Context, cmd: Dismiss) -> Result:
        return self._change(ctx, cmd)

    def apply_steps(self, ctx: Context, cmd: ApplySteps) -> Result:
        return self._change(ctx, cmd)

    def apply_listed_steps(
        self, ctx: Context, listed: Sequence[Mapping[str, Any]], as_of: date, unit_id: str | None
    ) -> Result:
        """Record the due steps of every listed worker (``worker_id``, ``effective_date``);
        answer the listed steps that were recorded.

        Each worker is its own unit of work, so one refusal (a change racing the
        batch) leaves that worker's step due and listed without undoing the rest.
        With an idempotency key the answer is kept under it like any write's.
        """

        def run() -> tuple[Result, list[Aggregate]]:
            by_worker: dict[str, list[Mapping[str, Any]]] = {}
            for item in listed:
                by_worker.setdefault(str(item["worker_id"]), []).append(item)
            applied: list[dict[str, Any]] = []
            single = replace(ctx, idempotency_key=None, if_match=None)
            for worker_id, items in by_worker.items():
                key = UUID(worker_id)
                before = self.last_version(key)
                try:
                    self.apply_steps(single, ApplySteps(key, as_of))
                except RuleViolation:
                    continue
                recorded = {
                    str(e.effective_date): {
                        "rule": e.rule,
                        "interval_years": e.interval_years,
                        "rule_label": step_rule_label(e.interval_years),
                    }
                    for e in self.events.get(key, gt=before)
                    if isinstance(e, STEPPED)
                }
                applied += [
                    {**i, **recorded[i["effective_date"]]}
                    for i in items
                    if i["effective_date"] in recorded
                ]
            answer = {
                "as_of": as_of.isoformat(),
                "unit_id": unit_id,
                "applied": applied,
                "count": len(applied),
            }
            return answer, []

        if ctx.idempotency_key is None:
            return run()[0]
        return self._command(ctx, run)

    def _change(self, ctx: Context, cmd: WorkerChange) -> Result:
        """Run one change on a worker and keep the units' seats in step with it."""

        def run() -> tuple[Result, list[Aggregate]]:
            schedule = self.schedule()
            worker = self.get(cmd.worker_id, Worker)
            self._require_version(ctx, worker, "worker")
            on = cmd.checked_on(worker)
            before = worker.state(schedule)
            # The unit on the change's date matters only to a clerk's scope: replay for them.
            here = [worker.state(schedule, on).unit_id] if ctx.actor.is_scoped else []
            self._authorize_write(ctx.actor, [*here, *cmd.also_in_units])
            cmd.apply(worker, schedule)
            batch = self._batch()
            if batch is not None and batch.whole_careers:  # set by settle_seats
                batch.seats_from.setdefault(worker.id, (before.placements, None))
                return self._answer(worker, schedule, on), [worker]
            after = worker.state(schedule)
            units = self._sync_seats(worker, before.placements, after.placements, schedule)
            return self._answer(worker, schedule, on), [worker, *units]

        return self._command(ctx, run)

    def settle_seats(self, ctx: Context, worker_id: UUID) -> list[tuple[UUID, LedgerError]]:
        """In a whole-careers batch: set the seats of each unit the worker's changes in
        the batch moved it in or out of, once, from its final placements. Answer the
        refusals (unit, error); after one, the batch can no longer be recorded."""
        batch = self._batch()
        if batch is None or not batch.whole_careers:
            raise RuntimeError("seats are settled only in a whole-careers batch")
        deferred = batch.seats_from.pop(worker_id, None)
        if deferred is None:
            return []
        before, converted = deferred
        refused: list[tuple[UUID, LedgerError]] = []

        def run() -> tuple[Result, list[Aggregate]]:
            schedule = self.schedule()
            worker = self.get(worker_id, Worker)
            after = worker.state(schedule).placements
            units = self._sync_seats(worker, before, after, schedule, converted, refused)
            return {"worker_id": str(worker_id)}, list(units)

        self._command(ctx, run)
        if refused:
            batch.broken = True
        return refused

    def _sync_seats(
        self,
        worker: Worker,
        before: Iterable[Placement],
        after: Iterable[Placement],
        schedule: PolicySchedule,
        converted: tuple[UUID, int] | None = None,
        refused: list[tuple[UUID, LedgerError]] | None = None,
    ) -> list[Unit]:
        """Seats follow placements: re-assign the seats of each unit whose placements
        of this worker changed (and of the unit it was converted into from dispatch in
        ``converted``'s year); answer those units. With ``refused``, a unit's refusal is
        added there and the other units are still set; without, it is raised."""
        before, after = tuple(before), tuple(after)
        if before == after and converted is None:
            return []
        changed = []
        for unit_id in sorted({p.unit_id for p in (*before, *after)}):
            mine_before = [p for p in before if p.unit_id == unit_id]
            mine_after = [p for p in after if p.unit_id == unit_id]
            year = converted[1] if converted and converted[0] == unit_id else None
            if mine_before == mine_after and year is None:
                continue
            unit = self.get(unit_id, Unit, field="unit_id")
            try:
                unit.assign_seats(
                    worker_id=worker.id,
                    placements=mine_after,
                    schedule=schedule,
                    dispatch_conversion_year=year,
                )
            except LedgerError as error:
                if refused is None:
                    raise
                refused.append((unit_id, error))
                continue
            changed.append(unit)
        return changed

    def _answer(self, worker: Worker, schedule: PolicySchedule, as_of: date) -> Result:
        """The worker's view on the change's date; in a batch only the id, since nobody
        reads a batch's answers and the view costs a whole replay."""
        if self._batch() is not None:
            return {"worker_id": str(worker.id)}
        return views.worker(worker, schedule, as_of, known_at=None)

    # -- queries --------------------------------------------------------------------------
    def worker_view(
        self, actor: Actor, worker_id: UUID, as_of: date, known_at: datetime | None
    ) -> Result:
        worker = self.load(worker_id, Worker, known_at)
        schedule = self.schedule(known_at)
        self._authorize_read(actor, [worker.state(schedule, as_of).unit_id])
        # Whole: what of the person each role may see is the API's to decide (api/personal.py).
        return views.worker(worker, schedule, as_of, known_at=known_at)

    def worker_history(
        self, actor: Actor, worker_id: UUID, known_at: datetime | None
    ) -> list[Result]:
        worker = self.load(worker_id, Worker, known_at)
        self._authorize_read(actor, [p.unit_id for p in worker.state(self.schedule()).placements])
        events = [
            e for e in self.events.get(worker_id) if known_at is None or recorded_at(e) <= known_at
        ]
        return views.history(events)
