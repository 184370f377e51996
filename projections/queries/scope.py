"""Which units a report covers: a unit's subtree, checked against the caller's scope."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.access import Actor, scope_root
from domain.catalogue import Term
from domain.errors import NotFound
from projections.sql import ReadStore, Transaction, one_of

# The units of a subtree; its one parameter is the subtree's root. Reports resolve it first
# and filter on the list (``within``), never on this CTE inside their own query.
SUBTREE = """WITH RECURSIVE subtree(unit_id) AS (
    SELECT unit_id FROM rm_units WHERE unit_id = %s
    UNION ALL
    SELECT u.unit_id FROM rm_units u JOIN subtree s ON u.parent_id = s.unit_id
)
"""

_ANCESTRY = """WITH RECURSIVE chain(unit_id, parent_id) AS (
    SELECT unit_id, parent_id FROM rm_units WHERE unit_id = %s
    UNION ALL
    SELECT u.unit_id, u.parent_id FROM rm_units u JOIN chain c ON u.unit_id = c.parent_id
)
SELECT unit_id FROM chain"""


def within(reader: ReadStore | Transaction, column: str, root: str) -> tuple[str, list[Any]]:
    """A condition keeping the rows whose ``column`` is a unit of ``root``'s subtree, and
    its one parameter: the subtree's unit ids, read first.

    Given the ids as one array, PostgreSQL estimates the rows per unit and reads the
    ``(unit_id, ...)`` indexes; given the recursive CTE inside the report's query, it
    guessed ~1,400 units whatever the subtree and scanned every period of every worker
    (a street office's roster page on 30,000 workers: 490 ms before, 40 ms after).
    """
    found = reader.query(SUBTREE + "SELECT unit_id FROM subtree", (root,))
    return one_of(reader.dialect, column, [row[0] for row in found])


def ancestry(store: ReadStore, unit_id: str) -> list[str]:
    """The unit and every unit above it; empty when there is no such unit."""
    return [row[0] for row in store.query(_ANCESTRY, (unit_id,))]


def report_root(
    store: ReadStore, actor: Actor, unit_id: UUID | None, *, field: str | None = "unit_id"
) -> str | None:
    """The root of the subtree a report covers; ``None`` means every unit.

    A clerk reads only their own unit's subtree: asking for nothing gives that
    subtree, asking for a unit outside it is refused.
    """

    def known(unit: str) -> list[str]:
        chain = ancestry(store, unit)
        if not chain:
            raise NotFound.because("no_such", field=field, kind=Term("unit"), id=unit)
        return chain

    return scope_root(actor, str(unit_id) if unit_id else None, known, str, field=field)
