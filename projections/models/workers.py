"""The roster (workers and their state over time) and each worker's recorded history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from domain.policy import PolicySchedule
from domain.worker import Worker
from ledger import views
from projections.models.derived import id_text, json_text, unit_text, worker_states
from projections.tables import Index, Rows, Table

WORKERS = Table(
    "rm_workers",
    (
        ("worker_id", "TEXT PRIMARY KEY"),
        ("name", "TEXT NOT NULL"),
        ("gender", "TEXT NOT NULL"),
        ("birth_date", "TEXT NOT NULL"),
        ("channel", "TEXT NOT NULL"),
        ("hire_date", "TEXT NOT NULL"),
        ("version", "BIGINT NOT NULL"),
    ),
    owner="worker_id",
)
# The worker's state from valid_from up to (not including) valid_to; NULL: still so.
PERIODS = Table(
    "rm_worker_periods",
    (
        ("worker_id", "TEXT NOT NULL"),
        ("valid_from", "TEXT NOT NULL"),
        ("valid_to", "TEXT"),
        ("unit_id", "TEXT NOT NULL"),
        ("status", "TEXT NOT NULL"),
        ("post", "TEXT NOT NULL"),
        ("grade", "INTEGER NOT NULL"),
        ("education", "TEXT NOT NULL"),
        ("certificate", "TEXT"),
    ),
    primary_key=("worker_id", "valid_from"),
    owner="worker_id",
    indexes=(Index("rm_worker_periods_unit", ("unit_id", "valid_from")),),
)
HISTORY_TABLE = Table(
    "rm_worker_history",
    (
        ("worker_id", "TEXT NOT NULL"),
        ("version", "BIGINT NOT NULL"),
        ("type", "TEXT NOT NULL"),
        ("effective_date", "TEXT"),
        ("recorded_at", "TEXT NOT NULL"),
        ("recorded_by", "TEXT NOT NULL"),
        ("request_id", "TEXT NOT NULL"),
        ("data", "TEXT NOT NULL"),
    ),
    primary_key=("worker_id", "version"),
    owner="worker_id",
    mode="append",
)


class Roster:
    kind: Literal["worker"] = "worker"
    tables = (WORKERS, PERIODS)

    def rows(self, worker: Worker, schedule: PolicySchedule, new_events: Sequence[Any]) -> Rows:
        person = worker.person
        hire = worker.hire_fact
        changes = worker_states(worker.facts, schedule)
        key = id_text(worker.id)
        days = [start.isoformat() for start, _ in changes]
        periods = []
        # ``_value_`` is the member's value without the ``value`` property's lookup.
        for index, (_, state) in enumerate(changes):
            certificate = state.certificate
            periods.append(
                (
                    key,
                    days[index],
                    days[index + 1] if index + 1 < len(days) else None,
                    unit_text(state.unit_id),
                    state.status._value_,
                    state.post,
                    state.grade,
                    state.education._value_,
                    certificate._value_ if certificate else None,
                )
            )
        return {
            WORKERS.name: [
                (
                    key,
                    person.name,
                    person.gender.value,
                    person.birth_date.isoformat(),
                    hire.channel.value,
                    hire.effective_date.isoformat(),
                    worker.version,
                )
            ],
            PERIODS.name: periods,
        }


class History:
    """Every recorded fact with its effective date, recorded time and author."""

    kind: Literal["worker"] = "worker"
    tables = (HISTORY_TABLE,)

    def rows(self, worker: Worker, schedule: PolicySchedule, new_events: Sequence[Any]) -> Rows:
        key = id_text(worker.id)
        return {
            HISTORY_TABLE.name: [
                (
                    key,
                    item["version"],
                    item["type"],
                    item["effective_date"],
                    item["recorded_at"],
                    item["recorded_by"],
                    item["request_id"],
                    json_text(item["data"]),
                )
                for item in views.history(list(new_events))
            ]
        }


ROSTER = Roster()
HISTORY = History()
