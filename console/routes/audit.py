"""``/audit`` (审计): the last runs of ``ledger verify`` (result, anchor, when and by whom)
and the activity feed (who recorded what, when), filterable by author and unit.

Clerks see their own subtree's activity only; auditors and admins all of it; reporters
are refused (the rule is ``Ledger.verifications``'s, and the feed's scope is
``report_root``'s, as for every report)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from console.web import Page, PageDep
from domain.catalogue import ZH
from domain.errors import InvalidInput
from domain.vocabulary import (
    CertificateLevel,
    Channel,
    DismissalReason,
    Education,
    GradeChangeReason,
    Labelled,
    PostChangeReason,
    Rating,
    UnitKind,
)
from projections.projector import Projector
from projections.queries import activity
from projections.queries.scope import report_root

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
EARLIER_RUNS = 5
BEIJING = timezone(timedelta(hours=8))  # no daylight saving: a fixed offset is exact
# The code list of each field of a fact, to show its label (per fact type where it differs).
# A post is the policy's: named by the version in force on the fact's date (``describe``).
CODES: dict[str, type[Labelled]] = {
    "rating": Rating,
    "education": Education,
    "level": CertificateLevel,
    "channel": Channel,
    "kind": UnitKind,
}
REASONS: dict[str, type[Labelled]] = {
    "GradeChanged": GradeChangeReason,
    "PostChanged": PostChangeReason,
    "Dismissed": DismissalReason,
}


@router.get("/audit", response_class=HTMLResponse)
def audit(
    page: PageDep,
    author: Annotated[str | None, Query(max_length=200)] = None,
    unit_id: Annotated[str | None, Query(max_length=40)] = None,
    after: Annotated[str | None, Query(max_length=400)] = None,
) -> HTMLResponse:
    runs = page.ledger.verifications(page.actor, limit=EARLIER_RUNS + 1)  # refuses reporters
    read_models: Projector = page.request.app.state.read_models.fresh()
    store = read_models.store
    unit = _unit(unit_id)  # a GET form's empty choice: every unit in scope
    root = report_root(store, page.actor, unit)
    where = activity.ActivityFilter(root=root, author=author or None)
    cursor = activity.Cursor.decode(after) if after else None
    rows = activity.page(store, where, PAGE_SIZE + 1, cursor)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return page.render(
        "audit.html",
        section="audit",
        runs=[_run(page, r) for r in runs],
        items=[_item(page, r) for r in rows],
        authors=activity.authors(store, root),
        units=activity.units(store, root),
        author=author or "",
        unit_id=str(unit) if unit else "",
        next_after=rows[-1]["cursor"] if more else None,
        paged=after is not None,
    )


def _unit(text: str | None) -> UUID | None:
    if not text:
        return None
    try:
        return UUID(text)
    except ValueError:
        raise InvalidInput.because("not_a_unit_id", field="unit_id", value=text) from None


def moment(value: datetime | str, locale: str) -> str:
    """A recorded time in Beijing time: ``2026年1月1日 14:03:05``."""
    at = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    local = at.astimezone(BEIJING)
    if locale == ZH:
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"
    return f"{local:%Y-%m-%d %H:%M:%S} (UTC+8)"


def _run(page: Page, run: dict[str, Any]) -> dict[str, Any]:
    return {**run, "when": moment(run["recorded_at"], page.locale)}


def _item(page: Page, row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "when": moment(row["recorded_at"], page.locale),
        "subject": row["worker_name"] or row["unit_name"] or row["aggregate_id"],
        "description": describe(page, row),
    }


def describe(page: Page, row: dict[str, Any]) -> str:
    """The fact in the reader's language, from its type and fields (codes as labels)."""
    kind = row["type"]
    data = row["data"]
    values: dict[str, Any] = {}
    for name, value in data.items():
        codes = REASONS.get(kind) if name == "reason" else CODES.get(name)
        values[name] = _label(page, codes, value) if codes else value
    if data.get("post"):
        values["post"] = page.post_label(str(data["post"]), _day(row["effective_date"]))
    if kind == "Transferred":
        values["from"] = row["from_unit_name"] or ""
        values["to"] = row["unit_name"] or ""
    if kind == "GradeStepped":
        values["years"] = "、".join(str(y) for y in data.get("caused_by_years", []))
    key = f"activity.{kind}"
    try:
        return page.t(key, **values)
    except (KeyError, IndexError, ValueError):  # a field the template names is absent
        return page.t("activity.other", type=kind)


def _day(value: date | str | None) -> date:
    """A fact's effective date (the version in force then names its codes); today for a
    fact without one."""
    if value is None or value == "":
        return date.today()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _label(page: Page, codes: type[Labelled], value: Any) -> str:
    try:
        return page.label(codes(value))
    except ValueError:
        return str(value)
