"""Reports answered from the read models, caught up with every write made before the request."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from api import problems
from api.csv import TABLE_CONTENT, table_response
from api.deps import ActorDep, AsOf, LedgerDep, ReadModelsDep
from api.schemas.reports import QuotaUsageReportOut
from domain import catalogue
from domain.catalogue import ZH
from projections.queries import quota
from projections.queries.posts import Posts, posts_on
from projections.queries.scope import report_root

router = APIRouter(prefix="/reports", tags=["reports"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    **problems.responses(401, 403, 404, 422, 503),
    200: {"content": TABLE_CONTENT},
}

# The columns of the CSV and the workbook; after "headroom", one "{code}_headcount" per
# post of the version in force on the report's date (``quota_columns``).
QUOTA_BEFORE_POSTS = (
    "unit_id",
    "name",
    "kind",
    "kind_label",
    "parent_id",
    "class",
    "approved_quota",
    "headcount",
    "headroom",
)
QUOTA_AFTER_POSTS = (
    "quota_review_due",
    "subtree_units",
    "subtree_approved_quota",
    "subtree_headcount",
    "subtree_headroom",
)


def quota_columns(posts: Posts) -> tuple[str, ...]:
    return (
        *QUOTA_BEFORE_POSTS,
        *(f"{code}_headcount" for code in posts.codes),
        *QUOTA_AFTER_POSTS,
    )


def post_titles(posts: Posts) -> dict[str, str]:
    """The Chinese titles of the post columns of a bilingual header: 社区正职人数."""
    return {
        f"{code}_headcount": catalogue.text("header.post_headcount", ZH, post=post.label_zh)
        for code, post in zip(posts.codes, posts.defs, strict=True)
    }


@router.get(
    "/quota-usage",
    response_model=QuotaUsageReportOut,
    responses=RESPONSES,
    summary="Quota usage of every unit in a subtree",
)
def quota_usage(
    request: Request,
    actor: ActorDep,
    ledger: LedgerDep,
    read_models: ReadModelsDep,
    unit_id: Annotated[UUID | None, Query(description="The subtree's root; default all")] = None,
    as_of: AsOf = None,
) -> Any:
    """One row per unit, depth first: the approval in force on `as_of`, active headcount by
    post, headroom, when the quota review is due, and the unit's subtree totals; then the
    totals. A clerk's report covers their own unit's subtree. `Accept: text/csv` gives the
    rows as CSV (UTF-8 with BOM), the .xlsx media type as a workbook."""
    day = as_of or date.today()
    store = read_models.store
    root = report_root(store, actor, unit_id)
    schedule = ledger.schedule()
    posts = posts_on(schedule, day)
    # A review falls due by the rule in force when the quota was approved.
    rows = quota.usage(
        store, root, day, lambda approved: schedule.on(approved).quota_review_years, schedule
    )
    flat = (_flat(r) for r in rows)
    table = table_response(
        request, flat, quota_columns(posts), "quota-usage", titles=post_titles(posts)
    )
    if table is not None:
        return table
    return {
        "as_of": day,
        "unit_id": root,
        "items": rows,
        "totals": quota.totals(rows, posts.codes),
        "by_post_labels": posts.labels(),
    }


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    flat = {k: v for k, v in row.items() if k not in ("by_post", "subtree")}
    flat.update({f"{post}_headcount": n for post, n in row["by_post"].items()})
    flat.update({f"subtree_{key}": n for key, n in row["subtree"].items()})
    return flat
