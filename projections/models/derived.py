"""A worker's states over time, derived once and shared by every read model.

The projector and the rebuild call each model in turn for the same worker;
without this each would replay the worker's whole timeline again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from domain.facts import Fact
from domain.policy import PolicySchedule
from domain.timeline import WorkerState, states

_texts: dict[UUID, str] = {}

_last: tuple[Sequence[Fact], int, PolicySchedule, list[tuple[date, WorkerState]]] | None = None


def worker_states(
    facts: Sequence[Fact], schedule: PolicySchedule
) -> list[tuple[date, WorkerState]]:
    """``domain.timeline.states`` for the last worker asked about, remembered.

    Keyed on the very list of facts (held, so its identity cannot be reused) and
    its length (facts are only ever appended), and on the schedule object.
    """
    global _last
    if _last is not None and _last[0] is facts and _last[1] == len(facts) and _last[2] is schedule:
        return _last[3]
    changes = states(facts, schedule)
    _last = (facts, len(facts), schedule, changes)
    return changes


def unit_text(unit_id: UUID) -> str:
    """``str(unit_id)``, remembered: the rows name a unit once per period, and formatting
    a UUID is slow in Python. Units are few (tens of thousands in a province)."""
    text = _texts.get(unit_id)
    if text is None:
        text = _texts[unit_id] = str(unit_id)
    return text
