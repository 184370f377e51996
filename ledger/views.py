"""Answers as plain JSON-ready dicts: codes with their Chinese labels, money as strings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.access import AccessToken
from domain.pay import pay_for_month
from domain.policy import Policy, PolicySchedule
from domain.rules import dismissal_due, promotion_candidate, step_clock
from domain.unit import Unit
from domain.vocabulary import Labelled, WorkerStatus, step_rule_label
from domain.worker import Worker

BASE_FIELDS = {
    "originator_id",
    "originator_version",
    "timestamp",
    "originator_topic",
    "recorded_by",
    "request_id",
    "chain_hash",  # integrity, not a fact: ``ledger verify`` reads it from the store
}


def coded(name: str, value: Labelled | None) -> dict[str, Any]:
    return {name: value.value if value else None, f"{name}_label": value.label if value else None}


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def worker(
    worker: Worker,
    schedule: PolicySchedule,
    as_of: date,
    *,
    known_at: datetime | None,
) -> dict[str, Any]:
    """The whole record, identifiers included: the API masks them by role (api/personal.py)."""
    state = worker.state(schedule, as_of)
    clock = step_clock(state, schedule)
    due_by = dismissal_due(state, schedule)
    pay = pay_for_month(worker.facts, schedule, as_of.strftime("%Y-%m"))
    person = worker.person
    return {
        "worker_id": str(worker.id),
        "name": person.name,
        **coded("gender", person.gender),
        "birth_date": person.birth_date.isoformat(),
        "id_number": person.id_number,
        "unit_id": str(state.unit_id),
        "post": state.post,
        "post_label": schedule.on(as_of).post_label(state.post),
        "grade": state.grade,
        **coded("education", state.education),
        **coded("certificate", state.certificate),
        **coded("channel", state.channel),
        **coded("status", state.status),
        "hire_date": state.hire_date.isoformat(),
        "dismissal_date": state.dismissal_date.isoformat() if state.dismissal_date else None,
        "step_clock_years": clock.years,
        "steps_due": [
            {
                "effective_date": d.effective_date.isoformat(),
                "caused_by_years": list(d.caused_by_years),
                "policy_version": d.policy_version,
            }
            for d in clock.due
        ],
        "flags": {
            "promotion_candidate": promotion_candidate(state, schedule),
            "dismissal_required": due_by is not None,
            "dismissal_due_date": due_by.isoformat() if due_by else None,
        },
        "monthly_pay": money(pay.total) if pay else None,
        "pay": (
            {
                "month": pay.month,
                "coefficient": str(pay.coefficient),
                "base": money(pay.base),
                "allowance": money(pay.allowance),
                "total": money(pay.total),
                "city_share": money(pay.city_share),
                "local_share": money(pay.local_share),
                "policy_version": pay.policy_version,
                "basic": money(pay.basic),
                "performance": money(pay.performance),
                "performance_rating": (
                    pay.performance_rating.value if pay.performance_rating else None
                ),
            }
            if pay
            else None
        ),
        "as_of": as_of.isoformat(),
        "known_at": known_at.isoformat() if known_at else None,
        "version": worker.version,
    }


def history(events: Sequence[Any]) -> list[dict[str, Any]]:
    """Every recorded fact in effective-date order (recorded order breaks ties)."""
    items = []
    hire_date: date | None = None
    for event in events:
        data = {k: _plain(v) for k, v in event.__dict__.items() if k not in BASE_FIELDS}
        kind = type(event).__name__
        effective = data.get("effective_date") or data.get("hire_date")
        if kind == "Hired":
            hire_date = event.hire_date
        item: dict[str, Any] = {
            "type": kind,
            "effective_date": effective or (hire_date.isoformat() if hire_date else None),
            "recorded_at": event.timestamp.isoformat(),
            "recorded_by": event.recorded_by,
            "request_id": event.request_id,
            "version": event.originator_version,
            "data": data,
        }
        if kind == "GradeStepped":
            data["rule_label"] = step_rule_label(data["interval_years"])
            item["caused_by"] = [
                {"type": "Appraised", "year": year} for year in data["caused_by_years"]
            ]
        if kind == "AppraisalCorrected":
            item["corrects"] = {"type": "Appraised", "year": data["year"]}
        items.append(item)
    items.sort(key=lambda i: (i["effective_date"] or "", i["version"]))
    return items


_AS_IS = frozenset({str, int, bool, float, type(None)})


def _plain(value: Any) -> Any:
    if type(value) in _AS_IS:  # most fields: decided without the isinstance checks below
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def unit_summary(unit: Unit) -> dict[str, Any]:
    return {
        "unit_id": str(unit.id),
        "name": unit.name,
        **coded("kind", unit.kind),
        "parent_id": str(unit.parent_id) if unit.parent_id else None,
        "class": unit.unit_class,
        "children": len(unit.children),
    }


def unit(unit: Unit, schedule: PolicySchedule, as_of: date) -> dict[str, Any]:
    policy = schedule.on(as_of)
    approval = unit.approval_on(as_of)
    latest = max(unit.approvals, key=lambda a: a.effective_date, default=None)
    # A review falls due by the rule in force when the quota was approved.
    review_due = (
        add_years(latest.effective_date, schedule.on(latest.effective_date).quota_review_years)
        if latest
        else None
    )
    headcount = unit.headcount_on(as_of)
    counts = unit.counts_on(as_of)
    return {
        "unit_id": str(unit.id),
        "name": unit.name,
        **coded("kind", unit.kind),
        "parent_id": str(unit.parent_id) if unit.parent_id else None,
        "class": unit.unit_class,
        "households": counts.households,
        "grids": counts.grids,
        "population": counts.population,
        "children": [str(c) for c in unit.children],
        "computed_quota": policy.computed_quota(unit.kind, unit.unit_class, counts),
        "approved_quota": approval.quota if approval else None,
        "approval": (
            {
                "quota": approval.quota,
                "effective_date": approval.effective_date.isoformat(),
                "document_ref": approval.document_ref,
            }
            if approval
            else None
        ),
        "quota_review_due": review_due.isoformat() if review_due else None,
        "headcount": headcount,
        "headroom": approval.quota - headcount if approval else None,
        "dispatch_headcount": {str(y): n for y, n in sorted(unit.dispatch_headcount.items())},
        "as_of": as_of.isoformat(),
        "version": unit.version,
    }


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28) + timedelta(days=1)


def posts_on(workers: Iterable[Worker], schedule: PolicySchedule, as_of: date) -> Counter[str]:
    counts: Counter[str] = Counter()
    for w in workers:
        state = w.state(schedule, as_of)
        if state.status is WorkerStatus.ACTIVE:
            counts[state.post] += 1
    return counts


def quota_usage(
    unit: Unit, subtree: Sequence[Unit], posts: Counter[str], as_of: date, policy: Policy
) -> dict[str, Any]:
    """Usage on ``as_of`` by the posts of ``policy``, the version in force then."""
    approval = unit.approval_on(as_of)
    approved = approval.quota if approval else None
    headcount = unit.headcount_on(as_of)
    sub_approved = 0
    sub_headcount = 0
    for member in subtree:
        member_approval = member.approval_on(as_of)
        sub_approved += member_approval.quota if member_approval else 0
        sub_headcount += member.headcount_on(as_of)
    return {
        "unit_id": str(unit.id),
        "name": unit.name,
        "as_of": as_of.isoformat(),
        "approved_quota": approved,
        "headcount": headcount,
        "headroom": approved - headcount if approved is not None else None,
        "by_post": {code: posts.get(code, 0) for code in policy.post_codes},
        "by_post_labels": {p.code: p.label_zh for p in policy.posts},
        "subtree": {
            "units": len(subtree),
            "approved_quota": sub_approved,
            "headcount": sub_headcount,
            "headroom": sub_approved - sub_headcount,
        },
    }


def token(token: AccessToken) -> dict[str, Any]:
    """A token as listed to admins: who holds it and until when, never its secret or hash."""
    return {
        "token_id": str(token.id),
        "name": token.name,
        **coded("role", token.role),
        "unit_id": str(token.unit_id) if token.unit_id else None,
        "issued_at": token.created_on.isoformat(),
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "revoked": token.revoked,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
        "revocation_reason": token.revocation_reason,
    }
