"""Quota usage per unit on a date, and month by month, from rm_units, rm_quota_approvals
and rm_worker_periods."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.catalogue import ZH, Term
from domain.errors import NotFound
from domain.policy import PolicySchedule
from domain.vocabulary import UnitKind
from ledger import views
from projections.queries.posts import Posts, posts_on
from projections.queries.scope import SUBTREE, within
from projections.sql import ReadStore, one_of

_UNITS = "SELECT unit_id, name, kind, parent_id, unit_class FROM rm_units"
_APPROVALS = "SELECT unit_id, seq, effective_date, quota FROM rm_quota_approvals"
_HEADCOUNT = """SELECT p.unit_id, p.post, COUNT(*) FROM rm_worker_periods p
WHERE p.status = 'active' AND p.valid_from <= %s AND (p.valid_to IS NULL OR p.valid_to > %s)"""


@dataclass
class _Unit:
    unit_id: str
    name: str
    kind: UnitKind
    parent_id: str | None
    unit_class: int | None
    approved_quota: int | None = None
    latest_approval: date | None = None
    by_post: dict[str, int] = field(default_factory=dict)  # the version's codes, top first
    children: list[_Unit] = field(default_factory=list)

    @property
    def headcount(self) -> int:
        return sum(self.by_post.values())


ReviewYears = int | Callable[[date], int]


def usage(
    store: ReadStore,
    root: str | None,
    as_of: date,
    review_years: ReviewYears,
    schedule: PolicySchedule,
) -> list[dict[str, Any]]:
    """One row per unit of ``root``'s subtree (every unit when ``None``), depth first.

    Each row has the approval in force on ``as_of`` (the latest effective date
    on or before it; of two on one date, the later recorded), the active
    headcount by post, the review due ``review_years`` after the latest
    approval (a function of that approval's date: the years of the policy
    version in force on it), and the totals of the unit's own subtree. ``by_post`` is
    keyed by the posts of the version in force on ``as_of`` (``schedule``; without it,
    the four of 四岗十八级).
    """
    posts = posts_on(schedule, as_of)
    day = as_of.isoformat()
    with store.transaction() as tx:  # one snapshot for the three reads

        def read(
            statement: str, column: str, params: tuple[Any, ...] = (), tail: str = ""
        ) -> list[Any]:
            if root is None:
                return tx.query(statement + tail, params)
            joiner = " AND " if "WHERE" in statement else " WHERE "
            condition, units = within(tx, column, root)
            return tx.query(statement + joiner + condition + tail, (*params, *units))

        units = {
            row[0]: _Unit(row[0], row[1], UnitKind(row[2]), row[3], row[4], by_post=_zeros(posts))
            for row in read(_UNITS, "unit_id")
        }
        approvals = read(_APPROVALS, "unit_id")
        headcounts = read(_HEADCOUNT, "p.unit_id", (day, day), " GROUP BY p.unit_id, p.post")
    _apply_approvals(units, approvals, day)
    for unit_id, post, count in headcounts:
        if unit_id in units:
            # Periods hold the version's own posts from its date; a code it maps is
            # counted under its post all the same.
            code = posts.policy.post_of(post) if posts.policy is not None else post
            by_post = units[unit_id].by_post
            by_post[code] = by_post.get(code, 0) + count
    roots: list[_Unit] = []
    for unit in units.values():
        parent = units.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(unit)
    rows: list[dict[str, Any]] = []
    for top in sorted(roots, key=_order):
        _walk(top, rows, review_years)
    return rows


def _zeros(posts: Posts) -> dict[str, int]:
    return dict.fromkeys(posts.codes, 0)


def _apply_approvals(units: dict[str, _Unit], approvals: list[Any], day: str) -> None:
    in_force: dict[str, str] = {}  # the effective date of the approval in force so far
    # In recorded order (seq), so a later-recorded approval of the same date replaces one.
    for unit_id, _seq, effective, quota in sorted(approvals, key=lambda a: (a[0], a[1])):
        unit = units.get(unit_id)
        if unit is None:
            continue
        latest = date.fromisoformat(effective)
        if unit.latest_approval is None or latest > unit.latest_approval:
            unit.latest_approval = latest
        if in_force.get(unit_id, "") <= effective <= day:
            in_force[unit_id] = effective
            unit.approved_quota = quota


def _order(unit: _Unit) -> tuple[str, str]:
    return (unit.name, unit.unit_id)


def _walk(unit: _Unit, rows: list[dict[str, Any]], review_years: ReviewYears) -> dict[str, int]:
    """Append the rows of ``unit``'s subtree (it first); answer the subtree's totals."""
    row = _row(unit, review_years)
    rows.append(row)
    totals = {"units": 1, "approved_quota": unit.approved_quota or 0, "headcount": unit.headcount}
    for child in sorted(unit.children, key=_order):
        below = _walk(child, rows, review_years)
        for key in totals:
            totals[key] += below[key]
    row["subtree"] = {**totals, "headroom": totals["approved_quota"] - totals["headcount"]}
    return totals


def _row(unit: _Unit, review_years: ReviewYears) -> dict[str, Any]:
    review = None
    if unit.latest_approval:
        years = (
            review_years if isinstance(review_years, int) else review_years(unit.latest_approval)
        )
        review = views.add_years(unit.latest_approval, years)
    approved = unit.approved_quota
    return {
        "unit_id": unit.unit_id,
        "name": unit.name,
        "kind": unit.kind.value,
        "kind_label": unit.kind.label,
        "parent_id": unit.parent_id,
        "class": unit.unit_class,
        "approved_quota": approved,
        "headcount": unit.headcount,
        "headroom": approved - unit.headcount if approved is not None else None,
        "by_post": dict(unit.by_post),
        "quota_review_due": review.isoformat() if review else None,
    }


def totals(rows: list[dict[str, Any]], codes: Sequence[str] = ()) -> dict[str, Any]:
    """The sums over the rows, each unit counted once; ``by_post`` over ``codes`` (the
    posts of the rows' version, so an empty report still names them) and the rows' own."""
    by_post = dict.fromkeys(codes, 0)
    for row in rows:
        for code, n in row["by_post"].items():
            by_post[code] = by_post.get(code, 0) + n
    approved = sum(r["approved_quota"] or 0 for r in rows)
    headcount = sum(r["headcount"] for r in rows)
    return {
        "units": len(rows),
        "approved_quota": approved,
        "headcount": headcount,
        "headroom": approved - headcount,
        "by_post": by_post,
    }


def unit_usage(
    store: ReadStore,
    unit_id: str,
    as_of: date,
    schedule: PolicySchedule,
    locale: str = ZH,
) -> dict[str, Any]:
    """One unit's usage, by the posts of the version in force on ``as_of``, with its
    subtree's totals."""
    rows = usage(store, unit_id, as_of, 0, schedule)
    if not rows:
        raise NotFound.because("no_such", kind=Term("unit"), id=unit_id)
    row = rows[0]  # the root comes first
    return {
        "unit_id": row["unit_id"],
        "name": row["name"],
        "as_of": as_of.isoformat(),
        "approved_quota": row["approved_quota"],
        "headcount": row["headcount"],
        "headroom": row["headroom"],
        "by_post": row["by_post"],
        "by_post_labels": posts_on(schedule, as_of, locale).labels(),
        "subtree": row["subtree"],
    }


_STARTS = "SELECT p.valid_from, COUNT(*) FROM rm_worker_periods p WHERE p.status = 'active'"
_ENDS = """SELECT p.valid_to, COUNT(*) FROM rm_worker_periods p
WHERE p.status = 'active' AND p.valid_to IS NOT NULL"""


def monthly(store: ReadStore, root: str | None, until: date) -> list[dict[str, Any]]:
    """Headcount and approved quota of ``root``'s subtree (every unit when ``None``),
    month by month: the last day of each month from the first approval or the first
    active worker up to ``until``'s month, whose point is ``until`` itself.

    Each point is what :func:`usage` sums for the subtree on that day (``approved_quota``
    counts a unit without an approval as 0), from three reads, not one per month, after
    the subtree's units: the active periods' starts and ends counted by day, and the
    approvals.
    """
    with store.transaction() as tx:
        subtree = (
            None
            if root is None
            else [row[0] for row in tx.query(SUBTREE + "SELECT unit_id FROM subtree", (root,))]
        )

        def read(statement: str, column: str, tail: str = "") -> list[Any]:
            if subtree is None:
                return tx.query(statement + tail)
            joiner = " AND " if "WHERE" in statement else " WHERE "
            condition, units = one_of(tx.dialect, column, subtree)
            return tx.query(statement + joiner + condition + tail, tuple(units))

        starts = read(_STARTS, "p.unit_id", " GROUP BY p.valid_from")
        ends = read(_ENDS, "p.unit_id", " GROUP BY p.valid_to")
        approvals = read(_APPROVALS, "unit_id")
    firsts = [day for day, _ in starts] + [a[2] for a in approvals]
    if not firsts:
        return []
    first = date.fromisoformat(min(firsts))
    if first > until:
        return []
    # Both figures as steps by day: +n/-n headcount as periods start and end; for the
    # approved quota, a unit's change to the approval in force from each effective date
    # (of two on one date, the later recorded: the last in (date, seq) order).
    heads: dict[str, int] = {}
    for day, count in starts:
        heads[day] = heads.get(day, 0) + count
    for day, count in ends:
        heads[day] = heads.get(day, 0) - count
    quotas: dict[str, int] = {}
    in_force: dict[str, int] = {}
    for unit_id, _seq, effective, quota in sorted(approvals, key=lambda a: (a[0], a[2], a[1])):
        quotas[effective] = quotas.get(effective, 0) + quota - in_force.get(unit_id, 0)
        in_force[unit_id] = quota
    head_steps, quota_steps = sorted(heads.items()), sorted(quotas.items())
    points: list[dict[str, Any]] = []
    headcount = approved = 0
    at_head = at_quota = 0
    for day in _month_ends(first, until):
        text = day.isoformat()
        while at_head < len(head_steps) and head_steps[at_head][0] <= text:
            headcount += head_steps[at_head][1]
            at_head += 1
        while at_quota < len(quota_steps) and quota_steps[at_quota][0] <= text:
            approved += quota_steps[at_quota][1]
            at_quota += 1
        points.append(
            {"month": text[:7], "day": text, "approved_quota": approved, "headcount": headcount}
        )
    return points


def _month_ends(first: date, until: date) -> list[date]:
    days = []
    year, month = first.year, first.month
    while (year, month) < (until.year, until.month):
        following = date(year + (month == 12), month % 12 + 1, 1)
        days.append(following - timedelta(days=1))
        year, month = following.year, following.month
    days.append(until)
    return days


def unit_index(store: ReadStore) -> dict[str, dict[str, Any]]:
    """Every unit's name, kind and parent, by id: to name units (a path, a transfer's
    destination) without loading them. Names are not personal, so this is not scoped."""
    return {
        row[0]: {"unit_id": row[0], "name": row[1], "kind": UnitKind(row[2]), "parent_id": row[3]}
        for row in store.query(_UNITS)
    }
