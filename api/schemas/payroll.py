"""The payroll report: one line per paid worker and the month's totals."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from pydantic import Field

from api.schemas.common import PostOut, ResponseModel
from domain.vocabulary import Rating


class PayrollLineOut(ResponseModel):
    worker_id: UUID
    name: str
    unit_id: UUID = Field(description="The unit on the month's first day")
    unit_name: str
    post: PostOut
    post_label: str
    grade: int
    coefficient: Decimal = Field(description="Of the post and grade, 4 decimal places")
    base: Decimal = Field(description="The pay of coefficient 1 in the month's year")
    allowance: Decimal = Field(description="For the highest certificate obtained by month end")
    total: Decimal = Field(description="coefficient x base + allowance, rounded half up")
    city_share: Decimal
    local_share: Decimal = Field(description="Shared by street and community")
    policy_version: int = Field(description="The policy version in force on the first day")
    basic: Decimal | None = Field(
        None, description="The basic part of coefficient x base (all of it without a split)"
    )
    performance: Decimal | None = Field(
        None,
        description="The performance part paid: its share of coefficient x base at the share "
        "the year's rating earns (0 without a split)",
    )
    performance_rating: Rating | None = Field(
        None, description="The year's rating the performance part was paid by; null: none yet"
    )


class PayrollTotalsOut(ResponseModel):
    workers: int
    total: Decimal
    city_share: Decimal
    local_share: Decimal


class PayrollOut(ResponseModel):
    month: str = Field(examples=["2024-01"])
    unit_id: UUID | None = Field(description="The subtree's root; null: every unit")
    known_at: datetime | None = Field(description="As recorded by this time; null: now")
    lines: list[PayrollLineOut]
    totals: PayrollTotalsOut
