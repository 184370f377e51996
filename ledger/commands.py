"""What a caller asks the ledger to record: plain data, validated at the edge.

One command dataclass per use case of ``ledger.application.Ledger``. A change to a
worker knows three things, so that no caller repeats them: the worker it changes,
the date whose unit the actor must be allowed to write in (``checked_on``), and
the domain method that records it (``apply``). Every caller (the API, the console,
the CLI, the importer and the seed data) builds these and calls the use case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.access import Actor
from domain.policy import PolicySchedule
from domain.unit import Unit
from domain.vocabulary import (
    CertificateLevel,
    Channel,
    DismissalReason,
    Education,
    GradeChangeReason,
    PostChangeReason,
    Rating,
)
from domain.worker import Person, Worker


@dataclass(frozen=True)
class Context:
    """Who asks, in which request, and the idempotency key if the caller gave one.

    ``if_match``: the versions the caller decided on (HTTP If-Match); a write to a
    worker or unit at another version is refused. None: any version.
    """

    actor: Actor
    request_id: str
    idempotency_key: str | None = None
    fingerprint: str = ""
    if_match: frozenset[int] | None = None


@dataclass(frozen=True)
class Hire:
    """``worker_id``: an id the caller derived (the importer's); default a new one."""

    person: Person
    unit_id: UUID
    post: str  # a post code of the policy in force on the date (the domain checks it)
    education: Education
    channel: Channel
    hire_date: date
    prior_service_years: int = 0
    dispatch_service_years: int = 0
    grade: int | None = None
    note: str = ""
    worker_id: UUID | None = None


class WorkerChange:
    """A later fact of one worker's career (every command below)."""

    worker_id: UUID

    def checked_on(self, worker: Worker) -> date:
        """The actor must be allowed to write in the worker's unit on this date."""
        raise NotImplementedError

    @property
    def also_in_units(self) -> tuple[UUID, ...]:
        """Other units the actor must be allowed to write in (a transfer's target)."""
        return ()

    def apply(self, worker: Worker, schedule: PolicySchedule) -> None:
        """Record the fact on the worker; the domain checks the whole timeline."""
        raise NotImplementedError


@dataclass(frozen=True)
class Appraise(WorkerChange):
    worker_id: UUID
    year: int
    rating: Rating
    effective_date: date | None = None
    document_ref: str = ""
    note: str = ""

    def checked_on(self, worker: Worker) -> date:
        return self.effective_date or worker.default_appraisal_date(self.year)

    def apply(self, worker: Worker, schedule: PolicySchedule) -> None:
        worker.record_appraisal(
            year=self.year,
            rating=self.rating,
            effective_date=self.effective_date,
            document_ref=self.document_ref,
            note=self.note,
            schedule=schedule,
        )


@dataclass(frozen=True)
class CorrectAppraisal(WorkerChange):
    """The earlier rating stays on record; the correction points at it."""

    worker_id: UUID
    year: int
    rating: Rating
    reason: str

    def checked_on(self, worker: Worker) -> date:
        return worker.appraisal_date(self.year)

    def apply(self, worker: Worker, schedule: PolicySchedule) -> None:
        worker.correct_appraisal(
            year=self.year, rating=self.rating, reason=self.reason, schedule=schedule
        )


@dataclass(frozen=True)
class ChangeGrade(WorkerChange):
    """Only the reasons a person gives; steps and education upgrades are derived."""

    worker_id: UUID
    grade: int
    effective_date: date
    reason: GradeChangeReason
    note: str = ""

    def checked_on(self, worker: Worker) -> date:
        return self.effective_date

    def apply(self, worker: Worker, schedule: PolicySchedule) -> None:
        worker.change_grade(
            grade=self.grade,
            effective_date=self.effective_date,
            reason=self.reason,
            note=self.note,
            schedule=schedule,
        )


@dataclass(frozen=True)
class ChangePost(WorkerChange):
    """The grade is kept, clamped into the new post's range."""

    worker_id: UUID
    post: str  # a post code of the policy in force on the date (the domain checks it)
    effective_date: date
    reason: PostChangeReason
    note: str = ""

    def checked_on(self, worker: Worker) -> date:
        return self.effective_date

    def apply(self, worker: Worker, schedule: PolicySchedule) -> None:
        worker.change_post(
            post=self.post,
            effective_date=self.effective_date,
            reason=self.reason,
            note=self.note,
            schedule=schedule,
        )


@dataclass(frozen=True)
class Transfer(WorkerChange):
    """Needs a free seat in the new unit; the actor must be allowed to write in both."""

    worker_id: UUID
    unit_id: UUID
    effective_date: date
    note: str = ""

    def checked_on(self, worker: Worker) -> date:
        return self.effective_date

    @property
    def also_in_units(self) -> tuple[UUID, ...]:
        return (self.unit_id,)

    def apply(self, worker: Worker, schedule: PolicySchedule) -> None:
        worker.transfer(
            unit_id=self.unit_id,
            effective_date=self.effective_date,
            note=self.note,
            schedule=schedule,
        )


@dataclass(frozen=True)
class UpgradeEducation(WorkerChange):
    """The grade rises as the policy's education rule says."""

    worker_id: UUID
    education: Education
    effective_date: date
    note: str = ""

    def checked_on(self, worker: Worker) -> date:
        return self.effective_date

    def apply(self, worker: Worker, schedule: PolicySchedule) -> None:
        worker.upgrade_education(
            education=self.education,
            effective_date=self.effective_date,
            note=self.note,
            schedule=schedule,
        )


@dataclass(frozen=True)
class AddCertificate(WorkerChange):
    worker_id: UUID
    level: CertificateLevel
    effective_date: date
    note: str = ""

    def checked_on(self, worker: Worker) -> date:
        return self.effective_date

    def apply(self, worker: Worker, schedule: PolicySchedule) -> None:
        worker.obtain_certificate(
            level=self.level,
            effective_date=self.effective_date,
            note=self.note,
            schedule=schedule,
        )


@dataclass(frozen=True)
class Dismiss(WorkerChange):
    """Frees the worker's seat from the dismissal date."""

    worker_id: UUID
    effective_date: date
    reason: DismissalReason
    document_ref: str = ""
    note: str = ""

    def checked_on(self, worker: Worker) -> date:
        return self.effective_date

    def apply(self, worker: Worker, schedule: PolicySchedule) -> None:
        worker.dismiss(
            effective_date=self.effective_date,
            reason=self.reason,
            document_ref=self.document_ref,
            note=self.note,
            schedule=schedule,
        )


@dataclass(frozen=True)
class ApplySteps(WorkerChange):
    """Record every step due by ``as_of`` (derived facts, with their causes)."""

    worker_id: UUID
    as_of: date

    def checked_on(self, worker: Worker) -> date:
        return self.as_of

    def apply(self, worker: Worker, schedule: PolicySchedule) -> None:
        worker.apply_due_steps(self.as_of, schedule)


@dataclass(frozen=True)
class RecordUnitCounts:
    """A unit's households, grids and residents from ``effective_date`` (None: unchanged):
    what the policy's quota formula reads."""

    unit_id: UUID
    effective_date: date
    households: int | None = None
    grids: int | None = None
    population: int | None = None
    note: str = ""

    def apply(self, unit: Unit) -> None:
        unit.record_counts(
            effective_date=self.effective_date,
            households=self.households,
            grids=self.grids,
            population=self.population,
            note=self.note,
        )
