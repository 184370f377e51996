"""``/workers/{worker_id}`` (人员档案): a person's card on a date as known at a moment,
the flags with their reasons, the timeline of every fact in words, a grade chart, and
the A4 print view (``/workers/{worker_id}/print`` or ``?print=1``).

It reads what the API reads: ``Ledger.worker_view`` and ``Ledger.worker_history``
(which refuse another street's clerk), masked by ``api.personal.redact``. The flags'
reasons are worked out here from the same state the rules judged, for reading only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.deps import get_read_models
from api.history import labelled
from api.personal import redact
from console.web import Page, PageDep, fmt_date
from domain import catalogue, rules
from domain.errors import InvalidInput
from domain.policy import PolicySchedule
from domain.timeline import WorkerState, states
from domain.vocabulary import (
    CertificateLevel,
    Channel,
    Education,
    Gender,
    Labelled,
    Rating,
    WorkerStatus,
)
from domain.worker import Worker
from projections.queries import quota

router = APIRouter(include_in_schema=False)

# A moment typed without a zone (a datetime-local field) is read in China's time, the
# readers'; moments in links carry their offset (RFC 3339).
CHINA = timezone(timedelta(hours=8))


def moment(text: str | None, name: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput.because("moment_example", field=name, name=name) from None
    return value if value.tzinfo else value.replace(tzinfo=CHINA)


Moment = Annotated[str | None, Query(max_length=40)]


@router.get("/workers/{worker_id}", response_class=HTMLResponse)
def person_page(
    worker_id: UUID,
    page: PageDep,
    as_of: date | None = None,
    known_at: Moment = None,
    since: Moment = None,
    printing: Annotated[bool, Query(alias="print")] = False,
) -> HTMLResponse:
    return _person(page, worker_id, as_of, known_at, since, printing)


@router.get("/workers/{worker_id}/print", response_class=HTMLResponse)
def person_print(
    worker_id: UUID,
    page: PageDep,
    as_of: date | None = None,
    known_at: Moment = None,
    since: Moment = None,
) -> HTMLResponse:
    return _person(page, worker_id, as_of, known_at, since, True)


def _person(
    page: Page,
    worker_id: UUID,
    as_of: date | None,
    known_text: str | None,
    since_text: str | None,
    printing: bool,
) -> HTMLResponse:
    day = as_of or date.today()
    known_at = moment(known_text, "known_at")
    since = moment(since_text, "since")
    ledger, actor = page.ledger, page.actor
    # The use cases refuse another street's clerk (Forbidden: the refusal page).
    view = redact(actor, ledger.worker_view(actor, worker_id, day, known_at))
    history = redact(actor, ledger.worker_history(actor, worker_id, known_at))
    schedule = ledger.schedule(known_at)
    worker = ledger.load(worker_id, Worker, known_at)
    state = worker.state(schedule, day)
    units = quota.unit_index(get_read_models(page.request).store)
    return page.render(
        "person.html",
        section="search",
        printing=printing,
        worker=view,
        as_of=day,
        controls={
            "as_of": day.isoformat(),
            "known_at": _local(known_at),
            "since": _local(since),
        },
        since=_when(page, since) if since else None,
        known=_when(page, known_at) if known_at else None,
        card=card(page, view, units, day, schedule),
        flags=flags(page, view, state, schedule),
        timeline=timeline(page, history, units, since, schedule),
        chart=grade_chart(page, worker, schedule, day),
        query=page.request.url.query,
        printed=_when(page, datetime.now(CHINA)),
    )


def _local(value: datetime | None) -> str:
    """A moment as a datetime-local field shows it: China's time, to the second."""
    return value.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M:%S") if value else ""


def _when(page: Page, value: datetime | str) -> str:
    moment_ = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = moment_.astimezone(CHINA)
    return f"{fmt_date(local.date(), page.locale)} {local:%H:%M:%S}"


def _label(page: Page, kind: type[Labelled], code: str | None) -> str:
    return page.label(kind(code)) if code else "—"


def unit_path(units: dict[str, dict[str, Any]], unit_id: str) -> list[dict[str, Any]]:
    """District › street › community, top first."""
    chain = []
    current: str | None = unit_id
    while current in units:
        chain.append(units[current])
        current = units[current]["parent_id"]
    return chain[::-1]


def card(
    page: Page,
    view: dict[str, Any],
    units: dict[str, dict[str, Any]],
    day: date,
    schedule: PolicySchedule,
) -> dict[str, Any]:
    """The card on ``day``: the post the worker holds then, named by the version in
    force that day (``schedule``: as known at the page's 知情时间)."""
    pay = view["pay"]
    path = unit_path(units, view["unit_id"])
    # A clerk's links stop at their own unit: the units above it would answer a refusal.
    ids = [step["unit_id"] for step in path]
    mine = str(page.actor.unit_id) if page.actor.is_scoped else None
    linked = ids.index(mine) if mine in ids else (len(ids) if mine else 0)
    return {
        "name": view["name"],
        "gender": _label(page, Gender, view["gender"]),
        "birth_date": view["birth_date"],
        "id_number": view["id_number"],
        "path": [{**step, "link": index >= linked} for index, step in enumerate(path)],
        "post": page.post_text(view, day, schedule),
        "grade": view["grade"],
        "coefficient": pay["coefficient"] if pay else None,
        "education": _label(page, Education, view["education"]),
        "certificate": _label(page, CertificateLevel, view["certificate"]),
        "channel": _label(page, Channel, view["channel"]),
        "status": _label(page, WorkerStatus, view["status"]),
        "hire_date": view["hire_date"],
        "pay": pay,
        "pay_month": _month(page, pay["month"]) if pay else None,
    }


def _month(page: Page, month: str) -> str:
    year, number = month.split("-")
    return page.t("page.person.month", year=int(year), month=int(number))


def flags(
    page: Page, view: dict[str, Any], state: WorkerState, schedule: PolicySchedule
) -> list[dict[str, Any]]:
    """Each flag the rules raised on the card's date, with the appraisals that cause it
    and the rule and policy version that judged it."""

    def appraisals(years: Sequence[int]) -> list[str]:
        return [
            page.t("page.person.appraisal", year=y, rating=page.label(state.appraisals[y]))
            for y in years
            if y in state.appraisals
        ]

    found = []
    for due in view["steps_due"]:
        found.append(
            {
                "kind": "step_due",
                "tone": "warn",
                "day": due["effective_date"],
                "rule": page.t("rule.step"),
                "version": due["policy_version"],
                "appraisals": appraisals(due["caused_by_years"]),
            }
        )
    if view["flags"]["promotion_candidate"]:
        years = rules.promotion_causes(state, schedule)
        judged = schedule.version_on(state.appraisal_dates[years[-1]]) if years else None
        found.append(
            {
                "kind": "promotion_candidate",
                "tone": "good",
                "day": None,
                "rule": page.t(
                    "rule.promotion",
                    years=judged.policy.promotion_excellent_years if judged else "",
                ),
                "version": judged.version if judged else None,
                "appraisals": appraisals(years),
            }
        )
    if view["flags"]["dismissal_required"]:
        years = rules.dismissal_causes(state, schedule)
        judged = schedule.version_on(state.appraisal_dates[years[-1]]) if years else None
        found.append(
            {
                "kind": "dismissal_required",
                "tone": "bad",
                "day": view["flags"]["dismissal_due_date"],
                "rule": page.t(
                    "rule.dismissal",
                    years=judged.policy.dismissal_unqualified_years if judged else "",
                ),
                "version": judged.version if judged else None,
                "appraisals": appraisals(years),
            }
        )
    for flag in found:
        flag["why"] = page.t(
            "page.person.flag_reason",
            appraisals="、".join(flag["appraisals"]),
            rule=flag["rule"],
            policy=page.t("page.person.policy", version=flag["version"]),
        )
    return found


def timeline(
    page: Page,
    history: list[dict[str, Any]],
    units: dict[str, dict[str, Any]],
    since: datetime | None,
    schedule: PolicySchedule,
) -> list[dict[str, Any]]:
    """Every fact in words, in effective-date order; a correction sits inside the
    appraisal it corrects, which keeps its first rating visible. The labels and unit
    names are the API's (api/history.py), in the page's language; a post is named by
    the version in force on the fact's date (``schedule``: as known at the page's
    知情时间), the code as recorded."""
    items: list[dict[str, Any]] = []
    appraisals: dict[int, dict[str, Any]] = {}
    ratings: dict[int, str] = {}  # each year's rating so far, in recorded order
    names = {unit_id: str(unit["name"]) for unit_id, unit in units.items()}
    # A post as recorded, named by the version in force on the fact's date under the
    # schedule the page reads (as known at its 知情时间): the API's label, in the page's language.
    for fact in labelled(history, names, schedule, page.locale):
        data = fact["data"]
        kind = fact["type"]
        item = {
            "type": kind,
            "label": fact["type_label"],
            "effective_date": fact["effective_date"],
            "text": describe(page, fact, ratings),
            "recorded": page.t(
                "page.person.recorded",
                when=_when(page, fact["recorded_at"]),
                who=fact["recorded_by"],
            ),
            "reason": reason(page, kind, data),
            "document_ref": data.get("document_ref") or "",
            "new": since is not None and datetime.fromisoformat(fact["recorded_at"]) > since,
            "corrected": False,
            "corrections": [],
            "version": fact["version"],
        }
        if kind == "Appraised":
            appraisals[data["year"]] = item
            ratings[data["year"]] = data["rating"]
        if kind == "AppraisalCorrected" and data["year"] in appraisals:
            ratings[data["year"]] = data["rating"]
            target = appraisals[data["year"]]
            target["corrected"] = True
            target["corrections"].append(item)
            continue
        items.append(item)
    return items


def describe(page: Page, fact: dict[str, Any], ratings: dict[int, str]) -> str:
    """What happened, in words: a fact shaped by ``labelled``, codes by their labels
    and units by their names."""
    kind, data = fact["type"], fact["data"]
    key = f"fact.{kind}.text"
    if key not in catalogue.entries(page.locale):
        return ""
    unit = fact["unit_name"] or fact["unit_id"]
    if kind == "Hired":
        return page.t(
            key,
            unit=unit,
            post=data["post_label"],
            grade=data["grade"],
            education=data["education_label"],
            channel=data["channel_label"],
        )
    if kind == "Appraised":
        return page.t(key, year=data["year"], rating=data["rating_label"])
    if kind == "AppraisalCorrected":
        old = ratings.get(data["year"])
        return page.t(
            key, year=data["year"], rating=data["rating_label"], old=_label(page, Rating, old)
        )
    if kind == "GradeChanged":
        return page.t(key, grade=data["grade"])
    if kind == "GradeStepped":
        years = "、".join(str(y) for y in data["caused_by_years"])
        return page.t(key, years=years, version=data["policy_version"])
    if kind == "PostChanged":
        return page.t(key, post=data["post_label"])
    if kind == "Transferred":
        return page.t(key, unit=unit)
    if kind == "EducationUpgraded":
        return page.t(key, education=data["education_label"])
    if kind == "CertificateObtained":
        return page.t(key, level=data["level_label"])
    return page.t(key)


def reason(page: Page, kind: str, data: dict[str, Any]) -> str:
    """Why, in words: a coded reason's label, a correction's stated reason, the note."""
    parts = []
    if data.get("reason_label"):
        parts.append(str(data["reason_label"]))
    elif kind == "GradeStepped":
        parts.append(page.t("rule.step"))
    elif kind == "AppraisalCorrected" and data.get("reason"):
        parts.append(str(data["reason"]))
    if data.get("note"):
        parts.append(str(data["note"]))
    return ";".join(parts) if page.locale == catalogue.ZH else "; ".join(parts)


def grade_chart(
    page: Page, worker: Worker, schedule: PolicySchedule, as_of: date
) -> dict[str, Any]:
    """ECharts: the grade as a step line from the hire to the card's date."""
    points: list[list[Any]] = []
    end = as_of
    for start, state in states(worker.facts, schedule):
        if start > as_of:
            break
        if state.status is not WorkerStatus.ACTIVE:
            end = min(end, start)
            break
        if not points or points[-1][1] != state.grade:
            points.append([start.isoformat(), state.grade])
    if points:
        points.append([end.isoformat(), points[-1][1]])
    name = page.t("field.grade")
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 24, "top": 24, "bottom": 32},
        "xAxis": {"type": "time"},
        "yAxis": {"type": "value", "minInterval": 1, "min": 1, "name": name},
        "series": [{"name": name, "type": "line", "step": "end", "data": points}],
    }
