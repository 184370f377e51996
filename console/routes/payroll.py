"""``/payroll``: 工资, a month's payroll for a subtree: totals by post and by funding
source (city and local shares), a chart of the totals by post, the lines, their
downloads (``/payroll.xlsx``, ``/payroll.csv``, headers "姓名 name"), and with a
知情时间 the arrears: the month as known now against the month as known then.

The figures are the API's (``GET /api/v1/reports/payroll``): ``payroll.lines`` from
the read model, ``payroll.lines_as_known`` from the events as known at a moment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from api.csv import csv_response, xlsx_response
from console.routes import report_filters as filters
from console.web import Page, PageDep
from domain.pay import month_bounds
from projections.projector import Projector
from projections.queries import payroll, roster
from projections.queries.scope import report_root

router = APIRouter(include_in_schema=False)

# The API's columns, the unit's name beside its id.
COLUMNS = payroll.COLUMNS
# Lines shown per page: the totals cover every line; a district's 3,000 lines in one
# page were 870 kB of HTML and most of its time. The downloads hold every line.
LINES_PER_PAGE = 100
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Month:
    given: dict[str, str]
    month: str
    root: str | None
    known_at: datetime | None
    lines: list[dict[str, Any]]
    units: list[dict[str, Any]]


def _month(page: Page, request: Request) -> Month:
    store = cast(Projector, request.app.state.read_models.fresh()).store
    params = request.query_params
    given = {key: filters.text(params.get(key)) for key in ("month", "unit_id", "known_at")}
    month = payroll.parse_month(given["month"] or date.today().strftime("%Y-%m"))
    given["month"] = month
    root = report_root(store, page.actor, filters.unit(given["unit_id"]))
    units = roster.units(store, report_root(store, page.actor, None))
    lines = payroll.lines(store, root, month, page.schedule())
    known_at = filters.moment(given["known_at"])
    return Month(given, month, root, known_at, lines, units)


def by_post(lines: Iterable[Mapping[str, Any]], order: Sequence[str]) -> list[dict[str, Any]]:
    """Workers and money per post, in ``order`` (the codes of the version in force on the
    month's first day, top first; the lines hold that version's posts)."""
    sums: dict[str, dict[str, Any]] = {}
    for line in lines:
        row = sums.setdefault(
            line["post"],
            {"post": line["post"], "workers": 0, "total": ZERO, "city": ZERO, "local": ZERO},
        )
        row["workers"] += 1
        row["total"] += line["total"]
        row["city"] += line["city_share"]
        row["local"] += line["local_share"]
    rank = {code: index for index, code in enumerate(order)}
    return sorted(sums.values(), key=lambda row: rank.get(row["post"], len(rank)))


def arrears(
    now: list[dict[str, Any]], then: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], Decimal]:
    """Per person, what the month pays as known now less what it paid as known then
    (only those who differ), and the sum."""
    before = {line["worker_id"]: line for line in then}
    after = {line["worker_id"]: line for line in now}
    rows = []
    for worker_id in sorted(before.keys() | after.keys()):
        old, new = before.get(worker_id), after.get(worker_id)
        paid_then = old["total"] if old else ZERO
        paid_now = new["total"] if new else ZERO
        if paid_then != paid_now:
            line = new or old
            assert line is not None
            rows.append(
                {
                    "worker_id": worker_id,
                    "name": line["name"],
                    "then": paid_then,
                    "now": paid_now,
                    "difference": paid_now - paid_then,
                }
            )
    return rows, sum((row["difference"] for row in rows), ZERO)


def _chart(page: Page, posts: list[dict[str, Any]]) -> dict[str, Any]:
    """The ECharts option of the bar chart of totals by post."""
    option = {
        "grid": {"left": 80, "right": 20, "top": 30, "bottom": 30},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": [p["post_text"] for p in posts]},
        "yAxis": {"type": "value"},
        "series": [
            {
                "type": "bar",
                "name": page.t("col.total"),
                "data": [float(p["total"]) for p in posts],
            }
        ],
    }
    return option


@router.get("/payroll", response_class=HTMLResponse)
def payroll_page(page: PageDep, request: Request) -> HTMLResponse:
    found = _month(page, request)
    # A month's pay uses the state on its first day: the posts are that day's version's.
    first = month_bounds(found.month)[0]
    posts = [
        {**p, "post_text": page.post_label(p["post"], first)}
        for p in by_post(found.lines, [code for code, _ in page.posts(first)])
    ]
    cursor = filters.text(request.query_params.get("cursor"))
    after = roster.decode_cursor(cursor) if cursor else ""
    shown = [line for line in found.lines if line["worker_id"] > after][: LINES_PER_PAGE + 1]
    more = len(shown) > LINES_PER_PAGE
    shown = shown[:LINES_PER_PAGE]
    owed: tuple[list[dict[str, Any]], Decimal] | None = None
    if found.known_at is not None:
        store = cast(Projector, request.app.state.read_models.fresh()).store
        then = payroll.lines_as_known(page.ledger, store, found.root, found.month, found.known_at)
        owed = arrears(found.lines, then)
    return page.render(
        "payroll.html",
        section="payroll",
        given=found.given,
        units=found.units,
        lines=[{**line, "post_text": page.post_text(line, first)} for line in shown],
        totals=payroll.totals(found.lines),
        posts=posts,
        chart=_chart(page, posts),
        arrears=owed[0] if owed else None,
        arrears_total=owed[1] if owed else None,
        known_at=found.known_at,
        filters=filters.query({k: found.given[k] for k in ("month", "unit_id")}),
        page_filters=filters.query(found.given),
        next_cursor=roster.encode_cursor(shown[-1]["worker_id"]) if more else None,
        first_page=bool(cursor),
    )


@router.get("/payroll.xlsx")
def download_xlsx(page: PageDep, request: Request) -> Response:
    found = _month(page, request)
    return xlsx_response(found.lines, COLUMNS, f"payroll-{found.month}.xlsx")


@router.get("/payroll.csv")
def download_csv(page: PageDep, request: Request) -> Response:
    """The CSV's header is "姓名 name", the .xlsx's form, as the API's."""
    found = _month(page, request)
    return csv_response(found.lines, COLUMNS, f"payroll-{found.month}.csv", bilingual=True)
