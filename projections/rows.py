"""Rows of the read models, derived from aggregates and their events."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from domain.policy import PolicySchedule
from domain.timeline import states
from domain.unit import Unit
from domain.worker import Worker
from ledger import views


def worker_row(worker: Worker) -> tuple[Any, ...]:
    person = worker.person
    hire = worker.hire_fact
    return (
        str(worker.id),
        person.name,
        person.gender.value,
        person.birth_date.isoformat(),
        hire.channel.value,
        hire.effective_date.isoformat(),
        worker.version,
    )


def period_rows(worker: Worker, schedule: PolicySchedule) -> list[tuple[Any, ...]]:
    changes = states(worker.facts, schedule)
    rows = []
    for index, (start, state) in enumerate(changes):
        end = changes[index + 1][0].isoformat() if index + 1 < len(changes) else None
        rows.append(
            (
                str(worker.id),
                start.isoformat(),
                end,
                str(state.unit_id),
                state.status.value,
                state.post.value,
                state.grade,
                state.education.value,
                state.certificate.value if state.certificate else None,
            )
        )
    return rows


def history_rows(worker_id: str, events: Iterable[Any]) -> list[tuple[Any, ...]]:
    """The worker's recorded facts, each with its recorded time and author."""
    rows = []
    for item in views.history(list(events)):
        rows.append(
            (
                worker_id,
                item["version"],
                item["type"],
                item["effective_date"],
                item["recorded_at"],
                item["recorded_by"],
                item["request_id"],
                json.dumps(item["data"], ensure_ascii=False, sort_keys=True),
            )
        )
    return rows


def unit_row(unit: Unit) -> tuple[Any, ...]:
    return (
        str(unit.id),
        unit.name,
        unit.kind.value,
        str(unit.parent_id) if unit.parent_id else None,
        unit.unit_class,
        unit.version,
    )


def approval_rows(unit: Unit) -> list[tuple[Any, ...]]:
    return [
        (str(unit.id), seq, a.effective_date.isoformat(), a.quota, a.document_ref)
        for seq, a in enumerate(unit.approvals, start=1)
    ]
