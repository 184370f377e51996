"""Which units a report covers: a unit's subtree, checked against the caller's scope."""

from __future__ import annotations

from uuid import UUID

from domain.access import Actor
from domain.errors import Forbidden, NotFound
from projections.sql import ReadStore

# Prepended to a query that then filters on ``unit_id IN (SELECT unit_id FROM subtree)``;
# its one parameter is the subtree's root.
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
    if unit_id is None:
        return str(actor.unit_id) if actor.is_scoped and actor.unit_id else None
    chain = ancestry(store, str(unit_id))
    if not chain:
        raise NotFound(f"no unit {unit_id}", field=field)
    if actor.is_scoped and str(actor.unit_id) not in chain:
        raise Forbidden(f"your token may only read within unit {actor.unit_id}", field=field)
    return str(unit_id)
