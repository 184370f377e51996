"""The appraisal rules' outcomes: steps due, promotion candidates, dismissals required."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from api.schemas.common import LedgerDate, PostOut, RequestModel, ResponseModel
from domain.vocabulary import Rating


class AppraisalYearOut(ResponseModel):
    year: int
    rating: Rating
    rating_label: str


class RuleWorkerOut(ResponseModel):
    worker_id: UUID
    name: str
    unit_id: UUID = Field(description="The worker's unit on `as_of`")
    post: PostOut
    post_label: str
    grade: int = Field(description="The grade on `as_of`")


class StepDueOut(RuleWorkerOut):
    new_grade: int = Field(description="The grade on `as_of` once this step is recorded")
    effective_date: date = Field(description="1 January after the third qualifying year")
    caused_by: list[AppraisalYearOut]
    policy_version: int = Field(description="The policy version in force on `effective_date`")


class StepsDueOut(ResponseModel):
    as_of: date
    unit_id: UUID | None = Field(description="The subtree's root; null: every unit")
    items: list[StepDueOut]


class ApplyStepsIn(RequestModel):
    as_of: LedgerDate = Field(description="Record every step due on or before this date")
    unit_id: UUID | None = Field(None, description="Only that unit's subtree; default all")


class StepAppliedOut(StepDueOut):
    rule: str = Field(description="The step rule: `grade_step`, named by `interval_years`")
    interval_years: int = Field(
        description="Qualifying years per step under the policy in force on `effective_date`"
    )
    rule_label: str = Field(description="The rule's Chinese name by its interval: 三年晋档")


class ApplyStepsOut(ResponseModel):
    as_of: date
    unit_id: UUID | None
    applied: list[StepAppliedOut]
    count: int


class PromotionCandidateOut(RuleWorkerOut):
    since: date = Field(description="The appraisal date of the third consecutive excellent year")
    excellent_years: list[AppraisalYearOut]


class PromotionCandidatesOut(ResponseModel):
    as_of: date
    unit_id: UUID | None
    items: list[PromotionCandidateOut]


class DismissalRequiredOut(RuleWorkerOut):
    since: date = Field(description="The appraisal date of the second unqualified year")
    due_date: date = Field(description="By when the dismissal should be recorded")
    overdue: bool = Field(description="`due_date` is before `as_of`")
    unqualified_years: list[AppraisalYearOut]


class DismissalsRequiredOut(ResponseModel):
    as_of: date
    unit_id: UUID | None
    items: list[DismissalRequiredOut]
