"""The fast rebuild: the same tables as the incremental projector, swapped in atomically."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.application import Ledger
from projections import rebuild as fast
from projections.projector import Projector
from projections.sql import ReadStore
from seed.generate import generate
from tests.integration.read_model_support import snapshot
from tests.stores import store_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The stores with an events table to stream; the in-memory store follows the log
    instead (tests/integration/test_projector.py covers that path)."""
    with store_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def projector(ledger: Ledger, store: str) -> Iterator[Projector]:
    generate(ledger, workers=40, years=6, seed=7)
    read_store = ReadStore(store)
    try:
        yield Projector(ledger, read_store, batch_size=50)
    finally:
        read_store.close()


def test_a_rebuild_writes_exactly_the_tables_the_incremental_projector_wrote(
    projector: Projector,
) -> None:
    projector.catch_up()
    incremental = snapshot(projector)

    events = projector.rebuild()

    assert events == projector.status().head
    assert snapshot(projector) == incremental
    assert incremental["rm_worker_history"] and incremental["rm_units"]


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_the_rows_do_not_depend_on_how_many_processes_derive_them(
    ledger: Ledger, projector: Projector, processes: int
) -> None:
    projector.catch_up()
    incremental = snapshot(projector)

    fast.rebuild(ledger, projector.store, position_name="ledger", processes=processes)

    assert snapshot(projector) == incremental


def test_a_rebuild_killed_half_way_leaves_the_old_tables_and_a_second_one_completes(
    ledger: Ledger, projector: Projector
) -> None:
    projector.catch_up()
    before = snapshot(projector)
    batches = 0

    def crash() -> None:
        nonlocal batches
        batches += 1
        if batches == 2:
            raise KeyboardInterrupt  # as if killed with the transaction open

    with pytest.raises(KeyboardInterrupt):
        fast.rebuild(ledger, projector.store, position_name="ledger", after_batch=crash)
    assert batches == 2
    assert snapshot(projector) == before

    projector.rebuild()
    assert snapshot(projector) == before


def test_a_rebuild_reports_a_failing_read_model_and_keeps_the_old_tables(
    ledger: Ledger, projector: Projector, monkeypatch: pytest.MonkeyPatch
) -> None:
    projector.catch_up()
    before = snapshot(projector)
    broken = type("Broken", (), {"kind": "unit", "tables": (), "rows": _fail})()
    monkeypatch.setattr(fast, "MODELS", (*fast.MODELS, broken))

    with pytest.raises(RuntimeError, match="a rebuild process failed"):
        fast.rebuild(ledger, projector.store, position_name="ledger", processes=2)

    assert snapshot(projector) == before


def _fail(*_: object) -> dict[str, list[tuple[object, ...]]]:
    raise ValueError("a read model failed")


@pytest.mark.postgres
def test_on_postgresql_the_swapped_in_tables_keep_their_keys_and_indexes_and_leave_nothing_behind(
    ledger: Ledger, tmp_path: Path
) -> None:
    generate(ledger, workers=10, years=3, seed=3)
    with store_url("postgres", tmp_path) as url:
        read_store = ReadStore(url)
        try:
            projector = Projector(ledger, read_store)
            before = _indexes(read_store)
            projector.rebuild()
            projector.rebuild()  # the second swap reuses the names the first put back

            assert _indexes(read_store) == before
            assert not read_store.query("SELECT 1 FROM pg_tables WHERE tablename LIKE '%%__fresh'")
            assert read_store.query("SELECT count(*) FROM rm_workers")[0][0] > 0
        finally:
            read_store.close()


def _indexes(read_store: ReadStore) -> list[tuple[object, ...]]:
    return read_store.query(
        "SELECT tablename, indexname, indexdef FROM pg_indexes "
        "WHERE tablename LIKE 'rm_%%' ORDER BY indexname"
    )
