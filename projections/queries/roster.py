"""The roster: every worker's state on a date, from rm_workers and rm_worker_periods.

Pages are keyed on ``worker_id`` (keyset pagination), so a page costs the
same however deep into the roster it is, and a hire recorded between two
pages never shifts or repeats a row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from domain.errors import InvalidInput
from domain.vocabulary import CertificateLevel, Education, Post, WorkerStatus
from projections.queries.scope import within
from projections.sql import ReadStore

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
    root: str | None = None  # a unit whose whole subtree is asked for; None: every unit
    post: Post | None = None
    status: WorkerStatus | None = None


def page(store: ReadStore, where: RosterFilter, after: str, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` workers with ``worker_id`` above ``after``, in ``worker_id`` order."""
    day = where.as_of.isoformat()
    statement = "SELECT * FROM (" + _ROWS
    params: list[Any] = [day, day, day, day, day, after]
    with store.transaction() as tx:
        if where.root is not None:
            condition, units = within(tx, "p.unit_id", where.root)
            statement += " AND " + condition
            params += units
        statement = _rest(statement, params, where, limit)
        return [_item(row) for row in tx.query(statement, params)]


def _rest(statement: str, params: list[Any], where: RosterFilter, limit: int) -> str:
    """The filters after the subtree's, the order and the page size; adds their parameters."""
    if where.post is not None:
        statement += " AND p.post = %s"
        params.append(where.post.value)
    statement += ") r"
    if where.status is not None:
        statement += " WHERE r.status = %s"
        params.append(where.status.value)
    statement += " ORDER BY r.worker_id LIMIT %s"
    params.append(limit)
    return statement


def every(store: ReadStore, where: RosterFilter, chunk: int = 1000) -> Iterator[dict[str, Any]]:
    """Every matching worker, read a chunk at a time so the whole roster is never in memory."""
    after = ""
    while rows := page(store, where, after, chunk):
        yield from rows
        after = rows[-1]["worker_id"]


def _item(row: tuple[Any, ...]) -> dict[str, Any]:
    worker_id, name, unit_id, unit_name, post, grade, education, certificate, status, hired = row
    post_code = Post(post)
    education_code = Education(education)
    certificate_code = CertificateLevel(certificate) if certificate else None
    status_code = WorkerStatus(status)
    return {
        "worker_id": worker_id,
        "name": name,
        "unit_id": unit_id,
        "unit_name": unit_name,
        "post": post_code.value,
        "post_label": post_code.label,
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
        message = "the cursor is not one this roster handed out"
        raise InvalidInput(message, field="cursor") from error
