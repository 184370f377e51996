"""``/what-if``: 政策模拟, for the policy office: the policy in force today with a few of
its parameters changed (the step years, one year's average wage, one more grade per
education level), replayed over the history and compared with the adopted one.

The answer is the API's (``POST /api/v1/simulations``): the same ``simulate`` call, the
same clerk scope (``simulation_root``), the same read models when fresh
(``fresh_read_store``), the same ``report`` mappings. Nothing is recorded. The form
alone answers the page; a submitted form (htmx) answers the result as a partial.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api import problems
from api.deps import fresh_read_store
from console.routes import report_filters as filters
from console.web import Page, PageDep
from domain.catalogue import Term
from domain.errors import InvalidInput, PolicyInvalid
from domain.limits import FIRST_YEAR, LAST_YEAR
from projections.queries import roster
from projections.queries.payroll import parse_month
from projections.queries.scope import report_root
from projections.simulation import Draft, report, simulate, simulation_root

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
STEP_YEARS = (1, 10)
FIELDS = (
    "step_years",
    "wage_year",
    "wage_amount",
    "education",
    "from_month",
    "to_month",
    "unit_id",
)
# The largest yearly average wage a form may send (yuan): far above any real one.
MAX_WAGE = Decimal("10000000")


@dataclass(frozen=True)
class Question:
    """The form as given (to fill it again) and what it asks: a draft, a window, a unit."""

    given: dict[str, str]
    document: dict[str, Any]
    from_month: str
    to_month: str
    unit_id: UUID | None


def defaults(adopted: Mapping[str, Any], today: date) -> dict[str, str]:
    """The form before anything is changed: the adopted values, the last 5 full years."""
    params = adopted["parameters"]
    wages = params["average_wages"]["value"]
    year = max(wages, key=int) if wages else ""
    return {
        "step_years": str(params["step_years"]["value"]),
        "wage_year": str(year),
        "wage_amount": str(wages[year]) if year else "",
        "education": "",
        "from_month": f"{today.year - 5}-01",
        "to_month": f"{today.year - 1}-12",
        "unit_id": "",
    }


def draft_document(
    adopted: Mapping[str, Any],
    step_years: int,
    wage: tuple[int, Decimal] | None,
    education: bool,
) -> dict[str, Any]:
    """The adopted document with the form's changes and no ``effective_from`` (in force
    from the start), as ``bench/simulate.py``'s drafts are made."""
    document = copy.deepcopy(dict(adopted))
    document.pop("effective_from", None)
    document["id"] = f"{document.get('id') or 'policy'}-what-if"
    params = document["parameters"]
    params["step_years"]["value"] = step_years
    if wage is not None:
        year, amount = wage
        wages = params["average_wages"]
        wages["value"] = {**wages["value"], str(year): str(amount)}
    if education:  # one more grade per level that already gives one
        bonus = params["education_bonus"]["value"]
        params["education_bonus"]["value"] = {
            level: grades + 1 if grades else 0 for level, grades in bonus.items()
        }
    return document


def _month(value: str, field: str) -> str:
    try:
        return parse_month(value)
    except InvalidInput as error:
        raise InvalidInput(key=error.key, field=field, params=error.params) from None


def _wage(given: Mapping[str, str]) -> tuple[int, Decimal] | None:
    year_text, amount_text = given["wage_year"], given["wage_amount"]
    if not year_text and not amount_text:
        return None
    if not year_text or not amount_text:
        raise InvalidInput.because("wage_year_and_amount", field="wage_amount")
    year = filters.number(year_text, "wage_year", FIRST_YEAR, LAST_YEAR)
    refused = InvalidInput.because("not_an_amount", field="wage_amount", value=amount_text)
    try:
        amount = Decimal(amount_text.replace(",", ""))
    except InvalidOperation:
        raise refused from None
    if not amount.is_finite() or not Decimal(0) < amount < MAX_WAGE:
        raise refused
    assert year is not None
    return year, amount.quantize(Decimal("0.01"))


def question(params: Mapping[str, str], adopted: Mapping[str, Any], today: date) -> Question:
    """The form's values read and checked; a bad one is refused naming its field."""
    given = {key: filters.text(params.get(key)) for key in FIELDS}
    low, high = STEP_YEARS
    try:
        step_years = int(given["step_years"])
    except ValueError:
        raise InvalidInput.because(
            "not_whole_number", field="step_years", value=given["step_years"]
        ) from None
    if not low <= step_years <= high:
        raise InvalidInput.because(
            "number_range", field="step_years", name=Term("step_years"), low=low, high=high
        )
    first = _month(given["from_month"], "from_month")
    last = _month(given["to_month"], "to_month")
    if last < first:
        raise InvalidInput.because("months_order", field="to_month", first=first, last=last)
    document = draft_document(adopted, step_years, _wage(given), given["education"] == "1")
    return Question(given, document, first, last, filters.unit(given["unit_id"]))


def chart(page: Page, months: list[dict[str, Any]]) -> dict[str, Any]:
    """An ECharts option: each month's pay in total, adopted against draft."""
    option = {
        "grid": {"left": 90, "right": 20, "top": 40, "bottom": 30},
        "tooltip": {"trigger": "axis"},
        "legend": {},
        "xAxis": {"type": "category", "data": [m["month"] for m in months]},
        "yAxis": {"type": "value", "name": page.t("page.what_if.yuan"), "min": "dataMin"},
        "series": [
            {
                "name": page.t(f"page.what_if.{side}"),
                "type": "line",
                "showSymbol": False,
                "data": [float(m[side]["total"]) for m in months],
            }
            for side in ("adopted", "draft")
        ],
    }
    return option


def _refused(request: Request, error: PolicyInvalid) -> Response:
    """An invalid draft: each of its problems in the reader's language."""
    return problems.problem(
        request,
        problems.status_for(error),
        error.code,
        error.title,
        lambda locale: "；".join(error.in_locale(locale)),
    )


@router.get("/what-if", response_class=HTMLResponse)
def what_if(page: PageDep, request: Request) -> Response:
    """The form with the adopted values; with a submitted form, the comparison too."""
    adopted = page.ledger.policy_document(date.today())
    store = fresh_read_store(request)
    units = roster.units(store, report_root(store, page.actor, None)) if store else []
    values: dict[str, Any] = {
        "section": "what_if",
        "units": units,
        "in_force": page.ledger.policy_in_force(date.today()),
        "step_range": STEP_YEARS,
        "year_range": (FIRST_YEAR, LAST_YEAR),
    }
    params = request.query_params
    if "from_month" not in params:
        return page.render("what_if.html", given=defaults(adopted, date.today()), **values)
    asked = question(params, adopted, date.today())
    try:
        draft = Draft.from_document(asked.document)
    except PolicyInvalid as error:
        return _refused(request, error)
    root = simulation_root(page.ledger, page.actor, asked.unit_id)
    outcome = simulate(
        page.ledger,
        draft,
        asked.from_month,
        asked.to_month,
        unit_id=root,
        limit=PAGE_SIZE,
        # Threads serve requests here, so the processes come from a clean fork server.
        processes=os.cpu_count() or 1,
        fork=False,
        store=store,
    )
    summary = report.summary(outcome, draft.describe())
    names = {unit["unit_id"]: unit["name"] for unit in summary["units"]}
    workers = [
        {**found, "unit_name": names.get(found["unit_id"], "")}
        for found in (report.worker(item) for item in outcome.items)
    ]
    result = {
        "summary": summary,
        "totals": summary["totals"],
        "workers": workers,
        "more": summary["totals"]["workers_affected"] - len(workers),
        "chart": chart(page, summary["months"]),
    }
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "what-if-result":
        return page.render("_what_if_result.html", **result)
    return page.render("what_if.html", given=asked.given, result=result, **values)
