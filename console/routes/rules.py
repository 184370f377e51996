"""``/rules``: 晋档与奖惩, the rules' outcomes for a date and a subtree (steps due,
promotion candidates, dismissals required), each row naming its causes; and
``POST /rules/apply-steps``, recording the due steps through the same use case as
``POST /api/v1/rules/grade-steps/apply`` (admins, and clerks within their subtree).

The lists are the API's: ``projections.queries.rules`` with ``report_root``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, cast

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from console.routes import report_filters as filters
from console.web import Page, PageDep
from domain.errors import Forbidden
from domain.policy import PolicySchedule
from domain.vocabulary import GradeChangeReason, Rating
from projections.projector import Projector
from projections.queries import roster, rules
from projections.queries.scope import report_root

router = APIRouter(include_in_schema=False)


def _store(request: Request) -> Any:
    return cast(Projector, request.app.state.read_models.fresh()).store


def _shown(
    page: Page,
    items: list[dict[str, Any]],
    names: dict[str, str],
    schedule: PolicySchedule | None = None,
) -> list[dict[str, Any]]:
    """Each row with its unit's name and its codes in the reader's language (the post as
    the query labelled it: the version in force on the rows' date, the page's language);
    a flag with the policy version in force when it was raised (a step names its own)."""

    def years(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**y, "rating_text": page.label(Rating(y["rating"]))} for y in found]

    return [
        {
            **item,
            "unit_name": names.get(item["unit_id"], ""),
            "post_text": item["post_label"],
            **(
                {"policy_version": schedule.version_on(date.fromisoformat(item["since"])).version}
                if schedule is not None and "since" in item
                else {}
            ),
            **{
                key: years(item[key])
                for key in ("caused_by", "excellent_years", "unqualified_years")
                if key in item
            },
        }
        for item in items
    ]


def _render(
    page: Page, request: Request, params: dict[str, str], applied: dict[str, Any] | None = None
) -> HTMLResponse:
    store = _store(request)
    given = {key: filters.text(params.get(key)) for key in ("unit_id", "as_of")}
    day = filters.day(given["as_of"], "as_of", date.today()) or date.today()
    root = report_root(store, page.actor, filters.unit(given["unit_id"]))
    units = roster.units(store, report_root(store, page.actor, None))
    names = {unit["unit_id"]: unit["name"] for unit in units}
    schedule = page.schedule()
    promotions = rules.promotion_candidates(store, root, day, schedule, page.locale)
    dismissals = rules.dismissals_required(store, root, day, schedule, page.locale)
    return page.render(
        "rules.html",
        section="rules",
        given=given,
        as_of=day,
        units=units,
        steps=_shown(page, rules.steps_due(store, root, day, schedule, page.locale), names),
        promotions=_shown(page, promotions, names, schedule),
        dismissals=_shown(page, dismissals, names, schedule),
        rule_text=page.label(GradeChangeReason.THREE_YEAR_STEP),
        may_apply=page.actor.can_write,
        applied=_shown(page, applied["applied"], names) if applied is not None else None,
    )


@router.get("/rules", response_class=HTMLResponse)
def rules_page(page: PageDep, request: Request) -> HTMLResponse:
    return _render(page, request, dict(request.query_params))


@router.post("/rules/apply-steps", response_class=HTMLResponse)
def apply_steps(
    page: PageDep,
    request: Request,
    unit_id: Annotated[str, Form(max_length=100)] = "",
    as_of: Annotated[str, Form(max_length=20)] = "",
) -> HTMLResponse:
    """Records every step due by the form's date in the form's subtree, then shows the
    page for that date and subtree with what was recorded."""
    params = {"unit_id": unit_id, "as_of": as_of}
    if not page.actor.can_write:
        raise Forbidden.because("role_reads_only", role=page.actor.role)
    store = _store(request)
    day = filters.day(params["as_of"], "as_of", date.today()) or date.today()
    root = report_root(store, page.actor, filters.unit(params["unit_id"]))
    # Listed as the page lists them, so what was recorded is shown with the same labels.
    listed = rules.steps_due(store, root, day, page.schedule(), page.locale)
    applied = page.ledger.apply_listed_steps(page.context(), listed, day, root)
    return _render(page, request, params, applied)
