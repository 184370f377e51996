"""The fast rebuild: the same tables as the incremental projector, swapped in atomically."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from domain.vocabulary import Rating
from ledger.application import Ledger
from projections import rebuild as fast
from projections.projector import Projector
from projections.sql import ReadStore
from seed.generate import generate
from tests.integration.application_support import appraise, approve, build_tree, hire, worker_id
from tests.integration.read_model_support import snapshot
from tests.stores import POSTGRES, store_url


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
    assert _fresh_tables(projector.store) == []

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
    assert _fresh_tables(projector.store) == []
    monkeypatch.undo()
    projector.rebuild()  # nothing left in the way of the next one
    assert snapshot(projector) == before


@pytest.mark.parametrize("store", [POSTGRES], indirect=True)
@pytest.mark.parametrize("processes", [1, 2])
def test_a_projector_started_during_a_rebuild_waits_for_it_and_loses_and_duplicates_nothing(
    ledger: Ledger, projector: Projector, store: str, processes: int
) -> None:
    """On PostgreSQL the children COPY into fresh tables over their own connections; a
    projector (another process) meanwhile waits on the position's lock, then projects the
    events recorded during the rebuild onto the swapped-in tables. The position never
    moves back: once that projector is done, its events are there (had it written the
    live tables meanwhile, the swap would have taken them away and the position back)."""
    projector.catch_up()
    old_unit = projector.store.query("SELECT unit_id FROM rm_units ORDER BY unit_id")[0][0]
    beside = ReadStore(store)  # as if in another process
    other = Projector(ledger, beside, batch_size=2)
    hired: list[str] = []
    following: list[threading.Thread] = []

    def record_and_project() -> None:
        if hired:
            return
        tree = build_tree(ledger, {"street_a": 5, "street_b": 5, "community_a": 5})
        new = worker_id(hire(ledger, tree.street_a, name="赵六"))
        appraise(ledger, new, 2021, Rating.EXCELLENT)
        approve(ledger, old_unit, 70, date(2030, 1, 1))  # a unit the rebuild derives too
        hired.append(str(new))
        thread = threading.Thread(target=other.catch_up)
        thread.start()
        following.append(thread)
        thread.join(0.5)
        assert thread.is_alive()  # waiting for the rebuild's commit

    try:
        fast.rebuild(
            ledger,
            projector.store,
            position_name="ledger",
            after_batch=record_and_project,
            processes=processes,
        )
        assert hired and _fresh_tables(projector.store) == []
        following[0].join(60)
        assert not following[0].is_alive()
    finally:
        beside.close()

    assert projector.position() == ledger.recorder.max_notification_id()
    workers = "SELECT count(*) FROM rm_workers WHERE worker_id = %s"
    assert projector.store.query(workers, (hired[0],))[0][0] == 1
    history = "SELECT count(*) FROM rm_worker_history WHERE worker_id = %s"
    assert projector.store.query(history, (hired[0],))[0][0] == 2
    approvals = "SELECT max(quota) FROM rm_quota_approvals WHERE unit_id = %s"
    assert projector.store.query(approvals, (old_unit,))[0][0] == 70
    caught_up = snapshot(projector)
    projector.rebuild()
    assert snapshot(projector) == caught_up


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


def _fresh_tables(read_store: ReadStore) -> list[tuple[object, ...]]:
    """The tables a PostgreSQL rebuild fills before swapping them in, left behind."""
    if read_store.dialect != "postgres":
        return []
    return read_store.query("SELECT tablename FROM pg_tables WHERE tablename LIKE '%%__fresh'")


def _indexes(read_store: ReadStore) -> list[tuple[object, ...]]:
    return read_store.query(
        "SELECT tablename, indexname, indexdef FROM pg_indexes "
        "WHERE tablename LIKE 'rm_%%' ORDER BY indexname"
    )
