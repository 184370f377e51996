"""The appraisal rules: three-year steps due (and applying them), promotion candidates and
dismissals required, each on a date, answered from the rule-outcome read models."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from api import problems
from api.csv import TABLE_CONTENT, table_response
from api.deps import ActorDep, AsOf, ContextDep, LedgerDep, ReadModelsDep
from api.schemas.rules import (
    ApplyStepsIn,
    ApplyStepsOut,
    DismissalsRequiredOut,
    PromotionCandidatesOut,
    StepsDueOut,
)
from domain.access import Actor
from domain.errors import Forbidden
from domain.policy import PolicySchedule
from projections.queries import rules
from projections.queries.scope import report_root
from projections.sql import ReadStore

router = APIRouter(tags=["rules"])

READ_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **problems.responses(401, 403, 404, 422, 503),
    200: {"content": TABLE_CONTENT},
}
WRITE_PROBLEMS = problems.responses(401, 403, 404, 409, 422, 503)

SubtreeRoot = Annotated[UUID | None, Query(description="The subtree's root; default all")]
Finder = Callable[[ReadStore, str | None, date, PolicySchedule], list[dict[str, Any]]]

WHO = ("worker_id", "name", "unit_id", "post", "post_label", "grade")
STEP_COLUMNS = (*WHO, "new_grade", "effective_date", "caused_by", "policy_version")
PROMOTION_COLUMNS = (*WHO, "since", "excellent_years")
DISMISSAL_COLUMNS = (*WHO, "since", "due_date", "overdue", "unqualified_years")


@router.get(
    "/rules/grade-steps",
    response_model=StepsDueOut,
    responses=READ_PROBLEMS,
    summary="Three-year steps due and not yet recorded",
)
def grade_steps(
    request: Request,
    actor: ActorDep,
    ledger: LedgerDep,
    read_models: ReadModelsDep,
    unit_id: SubtreeRoot = None,
    as_of: AsOf = None,
) -> Any:
    """Every step due on or before `as_of` that nobody has recorded, with the appraisals
    that cause it (year and rating) and the policy version in force on its date. A worker
    can have several. A clerk's list covers their own unit's subtree."""
    return _report(
        request, actor, ledger, read_models, unit_id, as_of, rules.steps_due, STEP_COLUMNS
    )


@router.post(
    "/rules/grade-steps/apply",
    response_model=ApplyStepsOut,
    responses=WRITE_PROBLEMS,
    summary="Record every step due by a date",
)
def apply_grade_steps(
    body: ApplyStepsIn, ctx: ContextDep, ledger: LedgerDep, read_models: ReadModelsDep
) -> Any:
    """Records each step due on or before `as_of` as a derived `GradeStepped` fact with the
    rule, the policy version and the causing appraisal years, and answers what it recorded.
    Applying again records nothing new. Admin, or a clerk within their subtree."""
    if not ctx.actor.can_write:
        raise Forbidden.because("role_reads_only", role=ctx.actor.role)
    root = report_root(read_models.store, ctx.actor, body.unit_id)

    # Labelled as ``GET /rules/grade-steps`` labels them: the answer shows what was listed.
    listed = rules.steps_due(read_models.store, root, body.as_of, ledger.schedule())
    return ledger.apply_listed_steps(ctx, listed, body.as_of, root)


@router.get(
    "/reports/promotion-candidates",
    response_model=PromotionCandidatesOut,
    responses=READ_PROBLEMS,
    summary="Priority-promotion candidates on a date",
)
def promotion_candidates(
    request: Request,
    actor: ActorDep,
    ledger: LedgerDep,
    read_models: ReadModelsDep,
    unit_id: SubtreeRoot = None,
    as_of: AsOf = None,
) -> Any:
    """Workers rated excellent three consecutive years since their last promotion, below
    the top post, with the date the flag was raised and the excellent years."""
    finder = rules.promotion_candidates
    return _report(request, actor, ledger, read_models, unit_id, as_of, finder, PROMOTION_COLUMNS)


@router.get(
    "/reports/dismissals-required",
    response_model=DismissalsRequiredOut,
    responses=READ_PROBLEMS,
    summary="Dismissals the rules require on a date",
)
def dismissals_required(
    request: Request,
    actor: ActorDep,
    ledger: LedgerDep,
    read_models: ReadModelsDep,
    unit_id: SubtreeRoot = None,
    as_of: AsOf = None,
) -> Any:
    """Workers rated unqualified two consecutive years and not yet dismissed, with the
    date the flag was raised, the due date and the unqualified years."""
    finder = rules.dismissals_required
    return _report(request, actor, ledger, read_models, unit_id, as_of, finder, DISMISSAL_COLUMNS)


def _report(
    request: Request,
    actor: Actor,
    ledger: Any,
    read_models: Any,
    unit_id: UUID | None,
    as_of: date | None,
    finder: Finder,
    columns: Sequence[str],
) -> Any:
    day = as_of or date.today()
    store = read_models.store
    root = report_root(store, actor, unit_id)
    # Posts are labelled as the version in force on the day names them.
    items = finder(store, root, day, ledger.schedule())
    name = request.url.path.rsplit("/", 1)[-1]
    if (table := table_response(request, map(_flat, items), columns, f"{name}-{day}")) is not None:
        return table
    return {"as_of": day, "unit_id": root, "items": items}


def _flat(item: dict[str, Any]) -> dict[str, Any]:
    """Appraisal years as one cell: ``2021 excellent 优秀; 2022 ...``."""
    return {
        key: "; ".join(f"{y['year']} {y['rating']} {y['rating_label']}" for y in value)
        if isinstance(value, list)
        else value
        for key, value in item.items()
    }
