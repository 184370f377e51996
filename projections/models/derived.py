"""A worker's states over time, derived once and shared by every read model.

The projector and the rebuild call each model in turn for the same worker;
without this each would replay the worker's whole timeline again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from domain.facts import Fact
from domain.policy import PolicySchedule
from domain.rules import StepClock, step_clock_with_states
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


_clock: tuple[WorkerState, PolicySchedule, StepClock, list[tuple[date, WorkerState]]] | None = None


def last_clock(changes: Sequence[tuple[date, WorkerState]], schedule: PolicySchedule) -> StepClock:
    """``step_clock`` of the last of a worker's states, given them all, remembered: the
    rules model asks it for the worker's last stretch, and the replayed-pay model for
    the same states when no recorded step or policy-given grade sets its career apart."""
    return clocked_states(changes, schedule)[0]


def clocked_states(
    changes: Sequence[tuple[date, WorkerState]], schedule: PolicySchedule
) -> tuple[StepClock, list[tuple[date, WorkerState]]]:
    """``step_clock_with_states`` of the last of a worker's states, given them all,
    remembered: ``last_clock``, and the states with the steps due that the replayed-pay
    model derives (the clock's pass carries them forward, so they cost little more).

    Keyed on the very state object (held, so its identity cannot be reused) and on the
    schedule object: the states up to and ending with it are the ones it came with.
    """
    global _clock
    state = changes[-1][1]
    if _clock is not None and _clock[0] is state and _clock[1] is schedule:
        return _clock[2], _clock[3]
    clock, stepped = step_clock_with_states(state, schedule, changes)
    _clock = (state, schedule, clock, stepped)
    return clock, stepped


_id: tuple[UUID, str] | None = None


def id_text(aggregate_id: UUID) -> str:
    """``str(aggregate_id)`` for the aggregate being derived, remembered: each of its
    models names it in every row (keyed on the very id object, held)."""
    global _id
    if _id is not None and _id[0] is aggregate_id:
        return _id[1]
    text = str(aggregate_id)
    _id = (aggregate_id, text)
    return text


# What ``json.dumps(value, ensure_ascii=False, sort_keys=True)`` writes, by the C encoder
# that call uses (made as ``JSONEncoder.iterencode`` makes it), made once: ``encode`` makes
# one per call, with a dict to catch circular values, which rows' plain data cannot hold.
_encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
_make = getattr(json.encoder, "c_make_encoder", None)
_sorted_json: Any = _make and _make(
    None,
    _encoder.default,
    json.encoder.encode_basestring,
    _encoder.indent,
    _encoder.key_separator,
    _encoder.item_separator,
    _encoder.sort_keys,
    _encoder.skipkeys,
    _encoder.allow_nan,
)


def json_text(value: dict[str, Any]) -> str:
    """``json.dumps(value, ensure_ascii=False, sort_keys=True)``, faster (a history or
    activity row's data)."""
    if _sorted_json is None:  # a Python without the C encoder
        return _encoder.encode(value)
    return "".join(_sorted_json(value, 0))


def unit_text(unit_id: UUID) -> str:
    """``str(unit_id)``, remembered: the rows name a unit once per period, and formatting
    a UUID is slow in Python. Units are few (tens of thousands in a province)."""
    text = _texts.get(unit_id)
    if text is None:
        text = _texts[unit_id] = str(unit_id)
    return text
