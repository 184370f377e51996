"""The monthly payroll with its funding split, as known now or at an earlier time."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from api.csv import table_response
from api.deps import ActorDep, KnownAt, LedgerDep, ReadModelsDep
from api.routers.reports import RESPONSES
from api.schemas.payroll import PayrollOut
from domain.limits import FIRST_YEAR, LAST_YEAR, MONTH_PATTERN
from projections.queries import payroll
from projections.queries.scope import report_root

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get(
    "/payroll",
    response_model=PayrollOut,
    responses=RESPONSES,
    summary="A month's payroll with its city and local shares",
)
def payroll_report(
    request: Request,
    actor: ActorDep,
    ledger: LedgerDep,
    read_models: ReadModelsDep,
    month: Annotated[
        str,
        Query(
            description=f"The month paid, YYYY-MM, in the years {FIRST_YEAR}-{LAST_YEAR}",
            max_length=7,
            pattern=MONTH_PATTERN,
        ),
    ],
    unit_id: Annotated[UUID | None, Query(description="The subtree's root; default all")] = None,
    known_at: KnownAt = None,
) -> Any:
    """One line per worker paid in `month`: the post and grade on the month's first day,
    the coefficient, base and certificate allowance of the policy version in force that
    day, the total and its city and local shares; then the totals. With `known_at`, the
    payroll as it stood on what was recorded by then: compare with today's for arrears.
    A clerk's report covers their own unit's subtree. `Accept: text/csv` gives the lines
    as CSV (UTF-8 with BOM), the .xlsx media type as a workbook; both headers are
    bilingual, each column's Chinese title before its code ("月应发 total")."""
    paid = payroll.parse_month(month)
    store = read_models.store
    root = report_root(store, actor, unit_id)
    if known_at is None:
        found = payroll.lines(store, root, paid, ledger.schedule())
    else:
        found = payroll.lines_as_known(ledger, store, root, paid, known_at)
    table = table_response(request, found, payroll.COLUMNS, f"payroll-{paid}", bilingual=True)
    if table is not None:
        return table
    return {
        "month": paid,
        "unit_id": root,
        "known_at": known_at,
        "lines": found,
        "totals": payroll.totals(found),
    }
