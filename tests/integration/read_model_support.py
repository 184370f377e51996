"""Shared by the read-model tests: a projected demo district, and a table snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from domain.unit import Unit
from domain.worker import Worker
from ledger.application import Ledger
from projections.projector import Projector
from projections.schema import TABLES
from projections.sql import ReadStore
from seed.demo import load_demo


@dataclass
class District:
    """A generated district with its read models caught up, and its aggregates."""

    ledger: Ledger
    store: ReadStore
    projector: Projector
    units: list[Unit]
    workers: list[Worker]
    worker_ids: list[Any]

    def fresh_workers(self) -> list[Worker]:
        """The workers as recorded now (after a test recorded more facts)."""
        return [self.ledger.repository.get(w) for w in self.worker_ids]


@contextmanager
def projected_district(
    ledger: Ledger, store: str, *, seed: int, workers: int = 150
) -> Iterator[District]:
    summary = load_demo(ledger, workers=workers, seed=seed)
    read_store = ReadStore(store)
    try:
        projector = Projector(ledger, read_store)
        projector.catch_up()
        worker_ids = list(summary.worker_ids)
        yield District(
            ledger,
            read_store,
            projector,
            [ledger.repository.get(u) for u in summary.unit_ids.values()],
            [ledger.repository.get(w) for w in worker_ids],
            worker_ids,
        )
    finally:
        read_store.close()


def snapshot(projector: Projector) -> dict[str, list[tuple[object, ...]]]:
    """Every read-model row except the position's timestamp, in a stable order."""
    tables = {}
    for table in TABLES:
        found = projector.store.query(f"SELECT * FROM {table}")
        if table == "rm_position":
            found = [row[:2] for row in found]
        tables[table] = sorted(found, key=repr)
    return tables
