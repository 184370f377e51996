"""``/workers``: 人员查询, the roster searched by name or ID number and filtered, a page at a
time, with its downloads (``/workers.xlsx``, ``/workers.csv``) of the same filters.

The rows are the API's (``GET /api/v1/workers``): the same roster query, the same
clerk scope (``report_root``), the same search rule (``roster.search_terms``) and the
same columns in the downloads; ID numbers go through ``api.personal.redact``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, cast

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from api.csv import csv_response, xlsx_response
from api.personal import redact, sees_id_numbers
from console.routes import report_filters as filters
from console.web import Page, PageDep
from domain.catalogue import ZH
from domain.vocabulary import WorkerStatus
from projections.projector import Projector
from projections.queries import roster
from projections.queries.scope import report_root

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@dataclass(frozen=True)
class Search:
    """The form's values as given (to fill the form again) and the roster filter they make."""

    given: dict[str, str]
    where: roster.RosterFilter


def _read_models(request: Request) -> Projector:
    return cast(Projector, request.app.state.read_models.fresh())


def _search(page: Page, store: Any, params: dict[str, str]) -> Search:
    given = {key: filters.text(params.get(key)) for key in FIELDS}
    name_part, id_number = roster.search_terms(
        given["q"], may_search_id_numbers=sees_id_numbers(page.actor)
    )
    as_of = filters.day(given["as_of"], "as_of", date.today()) or date.today()
    where = roster.RosterFilter(
        as_of=as_of,
        root=report_root(store, page.actor, filters.unit(given["unit_id"])),
        # A post of the version in force on the day searched: the periods hold those.
        post=page.post_code(given["post"], as_of),
        status=filters.member(WorkerStatus, given["status"], "status"),
        grade=filters.number(given["grade"], "grade", 1, 99),
        name_part=name_part,
        id_number=id_number,
        # The roster labels posts as the version in force on ``as_of`` names them, in
        # the reader's language (the downloads take Chinese, as the API's do).
        schedule=page.schedule(),
        locale=page.locale,
    )
    return Search(given, where)


def _download(where: roster.RosterFilter) -> roster.RosterFilter:
    """The downloads' filter: the API's columns, labels in Chinese beside the codes."""
    return replace(where, locale=ZH)


FIELDS = ("q", "unit_id", "post", "grade", "status", "as_of")


@router.get("/workers", response_class=HTMLResponse)
def search(page: PageDep, request: Request) -> HTMLResponse:
    store = _read_models(request).store
    found = _search(page, store, dict(request.query_params))
    cursor = filters.text(request.query_params.get("cursor"))
    after = roster.decode_cursor(cursor) if cursor else ""
    items = roster.page(store, found.where, after, PAGE_SIZE + 1)
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    numbers = roster.id_numbers(store, [item["worker_id"] for item in items])
    rows = [
        redact(
            page.actor,
            {
                **item,
                "id_number": numbers.get(item["worker_id"]),
                "post_text": item["post_label"],
                "status_text": page.label(WorkerStatus(item["status"])),
            },
        )
        for item in items
    ]
    kept = filters.query(found.given)
    values: dict[str, Any] = {
        "section": "search",
        "given": found.given,
        "rows": rows,
        "shows_id_numbers": sees_id_numbers(page.actor),
        "units": roster.units(store, report_root(store, page.actor, None)),
        "posts": page.posts(found.where.as_of),
        "statuses": list(WorkerStatus),
        "as_of": found.where.as_of,
        "filters": kept,
        "next_cursor": roster.encode_cursor(items[-1]["worker_id"]) if more else None,
        "first_page": bool(cursor),
    }
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
        return page.render("_search_results.html", **values)
    return page.render("search.html", **values)


@router.get("/workers.xlsx")
def download_xlsx(page: PageDep, request: Request) -> Response:
    store = _read_models(request).store
    found = _search(page, store, dict(request.query_params))
    rows = roster.every(store, _download(found.where))
    return xlsx_response(rows, roster.COLUMNS, f"roster-{found.where.as_of}.xlsx")


@router.get("/workers.csv")
def download_csv(page: PageDep, request: Request) -> Response:
    store = _read_models(request).store
    found = _search(page, store, dict(request.query_params))
    rows = roster.every(store, _download(found.where))
    return csv_response(rows, roster.COLUMNS, f"roster-{found.where.as_of}.csv")
