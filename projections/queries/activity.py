"""The activity feed: every recorded fact of a worker or unit, newest first, from
rm_activity, with the names of the worker and unit it concerns.

Filtered by author and by unit subtree (for a clerk, never beyond their own: the
caller resolves the root with ``scope.report_root``). Pages are keyed on
(recorded_at, aggregate_id, version), so a fact recorded between two pages never
shifts or repeats a row.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidInput
from projections.queries.scope import SUBTREE
from projections.sql import ReadStore, one_of

_ROWS = """
SELECT a.recorded_at, a.aggregate_id, a.version, a.aggregate_kind, a.type, a.effective_date,
       a.recorded_by, a.request_id, a.unit_id, u.name, a.from_unit_id, f.name, w.name, a.data
FROM rm_activity a
LEFT JOIN rm_units u ON u.unit_id = a.unit_id
LEFT JOIN rm_units f ON f.unit_id = a.from_unit_id
LEFT JOIN rm_workers w ON w.worker_id = a.aggregate_id
WHERE 1 = 1"""


@dataclass(frozen=True)
class ActivityFilter:
    root: str | None = None  # a unit whose subtree's activity is asked for; None: all
    author: str | None = None  # recorded_by, exactly


@dataclass(frozen=True)
class Cursor:
    """The last row of the previous page."""

    recorded_at: str
    aggregate_id: str
    version: int

    def encode(self) -> str:
        text = json.dumps([self.recorded_at, self.aggregate_id, self.version])
        return base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """A cursor made here, or refused."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            at, aggregate, version = json.loads(raw)
            if not (isinstance(at, str) and isinstance(aggregate, str)):
                raise ValueError(text)
            return cls(at, aggregate, int(version))
        except (ValueError, TypeError, UnicodeDecodeError) as error:
            raise InvalidInput.because("feed_cursor", field="after") from error


def page(
    store: ReadStore, where: ActivityFilter, limit: int, after: Cursor | None = None
) -> list[dict[str, Any]]:
    """Up to ``limit`` rows, newest first, older than ``after``."""
    statement = _ROWS
    params: list[Any] = []
    with store.transaction() as tx:
        if where.root is not None:
            units = [
                row[0] for row in tx.query(SUBTREE + "SELECT unit_id FROM subtree", (where.root,))
            ]
            into, into_params = one_of(tx.dialect, "a.unit_id", units)
            left, left_params = one_of(tx.dialect, "a.from_unit_id", units)
            statement += f" AND ({into} OR {left})"
            params += into_params + left_params
        if where.author is not None:
            statement += " AND a.recorded_by = %s"
            params.append(where.author)
        if after is not None:
            statement += (
                " AND (a.recorded_at < %s OR (a.recorded_at = %s AND (a.aggregate_id < %s"
                " OR (a.aggregate_id = %s AND a.version < %s))))"
            )
            params += [after.recorded_at, after.recorded_at, after.aggregate_id]
            params += [after.aggregate_id, after.version]
        statement += " ORDER BY a.recorded_at DESC, a.aggregate_id DESC, a.version DESC LIMIT %s"
        params.append(limit)
        return [_item(row) for row in tx.query(statement, params)]


def authors(store: ReadStore, root: str | None = None, limit: int = 200) -> list[str]:
    """Who recorded facts (in ``root``'s subtree), by name, for the feed's filter."""
    statement = "SELECT DISTINCT a.recorded_by FROM rm_activity a"
    params: list[Any] = []
    with store.transaction() as tx:
        if root is not None:
            units = [row[0] for row in tx.query(SUBTREE + "SELECT unit_id FROM subtree", (root,))]
            condition, params = one_of(tx.dialect, "a.unit_id", units)
            statement += " WHERE " + condition
        statement += " ORDER BY a.recorded_by LIMIT %s"
        return [row[0] for row in tx.query(statement, [*params, limit])]


def _item(row: tuple[Any, ...]) -> dict[str, Any]:
    (at, aggregate, version, kind, kind_of_fact, effective, by, request, unit, unit_name) = row[:10]
    from_unit, from_name, worker_name, data = row[10:]
    return {
        "recorded_at": at,
        "aggregate_id": aggregate,
        "version": version,
        "aggregate_kind": kind,
        "type": kind_of_fact,
        "effective_date": effective,
        "recorded_by": by,
        "request_id": request,
        "unit_id": unit,
        "unit_name": unit_name,
        "from_unit_id": from_unit,
        "from_unit_name": from_name,
        "worker_name": worker_name,
        "data": json.loads(data),
        "cursor": Cursor(at, aggregate, version).encode(),
    }


def units(store: ReadStore, root: str | None = None, limit: int = 300) -> list[dict[str, str]]:
    """The units a feed can be narrowed to (within ``root``'s subtree), districts and
    street offices first, then by name."""
    statement = "SELECT unit_id, name, kind FROM rm_units"
    params: list[Any] = []
    with store.transaction() as tx:
        if root is not None:
            found = tx.query(SUBTREE + "SELECT unit_id FROM subtree", (root,))
            condition, params = one_of(tx.dialect, "unit_id", [row[0] for row in found])
            statement += " WHERE " + condition
        statement += (
            " ORDER BY CASE kind WHEN 'district' THEN 0 WHEN 'street_office' THEN 1 ELSE 2 END,"
            " name LIMIT %s"
        )
        rows = tx.query(statement, [*params, limit])
    return [{"unit_id": u, "name": n, "kind": k} for u, n, k in rows]
