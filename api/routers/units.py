"""Units: registration, quota approvals, dispatch headcounts, state and quota usage."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from api import problems
from api.deps import ActorDep, AsOf, ContextDep, LedgerDep, ReadModelsDep, etag
from api.schemas.units import (
    DispatchHeadcountIn,
    DispatchHeadcountOut,
    QuotaApprovalIn,
    QuotaUsageOut,
    UnitCountsIn,
    UnitIn,
    UnitListOut,
    UnitOut,
)
from projections.queries import quota
from projections.queries.scope import report_root

router = APIRouter(prefix="/units", tags=["units"])

WRITE_PROBLEMS = problems.responses(401, 403, 404, 409, 422, 503)
READ_PROBLEMS = problems.responses(401, 403, 404, 422, 503)


@router.get("", response_model=UnitListOut, responses=READ_PROBLEMS)
def list_units(actor: ActorDep, ledger: LedgerDep, parent_id: UUID | None = None) -> dict[str, Any]:
    """The top-level units (districts), or the children of ``parent_id``: where to start
    walking the unit tree. A clerk's list starts at the clerk's own unit."""
    return {"items": ledger.list_units(actor, parent_id), "next_cursor": None}


@router.post("", status_code=201, response_model=UnitOut, responses=WRITE_PROBLEMS)
def register_unit(body: UnitIn, ctx: ContextDep, ledger: LedgerDep) -> dict[str, Any]:
    """Register a district (admins only), a street office under a district, or a community
    under a street office."""
    return ledger.register_unit(
        ctx,
        name=body.name,
        kind=body.kind,
        parent_id=body.parent_id,
        unit_class=body.unit_class,
        households=body.households,
        population=body.population,
        note=body.note,
    )


@router.post(
    "/{unit_id}/quota-approvals",
    status_code=201,
    response_model=UnitOut,
    responses=WRITE_PROBLEMS,
)
def approve_quota(
    unit_id: UUID, body: QuotaApprovalIn, ctx: ContextDep, ledger: LedgerDep
) -> dict[str, Any]:
    """Record an approved quota (员额) decision; a clerk approves only units below their own."""
    return ledger.approve_quota(
        ctx,
        unit_id,
        quota=body.quota,
        effective_date=body.effective_date,
        document_ref=body.document_ref,
        note=body.note,
    )


@router.post(
    "/{unit_id}/counts",
    status_code=201,
    response_model=UnitOut,
    responses=WRITE_PROBLEMS,
)
def record_unit_counts(
    unit_id: UUID, body: UnitCountsIn, ctx: ContextDep, ledger: LedgerDep
) -> dict[str, Any]:
    """Record the unit's households, grids and residents from a date (a count left out
    keeps its earlier value): the computed quota follows them. Answers the unit on that
    date."""
    return ledger.record_unit_counts(
        ctx,
        unit_id,
        effective_date=body.effective_date,
        households=body.households,
        grids=body.grids,
        population=body.population,
        note=body.note,
    )


@router.post(
    "/{unit_id}/dispatch-headcount",
    status_code=201,
    response_model=DispatchHeadcountOut,
    responses=WRITE_PROBLEMS,
)
def report_dispatch_headcount(
    unit_id: UUID, body: DispatchHeadcountIn, ctx: ContextDep, ledger: LedgerDep
) -> dict[str, Any]:
    """Report a year's labour-dispatch headcount, which bounds that year's conversions."""
    return ledger.report_dispatch_headcount(
        ctx, unit_id, year=body.year, count=body.count, note=body.note
    )


@router.get("/{unit_id}", response_model=UnitOut, responses=READ_PROBLEMS)
def get_unit(
    unit_id: UUID, actor: ActorDep, ledger: LedgerDep, response: Response, as_of: AsOf = None
) -> Any:
    """The `ETag` is the unit's version, for `If-Match` on its quota approvals and
    dispatch headcounts."""
    found = ledger.unit_view(actor, unit_id, as_of or date.today())
    response.headers["ETag"] = etag(found["version"])
    return found


@router.get("/{unit_id}/quota-usage", response_model=QuotaUsageOut, responses=READ_PROBLEMS)
def get_quota_usage(
    unit_id: UUID,
    actor: ActorDep,
    ledger: LedgerDep,
    read_models: ReadModelsDep,
    as_of: AsOf = None,
) -> Any:
    """Approved quota, headcount and headroom of the unit, by post (the posts of the policy
    in force on `as_of`), and of its whole subtree."""
    store = read_models.store
    report_root(store, actor, unit_id, field=None)  # 404 or 403 before any counting
    return quota.unit_usage(store, str(unit_id), as_of or date.today(), ledger.schedule())
