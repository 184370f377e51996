"""``/units`` and ``/units/{unit_id}`` (单位与员额): the unit tree, a unit's quota and
headcount on a date with its children's rows, and its subtree month by month.

Figures come from the same paths as the API: ``quota.usage`` (what
``GET /units/{id}/quota-usage`` answers) and ``Ledger.unit_view`` (``GET /units/{id}``,
for the computed quota and the approval). This module only shapes them into rows.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.deps import get_read_models
from console.web import Page, PageDep
from domain.vocabulary import UnitKind
from projections.queries import quota
from projections.queries.scope import report_root

router = APIRouter(include_in_schema=False)


@router.get("/units", response_class=HTMLResponse)
def units_home(page: PageDep, as_of: date | None = None) -> HTMLResponse:
    """The reader's own unit (a clerk's) or the first top-level unit."""
    if page.actor.is_scoped and page.actor.unit_id:
        return _unit_page(page, page.actor.unit_id, as_of)
    roots = page.ledger.list_units(page.actor, None)
    if not roots:
        return page.render("units.html", section="units", unit=None, as_of=as_of or date.today())
    return _unit_page(page, UUID(roots[0]["unit_id"]), as_of)


@router.get("/units/{unit_id}", response_class=HTMLResponse)
def unit_page(unit_id: UUID, page: PageDep, as_of: date | None = None) -> HTMLResponse:
    return _unit_page(page, unit_id, as_of)


def _unit_page(page: Page, unit_id: UUID, as_of: date | None) -> HTMLResponse:
    day = as_of or date.today()
    store = get_read_models(page.request).store
    report_root(store, page.actor, unit_id, field=None)  # 404 or 403 before any counting
    unit = page.ledger.unit_view(page.actor, unit_id, day)
    scope = str(page.actor.unit_id) if page.actor.is_scoped and page.actor.unit_id else None
    schedule = page.schedule()
    # ``by_post`` keyed by the posts of the version in force on ``day``: the columns'.
    rows = quota.usage(store, scope, day, lambda d: schedule.on(d).quota_review_years, schedule)
    by_id = {row["unit_id"]: row for row in rows}
    chosen = by_id[str(unit_id)]
    children = [
        _row(page, row, page.ledger.unit_view(page.actor, UUID(row["unit_id"]), day))
        for row in rows
        if row["parent_id"] == str(unit_id)
    ]
    series = quota.monthly(store, str(unit_id), day)
    return page.render(
        "units.html",
        section="units",
        as_of=day,
        unit=unit,
        current=_row(page, chosen, unit),
        subtree=chosen["subtree"],
        children=children,
        posts=page.posts(day),
        tree=tree_lines(rows, str(unit_id)),
        path=[by_id[u] for u in _path(by_id, str(unit_id))],
        chart=chart_option(page, series),
    )


def _row(page: Page, usage: dict[str, Any], unit: dict[str, Any]) -> dict[str, Any]:
    """A unit's figures on the day, and how it stands: over quota, or no quota approved."""
    approved = usage["approved_quota"]
    standing = "unapproved" if approved is None else "over" if usage["headroom"] < 0 else None
    return {
        "unit_id": usage["unit_id"],
        "name": usage["name"],
        "kind": page.label(UnitKind(usage["kind"])),
        "approved_quota": approved,
        "computed_quota": unit["computed_quota"],
        "headcount": usage["headcount"],
        "headroom": usage["headroom"],
        "by_post": usage["by_post"],
        "subtree": usage.get("subtree"),
        "review_due": usage["quota_review_due"],
        "standing": standing,
        "approval": unit["approval"],
    }


def tree_lines(rows: list[dict[str, Any]], chosen: str) -> list[dict[str, Any]]:
    """The tree as indented lines: the tops, opened along the way to ``chosen``, and
    ``chosen``'s children. ``rows`` come depth first, parents before children."""
    by_id = {row["unit_id"]: row for row in rows}
    opened = set(_path(by_id, chosen))
    lines = []
    depth: dict[str | None, int] = {}
    for row in rows:
        parent = row["parent_id"] if row["parent_id"] in by_id else None
        if parent is not None and parent not in opened:
            continue
        level = depth[parent] + 1 if parent is not None else 0
        depth[row["unit_id"]] = level
        lines.append(
            {
                "unit_id": row["unit_id"],
                "name": row["name"],
                "depth": min(level, 3),
                "current": row["unit_id"] == chosen,
                "over": row["headroom"] is not None and row["headroom"] < 0,
                "unapproved": row["approved_quota"] is None,
            }
        )
    return lines


def _path(by_id: dict[str, dict[str, Any]], unit_id: str) -> list[str]:
    """The unit's ancestors within the reader's rows, top first, and the unit."""
    chain = []
    current: str | None = unit_id
    while current in by_id:
        chain.append(current)
        current = by_id[current]["parent_id"]
    return chain[::-1]


def chart_option(page: Page, series: list[dict[str, Any]]) -> dict[str, Any]:
    """ECharts: headcount (bars) against the approved quota (a step line), by month."""
    approved, headcount = page.t("col.approved_quota"), page.t("col.headcount")
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [approved, headcount]},
        "grid": {"left": 48, "right": 24, "top": 40, "bottom": 64},
        "xAxis": {"type": "category", "data": [p["month"] for p in series]},
        "yAxis": {"type": "value", "minInterval": 1},
        "dataZoom": [{"type": "slider", "bottom": 8}],
        "series": [
            {
                "name": approved,
                "type": "line",
                "step": "end",
                "symbol": "none",
                "data": [p["approved_quota"] for p in series],
            },
            {"name": headcount, "type": "bar", "data": [p["headcount"] for p in series]},
        ],
    }
