"""Simulations: the whole history replayed under a draft policy, compared with the adopted one.

Nothing is recorded and nothing is kept between requests: each request (each page)
replays the history again, so any server answers any page. Pages are cut by worker id,
which the replay visits in order, so a page is the same whichever server answers it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from api import problems
from api.csv import TABLE_CONTENT, table_response, wants_csv, wants_xlsx
from api.deps import ActorDep, LedgerDep, fresh_read_store
from api.schemas.simulations import SimulationIn, SimulationOut
from ledger.policies import resolve
from projections.simulation import Draft, Outcome, report, simulate, simulation_root, spool_folder

router = APIRouter(tags=["policy"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    **problems.responses(401, 403, 404, 422, 503),
    200: {"content": TABLE_CONTENT},
}
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000


@router.post(
    "/simulations",
    response_model=SimulationOut,
    responses=RESPONSES,
    summary="Replay the history under a draft policy and compare",
)
def run_simulation(
    request: Request,
    body: SimulationIn,
    actor: ActorDep,
    ledger: LedgerDep,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Differing workers per page")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        UUID | None, Query(description="The `next_cursor` of the previous page")
    ] = None,
) -> Any:
    """Every worker's history is replayed twice, under the adopted policy and under the
    draft, and compared from `from_month` to `to_month`. Recorded facts stay as recorded;
    derived ones are derived again on both sides (the three-year steps, a grade the policy
    gave at hire, and everything computed: grades, flags, pay and its funding, computed
    quota). The answer has the totals, each month's and each unit's pay under both, and
    the workers who differ (pay per month, grades, steps gained or lost, flags appearing
    or vanishing, and the first month of each), a page at a time. Nothing is recorded or
    adopted. An invalid draft is refused (422) with the list of its problems.

    Any role may simulate; a clerk only within their own unit's subtree (without
    `unit_id`, that subtree). `Accept: text/csv` answers one line per differing worker
    (UTF-8 with BOM), every one of them, without the totals; the .xlsx media type, the
    same lines as a workbook."""
    draft = _draft(body.policy)
    root = simulation_root(ledger, actor, body.unit_id)
    # Threads serve requests here, so the processes come from a clean fork server.
    processes = os.cpu_count() or 1
    common: dict[str, Any] = {
        "unit_id": root,
        "processes": processes,
        "fork": False,
        "store": fresh_read_store(request),
    }
    if wants_csv(request) or wants_xlsx(request):
        folder = spool_folder()
        try:
            outcome = simulate(
                ledger, draft, body.from_month, body.to_month, spool_dir=Path(folder.name), **common
            )
        except BaseException:
            folder.cleanup()
            raise
        name = f"simulation-{body.from_month}-{body.to_month}"
        return table_response(request, _rows(outcome, folder), report.CSV_COLUMNS, name)
    after = str(cursor) if cursor else None
    outcome = simulate(
        ledger, draft, body.from_month, body.to_month, after=after, limit=limit, **common
    )
    return {
        **report.summary(outcome, draft.describe()),
        "unit_id": root,
        "items": [report.worker(found) for found in outcome.items],
        "next_cursor": outcome.next_cursor,
    }


def _draft(policy: dict[str, Any] | str) -> Draft:
    return Draft.from_document(resolve(policy))  # a pack's name, never a server path


def _rows(outcome: Outcome, folder: Any) -> Iterator[dict[str, Any]]:
    """The spooled workers as CSV rows; the spool goes when the answer is sent."""
    try:
        for found in outcome.workers():
            yield report.csv_row(found)
    finally:
        folder.cleanup()
