"""Which units a simulation covers, from the event store (the clerk-scope rule is
``domain.access.scope_root``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.access import Actor, scope_root
from domain.catalogue import Term
from domain.errors import NotFound
from domain.unit import Unit
from ledger.application import Ledger


def _unit(ledger: Ledger, unit_id: UUID, field: str | None = "unit_id") -> Unit:
    try:
        found: Any = ledger.repository.get(unit_id)
    except Exception:  # the library's AggregateNotFoundError, or another aggregate's id
        found = None
    if not isinstance(found, Unit):
        raise NotFound.because("no_such", field=field, kind=Term("unit"), id=unit_id)
    return found


def subtree(ledger: Ledger, root: UUID) -> frozenset[str]:
    """``root`` and every unit below it, from the event store (no read model needed)."""
    found: set[str] = set()
    waiting = [root]
    while waiting:
        unit = _unit(ledger, waiting.pop())
        found.add(str(unit.id))
        waiting.extend(unit.children)
    return frozenset(found)


def simulation_root(ledger: Ledger, actor: Actor, unit_id: UUID | None) -> UUID | None:
    """The subtree a simulation covers (the clerk-scope rule: ``scope_root``)."""

    def chain(unit: UUID) -> list[UUID]:
        found: list[UUID] = []
        current: UUID | None = unit
        while current is not None:
            found.append(current)
            current = _unit(ledger, current).parent_id
        return found

    return scope_root(actor, unit_id, chain, lambda own: own)
