"""Workers: the hire and every later fact of a career, and the answers about them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, Field

from api.schemas.common import (
    BirthDate,
    Grade,
    IdNumber,
    LedgerDate,
    Name,
    Note,
    OptionalDocumentRef,
    PostCode,
    PostOut,
    Reason,
    RequestModel,
    ResponseModel,
    ServiceYears,
    Year,
)
from domain.vocabulary import (
    PERSON_GRADE_CHANGE_REASONS,
    CertificateLevel,
    Channel,
    DismissalReason,
    Education,
    Gender,
    GradeChangeReason,
    PostChangeReason,
    Rating,
    WorkerStatus,
)


def _recorded_by_a_person(reason: GradeChangeReason) -> GradeChangeReason:
    if reason not in PERSON_GRADE_CHANGE_REASONS:
        raise ValueError(f"{reason.value} is recorded by the ledger itself, not by a person")
    return reason


PersonGradeChangeReason = Annotated[
    GradeChangeReason,
    AfterValidator(_recorded_by_a_person),
    Field(json_schema_extra={"enum": sorted(r.value for r in PERSON_GRADE_CHANGE_REASONS)}),
]


class HireIn(RequestModel):
    name: Name
    gender: Gender
    birth_date: BirthDate = Field(description="Before hire_date")
    id_number: IdNumber | None = None
    education: Education
    unit_id: UUID
    post: PostCode
    hire_date: LedgerDate
    channel: Channel
    prior_service_years: ServiceYears = 0
    dispatch_service_years: ServiceYears = 0
    grade: Grade | None = Field(None, description="Omit to take the initial grade from the policy")
    note: Note = ""


class AppraisalIn(RequestModel):
    year: Year
    rating: Rating
    effective_date: LedgerDate | None = Field(
        None, description="Not before the year begins; default: 31 December of the year"
    )
    document_ref: OptionalDocumentRef = ""
    note: Note = ""


class AppraisalCorrectionIn(RequestModel):
    rating: Rating
    reason: Reason


class GradeChangeIn(RequestModel):
    grade: Grade
    effective_date: LedgerDate
    reason: PersonGradeChangeReason
    note: Note = ""


class PostChangeIn(RequestModel):
    post: PostCode
    effective_date: LedgerDate
    reason: PostChangeReason
    note: Note = ""


class TransferIn(RequestModel):
    unit_id: UUID
    effective_date: LedgerDate
    note: Note = ""


class EducationIn(RequestModel):
    education: Education
    effective_date: LedgerDate
    note: Note = ""


class CertificateIn(RequestModel):
    level: CertificateLevel
    effective_date: LedgerDate
    note: Note = ""


class DismissalIn(RequestModel):
    effective_date: LedgerDate
    reason: DismissalReason
    document_ref: OptionalDocumentRef = ""
    note: Note = ""


class StepDueOut(ResponseModel):
    effective_date: date
    caused_by_years: list[int]
    policy_version: int


class FlagsOut(ResponseModel):
    promotion_candidate: bool
    dismissal_required: bool
    dismissal_due_date: date | None


class PayOut(ResponseModel):
    month: str
    coefficient: str
    base: str
    allowance: str
    total: str
    city_share: str
    local_share: str
    policy_version: int
    basic: str | None = Field(None, description="The basic part of coefficient x base")
    performance: str | None = Field(
        None, description="The performance part paid (0 without a split)"
    )
    performance_rating: Rating | None = Field(
        None, description="The year's rating the performance part was paid by"
    )


class WorkerOut(ResponseModel):
    worker_id: UUID
    name: str
    gender: Gender
    gender_label: str
    birth_date: date | None = Field(description="Null for a reporter (no personal identifiers)")
    id_number: str | None = Field(
        description="In full for an admin or auditor, masked for a clerk, null for a reporter"
    )
    unit_id: UUID
    post: PostOut
    post_label: str
    grade: int
    education: Education
    education_label: str
    certificate: CertificateLevel | None
    certificate_label: str | None
    channel: Channel
    channel_label: str
    status: WorkerStatus
    status_label: str
    hire_date: date
    dismissal_date: date | None
    step_clock_years: int
    steps_due: list[StepDueOut]
    flags: FlagsOut
    monthly_pay: str | None = Field(description="Yuan, 2 places; null when not paid that month")
    pay: PayOut | None
    as_of: date
    known_at: datetime | None
    version: int


def _absent(value: Any) -> bool:
    return value is None


class HistoryItemOut(ResponseModel):
    type: str = Field(description="The event: Hired, Appraised, GradeStepped, ...")
    type_label: str = Field(description="The event in Chinese: 入职, 年度考核, 晋档, ...")
    effective_date: date | None
    recorded_at: datetime
    recorded_by: str
    request_id: str
    version: int
    unit_id: UUID | None = Field(description="The unit the worker was in when it took effect")
    unit_name: str | None
    from_unit_id: UUID | None = Field(
        None, description="A transfer's unit left", exclude_if=_absent
    )
    from_unit_name: str | None = Field(None, exclude_if=_absent)
    data: dict[str, Any] = Field(
        description="The fact as recorded, with a Chinese label beside each code "
        "(`post_label`, `rating_label`, `reason_label`, ...)"
    )
    caused_by: list[dict[str, Any]] | None = Field(None, exclude_if=_absent)
    corrects: dict[str, Any] | None = Field(None, exclude_if=_absent)


class HistoryOut(ResponseModel):
    items: list[HistoryItemOut]
