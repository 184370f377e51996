"""Reports answered from the read models: the roster and quota usage."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from api.schemas.common import PostOut, ResponseModel
from domain.vocabulary import CertificateLevel, Education, UnitKind, WorkerStatus


class RosterItemOut(ResponseModel):
    worker_id: UUID
    name: str
    unit_id: UUID
    unit_name: str | None
    post: PostOut
    post_label: str
    grade: int
    education: Education
    education_label: str
    certificate: CertificateLevel | None
    certificate_label: str | None
    status: WorkerStatus
    status_label: str
    hire_date: date


class RosterOut(ResponseModel):
    items: list[RosterItemOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: last")


class SubtreeTotalsOut(ResponseModel):
    units: int
    approved_quota: int = Field(description="Units without an approval count 0")
    headcount: int
    headroom: int


class QuotaUsageRowOut(ResponseModel):
    unit_id: UUID
    name: str
    kind: UnitKind
    kind_label: str
    parent_id: UUID | None
    unit_class: int | None = Field(alias="class")
    approved_quota: int | None = Field(description="The approval in force on `as_of`")
    headcount: int = Field(description="Active workers on `as_of`")
    headroom: int | None
    by_post: dict[str, int] = Field(
        description="Active headcount by post, keyed by the codes of the policy in force on `as_of`"
    )
    quota_review_due: date | None = Field(
        description="The latest approval's date plus the policy's review interval"
    )
    subtree: SubtreeTotalsOut


class QuotaTotalsOut(SubtreeTotalsOut):
    by_post: dict[str, int] = Field(
        description="Active headcount by post, keyed by the codes of the policy in force on `as_of`"
    )


class QuotaUsageReportOut(ResponseModel):
    as_of: date
    unit_id: UUID | None = Field(description="The subtree's root; null: every unit")
    items: list[QuotaUsageRowOut]
    totals: QuotaTotalsOut
    by_post_labels: dict[str, str] = Field(
        description="Each post code of the policy in force on `as_of` to its Chinese label"
    )
