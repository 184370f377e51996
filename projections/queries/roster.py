"""The roster: every worker's state on a date, from rm_workers and rm_worker_periods.

Pages are keyed on ``worker_id`` (keyset pagination), so a page costs the
same however deep into the roster it is, and a hire recorded between two
pages never shifts or repeats a row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from domain import limits
from domain.catalogue import ZH
from domain.errors import Forbidden, InvalidInput
from domain.policy import PolicySchedule
from domain.vocabulary import CertificateLevel, Education, WorkerStatus
from projections.queries.posts import Posts, posts_on
from projections.queries.scope import within
from projections.sql import ReadStore, one_of

COLUMNS = (
    "worker_id",
    "name",
    "unit_id",
    "unit_name",
    "post",
    "post_label",
    "grade",
    "education",
    "education_label",
    "certificate",
    "certificate_label",
    "status",
    "status_label",
    "hire_date",
)

# Before the hire date a worker is not yet hired, shown as on the first day (the first
# period, with every fact dated on the hire date); from then on, the period holding.
_ROWS = """
SELECT w.worker_id, w.name, p.unit_id, u.name, p.post, p.grade, p.education, p.certificate,
       CASE WHEN w.hire_date > %s THEN 'not_yet_hired' ELSE p.status END AS status,
       w.hire_date
FROM rm_workers w
JOIN rm_worker_periods p ON p.worker_id = w.worker_id
LEFT JOIN rm_units u ON u.unit_id = p.unit_id
WHERE ((w.hire_date > %s AND p.valid_from = w.hire_date)
    OR (w.hire_date <= %s AND p.valid_from <= %s AND (p.valid_to IS NULL OR p.valid_to > %s)))
  AND w.worker_id > %s"""


@dataclass(frozen=True)
class RosterFilter:
    as_of: date
    # The posts: which codes ``post`` may name, and the labels, are the version's in force
    # on ``as_of``; labels in ``locale``.
    schedule: PolicySchedule
    root: str | None = None  # a unit whose whole subtree is asked for; None: every unit
    post: str | None = None  # a post code of the version in force on ``as_of``
    status: WorkerStatus | None = None
    grade: int | None = None
    name_part: str | None = None  # part of a name, matched anywhere in it, any case
    id_number: str | None = None  # a full resident ID number, matched exactly
    locale: str = ZH

    def posts(self) -> Posts:
        return posts_on(self.schedule, self.as_of, self.locale)


# Digits in a query: a person's name has none, so it is (part of) an ID number.
_DIGITS = re.compile("[0-9]")


def search_terms(q: str | None, *, may_search_id_numbers: bool) -> tuple[str | None, str | None]:
    """``q`` as ``(name_part, id_number)``: digits make it an ID number, else part of a name.

    An ID number is searched only whole: a part of one would let a role that sees
    numbers masked recover them digit by digit. A role that sees no ID numbers at all
    (``may_search_id_numbers`` false) cannot search by one: refused, never ignored, so
    an empty answer always means "nobody matches".
    """
    text = (q or "").strip()
    if not text:
        return None, None
    if not _DIGITS.search(text):
        return text, None
    if not may_search_id_numbers:
        raise Forbidden.because("id_search_forbidden", field="q")
    try:
        if q != text:  # a number is written exactly (limits.SEARCH_PATTERN, as documented)
            raise ValueError(q)
        number = limits.id_number(text)
    except ValueError:
        raise InvalidInput.because(
            "id_search_whole", field="q", expected=limits.ID_NUMBER_EXPECTED
        ) from None
    return None, number


def page(store: ReadStore, where: RosterFilter, after: str, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` workers with ``worker_id`` above ``after``, in ``worker_id`` order."""
    day = where.as_of.isoformat()
    _check(where)
    posts = where.posts()
    statement = "SELECT * FROM (" + _ROWS
    params: list[Any] = [day, day, day, day, day, after]
    with store.transaction() as tx:
        if where.root is not None:
            condition, units = within(tx, "p.unit_id", where.root)
            statement += " AND " + condition
            params += units
        statement = _rest(statement, params, where, limit)
        return [_item(row, posts) for row in tx.query(statement, params)]


def _rest(statement: str, params: list[Any], where: RosterFilter, limit: int) -> str:
    """The filters after the subtree's, the order and the page size; adds their parameters.

    A name part is ``lower(name) LIKE '%part%'``: no index serves a match inside a name,
    but it is one pass over rm_workers (a row per worker) beside the periods' scan the
    roster makes anyway. An ID number is looked up in the worker's recorded ``Hired``
    fact (rm_worker_history holds each fact's fields; the roster table has no ID
    number), through that table's primary key (worker_id, then version): one index
    probe per candidate row, never a scan of the history."""
    if where.post is not None:
        statement += " AND p.post = %s"
        params.append(where.post)
    if where.grade is not None:
        statement += " AND p.grade = %s"
        params.append(where.grade)
    if where.name_part is not None:
        statement += " AND lower(w.name) LIKE %s ESCAPE '!'"
        params.append("%" + _escape_like(where.name_part.lower()) + "%")
    if where.id_number is not None:
        statement += (
            " AND EXISTS (SELECT 1 FROM rm_worker_history h WHERE h.worker_id = w.worker_id"
            " AND h.version = 1 AND h.type = 'Hired' AND h.data LIKE %s)"
        )
        params.append(f'%"id_number": "{where.id_number}"%')
    statement += ") r"
    if where.status is not None:
        statement += " WHERE r.status = %s"
        params.append(where.status.value)
    statement += " ORDER BY r.worker_id LIMIT %s"
    params.append(limit)
    return statement


def _escape_like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _check(where: RosterFilter) -> None:
    """``post`` must be a post of the version in force on ``as_of``. A period holds the
    post of the version in force over it (a dropped code mapped from the version's
    date), so such a post finds every holder, whatever code they were hired under."""
    if where.post is not None and where.schedule is not None:
        where.schedule.on(where.as_of).require_post(where.post)


def every(store: ReadStore, where: RosterFilter, chunk: int = 1000) -> Iterator[dict[str, Any]]:
    """Every matching worker, read a chunk at a time so the whole roster is never in
    memory; the filter is checked now, before the first row is asked for."""
    _check(where)
    return _every(store, where, chunk)


def _every(store: ReadStore, where: RosterFilter, chunk: int) -> Iterator[dict[str, Any]]:
    after = ""
    while rows := page(store, where, after, chunk):
        yield from rows
        after = rows[-1]["worker_id"]


def _item(row: tuple[Any, ...], posts: Posts) -> dict[str, Any]:
    worker_id, name, unit_id, unit_name, post, grade, education, certificate, status, hired = row
    education_code = Education(education)
    certificate_code = CertificateLevel(certificate) if certificate else None
    status_code = WorkerStatus(status)
    return {
        "worker_id": worker_id,
        "name": name,
        "unit_id": unit_id,
        "unit_name": unit_name,
        "post": post,
        "post_label": posts.label(post),
        "grade": grade,
        "education": education_code.value,
        "education_label": education_code.label,
        "certificate": certificate_code.value if certificate_code else None,
        "certificate_label": certificate_code.label if certificate_code else None,
        "status": status_code.value,
        "status_label": status_code.label,
        "hire_date": hired,
    }


def encode_cursor(worker_id: str) -> str:
    """The last worker of the page: clients pass it back unchanged (the API says opaque)."""
    return worker_id


def decode_cursor(cursor: str) -> str:
    """The last worker of the previous page; anything but a worker id is refused."""
    try:
        return str(UUID(cursor))
    except ValueError as error:
        raise InvalidInput.because("roster_cursor", field="cursor") from error


def id_numbers(store: ReadStore, worker_ids: list[str]) -> dict[str, str | None]:
    """Each worker's ID number as recorded on their hire (rm_worker_history's ``Hired``
    fact; the roster table has none), for one page of rows: whole, to be masked by
    the caller by role."""
    if not worker_ids:
        return {}
    with store.transaction() as tx:
        condition, params = one_of(tx.dialect, "worker_id", worker_ids)
        found = tx.query(
            "SELECT worker_id, data FROM rm_worker_history WHERE version = 1 AND "
            f"type = 'Hired' AND {condition}",
            params,
        )
    return {worker_id: json.loads(data).get("id_number") for worker_id, data in found}


def units(store: ReadStore, root: str | None) -> list[dict[str, Any]]:
    """The units of ``root``'s subtree (every unit when None) in tree order, each with its
    ``depth`` below the root: a unit picker's choices and the names of units by id."""
    rows = store.query("SELECT unit_id, name, kind, parent_id FROM rm_units ORDER BY name")
    children: dict[str | None, list[tuple[Any, ...]]] = {}
    for row in rows:
        children.setdefault(row[3], []).append(row)
    known = {row[0] for row in rows}
    if root is None:
        tops = [row for row in rows if row[3] is None or row[3] not in known]
    else:
        tops = [row for row in rows if row[0] == root]
    found: list[dict[str, Any]] = []
    stack = [(row, 0) for row in reversed(tops)]
    while stack:
        (unit_id, name, kind, _), depth = stack.pop()
        found.append({"unit_id": unit_id, "name": name, "kind": kind, "depth": depth})
        stack += [(child, depth + 1) for child in reversed(children.get(unit_id, []))]
    return found
