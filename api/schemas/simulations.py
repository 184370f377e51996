"""A simulation's request and answer: a draft policy replayed over the whole history."""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
)

from api.schemas.common import RequestModel, ResponseModel
from domain import limits
from domain.limits import FIRST_YEAR, LAST_YEAR, MONTH_PATTERN
from domain.policy import shipped_packs

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")

Money = Annotated[str, Field(examples=["2620.00"], description="Yuan, 2 decimal places")]
Month = Annotated[str, Field(examples=["2024-01"])]
PackId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=limits.KEY_MAX_LENGTH),
    Field(json_schema_extra={"enum": shipped_packs()}),
]
MonthIn = Annotated[
    str,
    Field(
        examples=["2024-01"],
        json_schema_extra={"pattern": MONTH_PATTERN},
        description=f"YYYY-MM, in the years {FIRST_YEAR}-{LAST_YEAR}",
    ),
]


def _month(value: str) -> str:
    found = _MONTH.fullmatch(value)
    if not found:
        raise ValueError("must be a month written YYYY-MM")
    if not FIRST_YEAR <= int(found[1]) <= LAST_YEAR:
        raise ValueError(f"the month must fall in the years {FIRST_YEAR}-{LAST_YEAR}")
    return value


class SimulationIn(RequestModel):
    policy: dict[str, Any] | PackId = Field(
        description="The draft: a policy document (docs/policy-format.md), or the id of a "
        "shipped pack (`baohe-2020`, `chibi-2020`). In force from its `effective_from` when "
        "it has one, from the start otherwise."
    )
    from_month: MonthIn = Field(examples=["2020-01"], description="The first month compared")
    to_month: MonthIn = Field(
        examples=["2025-12"], description="The last month compared, not before from_month"
    )
    unit_id: UUID | None = Field(
        default=None, description="Only this unit's subtree; default every unit"
    )

    @field_validator("policy", mode="wrap")
    @classmethod
    def _policy(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError:  # one message, not one per member of the union
            raise ValueError(
                "must be a policy document (a JSON object) or the id of a shipped pack"
            ) from None

    @field_validator("from_month")
    @classmethod
    def _from(cls, value: str) -> str:
        return _month(value)

    @field_validator("to_month")
    @classmethod
    def _to(cls, value: str, info: ValidationInfo) -> str:
        _month(value)
        first = info.data.get("from_month")
        if first is not None and value < first:
            raise ValueError("must not come before from_month")
        return value


class PayOut(ResponseModel):
    total: Money
    city_share: Money
    local_share: Money


class ComparedOut(ResponseModel):
    adopted: PayOut = Field(description="Under the adopted policy")
    draft: PayOut = Field(description="Under the draft")
    difference: PayOut = Field(description="Draft minus adopted")


class QuotaOut(ResponseModel):
    approved: int | None = Field(description="Approved quotas in force on to_month's first day")
    computed_adopted: int | None = Field(description="Computed by the adopted policy's formula")
    computed_draft: int | None = Field(description="Computed by the draft's formula")


class TotalsOut(ComparedOut):
    workers_compared: int = Field(description="Paid in some month of the window, or differing")
    workers_affected: int = Field(description="With any difference: pay, grade, step or flag")
    workers_gaining: int
    workers_losing: int
    quota: QuotaOut


class MonthOut(ComparedOut):
    month: Month


class UnitOut(ComparedOut):
    unit_id: UUID
    name: str
    kind: str
    kind_label: str
    parent_id: UUID | None
    workers: int = Field(description="Paid here in some month of the window")
    workers_affected: int = Field(description="Paid differently here in some month")
    quota: QuotaOut


class PayLineOut(ResponseModel):
    unit_id: UUID
    post: str
    post_label: str
    grade: int
    coefficient: str
    base: Money
    allowance: Money
    total: Money
    city_share: Money
    local_share: Money


class PayStretchOut(ResponseModel):
    from_month: Month
    to_month: Month
    months: int
    adopted: PayLineOut | None = Field(description="Null: not paid under the adopted policy")
    draft: PayLineOut | None
    difference: Money = Field(description="Each month: draft total minus adopted total")


class GradeStretchOut(ResponseModel):
    from_: str = Field(alias="from", examples=["2022-01-01"])
    to: str = Field(examples=["2022-12-31"], description="Inclusive")
    post: str
    post_label: str
    adopted_grade: int
    draft_grade: int


class StepsOut(ResponseModel):
    gained: list[str] = Field(description="Step dates under the draft only")
    lost: list[str] = Field(description="Step dates under the adopted policy only")


class FlagChangeOut(ResponseModel):
    flag: str = Field(examples=["promotion_candidate"])
    flag_label: str
    change: str = Field(description="`appears` under the draft, or `vanishes` under it")
    change_label: str
    from_: str = Field(alias="from")
    to: str = Field(description="Inclusive")


class WorkerDifferenceOut(ComparedOut):
    worker_id: UUID
    name: str
    unit_id: UUID = Field(description="Where the first difference falls")
    first_month: Month = Field(description="The first month any difference appears")
    months: list[PayStretchOut]
    grades: list[GradeStretchOut]
    steps: StepsOut
    flags: list[FlagChangeOut]


class DraftOut(ResponseModel):
    id: str
    title: str | None
    in_force_from: str | None = Field(description="Null: the draft governs from the start")


class SimulationOut(ResponseModel):
    policy: DraftOut
    from_month: Month
    to_month: Month
    unit_id: UUID | None
    totals: TotalsOut
    months: list[MonthOut]
    units: list[UnitOut]
    items: list[WorkerDifferenceOut] = Field(description="The differing workers, by worker id")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page of items")
