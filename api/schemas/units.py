"""Units, their quota approvals and dispatch headcounts."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import ConfigDict, Field

from api.schemas.common import (
    DocumentRef,
    Headcount,
    LedgerDate,
    Name,
    Note,
    Population,
    RequestModel,
    ResponseModel,
    UnitClass,
    Year,
)
from domain.vocabulary import UnitKind


class UnitIn(RequestModel):
    # Stated in the document: a district has no parent, every other kind has one. Which
    # kind of parent (domain.unit.ALLOWED_PARENTS) depends on the parent: refused 422.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"kind": {"const": UnitKind.DISTRICT.value}}},
            "then": {"properties": {"parent_id": {"type": "null"}}},
            "else": {
                "required": ["parent_id"],
                "properties": {"parent_id": {"type": "string", "format": "uuid"}},
            },
        }
    )

    name: Name
    kind: UnitKind
    parent_id: UUID | None = Field(
        None,
        description="Required for every kind but a district: a district for a street "
        "office, a street office for a community",
    )
    unit_class: UnitClass | None = Field(
        None, alias="class", description="1, 2 or 3 by area and population"
    )
    households: Population | None = None
    population: Population | None = None
    note: Note = ""


class QuotaApprovalIn(RequestModel):
    quota: Headcount
    effective_date: LedgerDate
    document_ref: DocumentRef = Field(description="The approving document number (文号)")
    note: Note = ""


class UnitCountsIn(RequestModel):
    # Stated in the document: at least one count given, as a number (null leaves it as is).
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": [count], "properties": {count: {"type": "integer"}}}
                for count in ("households", "grids", "population")
            ]
        }
    )

    effective_date: LedgerDate = Field(description="The date the counts are true from")
    households: Population | None = Field(None, description="Households (户数); null: unchanged")
    grids: Population | None = Field(None, description="Grids (网格数); null: unchanged")
    population: Population | None = Field(None, description="Residents (常住人口); null: unchanged")
    note: Note = ""


class DispatchHeadcountIn(RequestModel):
    count: Headcount
    year: Year
    note: Note = ""


class ApprovalOut(ResponseModel):
    quota: int
    effective_date: date
    document_ref: str


class UnitOut(ResponseModel):
    unit_id: UUID
    name: str
    kind: UnitKind
    kind_label: str
    parent_id: UUID | None
    unit_class: int | None = Field(alias="class")
    households: int | None = Field(description="Households on `as_of`")
    grids: int | None = Field(None, description="Grids on `as_of`")
    population: int | None = Field(description="Residents on `as_of`")
    children: list[UUID]
    computed_quota: int | None
    approved_quota: int | None
    approval: ApprovalOut | None
    quota_review_due: date | None
    headcount: int
    headroom: int | None
    dispatch_headcount: dict[str, int] = Field(description="Reported count by year")
    as_of: date
    version: int


class DispatchHeadcountOut(ResponseModel):
    unit_id: UUID
    year: int
    count: int


class SubtreeUsageOut(ResponseModel):
    units: int
    approved_quota: int
    headcount: int
    headroom: int


class QuotaUsageOut(ResponseModel):
    unit_id: UUID
    name: str
    as_of: date
    approved_quota: int | None
    headcount: int
    headroom: int | None
    by_post: dict[str, int] = Field(
        description="Active headcount by post, keyed by the codes of the policy in force on `as_of`"
    )
    by_post_labels: dict[str, str] = Field(
        description="Each post code of the policy in force on `as_of` to its Chinese label"
    )
    subtree: SubtreeUsageOut


class UnitSummaryOut(ResponseModel):
    unit_id: UUID
    name: str
    kind: UnitKind
    kind_label: str
    parent_id: UUID | None
    unit_class: int | None = Field(alias="class")
    children: int = Field(description="How many units sit directly below")


class UnitListOut(ResponseModel):
    items: list[UnitSummaryOut]
    next_cursor: str | None = None
