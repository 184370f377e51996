"""The rules' outcomes on a date, from rm_rule_steps and rm_rule_flags: rows valid on that day."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from domain.catalogue import ZH
from domain.policy import PolicySchedule
from domain.vocabulary import Rating
from projections.models.rules import DISMISSAL, PROMOTION
from projections.queries.posts import Posts, posts_on
from projections.queries.scope import within
from projections.sql import ReadStore

_STEPS = """SELECT s.worker_id, w.name, s.unit_id, s.post, s.grade, s.new_grade,
       s.effective_date, s.caused_by, s.policy_version
FROM rm_rule_steps s JOIN rm_workers w ON w.worker_id = s.worker_id
WHERE s.valid_from <= %s AND (s.valid_to IS NULL OR s.valid_to > %s)"""
_FLAGS = """SELECT f.worker_id, w.name, f.unit_id, f.post, f.grade, f.since, f.due_date, f.years
FROM rm_rule_flags f JOIN rm_workers w ON w.worker_id = f.worker_id
WHERE f.flag = %s AND f.valid_from <= %s AND (f.valid_to IS NULL OR f.valid_to > %s)"""


def _select(
    store: ReadStore,
    statement: str,
    alias: str,
    params: list[Any],
    root: str | None,
    then: str = "",
) -> list[tuple[Any, ...]]:
    with store.transaction() as tx:
        if root is not None:
            condition, units = within(tx, f"{alias}.unit_id", root)
            statement, params = f"{statement} AND {condition}", [*params, *units]
        return tx.query(f"{statement} ORDER BY {alias}.worker_id{then}", params)


def steps_due(
    store: ReadStore,
    root: str | None,
    as_of: date,
    schedule: PolicySchedule,
    locale: str = ZH,
) -> list[dict[str, Any]]:
    """The three-year steps due by ``as_of`` and not recorded, each with its causes; posts
    labelled as the version in force on ``as_of`` names them."""
    posts = posts_on(schedule, as_of, locale)
    day = as_of.isoformat()
    rows = _select(store, _STEPS, "s", [day, day], root, ", s.ordinal")
    items = []
    for worker_id, name, unit_id, post, grade, new_grade, effective, caused, version in rows:
        items.append(
            {
                **_who(posts, worker_id, name, unit_id, post, grade),
                "new_grade": new_grade,
                "effective_date": effective,
                "caused_by": _years(caused),
                "policy_version": version,
            }
        )
    return items


def promotion_candidates(
    store: ReadStore,
    root: str | None,
    as_of: date,
    schedule: PolicySchedule,
    locale: str = ZH,
) -> list[dict[str, Any]]:
    """Workers with three consecutive excellent years on ``as_of``, since when."""
    posts = posts_on(schedule, as_of, locale)
    return [
        {**_who(posts, *row[:5]), "since": row[5], "excellent_years": _years(row[7])}
        for row in _flagged(store, PROMOTION, root, as_of)
    ]


def dismissals_required(
    store: ReadStore,
    root: str | None,
    as_of: date,
    schedule: PolicySchedule,
    locale: str = ZH,
) -> list[dict[str, Any]]:
    """Workers whose dismissal the rules require on ``as_of``, since when and by when."""
    posts = posts_on(schedule, as_of, locale)
    return [
        {
            **_who(posts, *row[:5]),
            "since": row[5],
            "due_date": row[6],
            "overdue": row[6] < as_of.isoformat(),
            "unqualified_years": _years(row[7]),
        }
        for row in _flagged(store, DISMISSAL, root, as_of)
    ]


def _flagged(store: ReadStore, flag: str, root: str | None, as_of: date) -> list[tuple[Any, ...]]:
    day = as_of.isoformat()
    return _select(store, _FLAGS, "f", [flag, day, day], root)


def _who(
    posts: Posts, worker_id: str, name: str, unit_id: str, post: str, grade: int
) -> dict[str, Any]:
    return {
        "worker_id": worker_id,
        "name": name,
        "unit_id": unit_id,
        "post": post,
        "post_label": posts.label(post),
        "grade": grade,
    }


def _years(stored: str) -> list[dict[str, Any]]:
    return [
        {"year": y["year"], "rating": y["rating"], "rating_label": Rating(y["rating"]).label}
        for y in json.loads(stored)
    ]
