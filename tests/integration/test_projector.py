"""The projector: read models follow the log exactly once, on every store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from domain.vocabulary import Post, Rating
from ledger.application import Ledger
from projections.projector import Projector
from projections.sql import ReadStore
from tests.integration.application_support import (
    appraise,
    build_tree,
    change_post,
    dismiss,
    hire,
    transfer,
    worker_id,
)
from tests.integration.read_model_support import snapshot


@pytest.fixture
def projector(ledger: Ledger, store: str) -> Iterator[Projector]:
    read_store = ReadStore(store)
    try:
        yield Projector(ledger, read_store, batch_size=7)
    finally:
        read_store.close()


def careers(ledger: Ledger) -> list[str]:
    tree = build_tree(ledger, {"street_a": 5, "street_b": 5, "community_a": 5})
    first = worker_id(hire(ledger, tree.street_a, hire_date=date(2021, 3, 1), name="张三"))
    second = worker_id(hire(ledger, tree.community_a, hire_date=date(2021, 6, 1), name="李四"))
    for year in (2021, 2022):
        appraise(ledger, first, year, Rating.EXCELLENT)
    change_post(ledger, first, Post.OFFICER, date(2022, 7, 1))
    transfer(ledger, first, tree.street_b, date(2023, 2, 1))
    dismiss(ledger, second, date(2023, 5, 1))
    return [str(first), str(second)]


def test_worker_periods_follow_the_timeline_of_each_worker(
    ledger: Ledger, projector: Projector
) -> None:
    first, second = careers(ledger)
    projector.catch_up()

    periods = projector.store.query(
        "SELECT valid_from, valid_to, post, status FROM rm_worker_periods "
        "WHERE worker_id = %s ORDER BY valid_from",
        (first,),
    )
    assert [p[0] for p in periods] == [
        "2021-03-01",
        "2021-12-31",
        "2022-07-01",
        "2022-12-31",
        "2023-02-01",
    ]
    assert [p[1] for p in periods] == [p[0] for p in periods[1:]] + [None]
    assert periods[2][2] == Post.OFFICER.value
    last = projector.store.query(
        "SELECT status FROM rm_worker_periods WHERE worker_id = %s AND valid_to IS NULL",
        (second,),
    )
    assert last == [("dismissed",)]


def test_history_rows_carry_each_facts_author_and_request(
    ledger: Ledger, projector: Projector
) -> None:
    first, _ = careers(ledger)
    projector.catch_up()
    history = projector.store.query(
        "SELECT type, recorded_by FROM rm_worker_history WHERE worker_id = %s ORDER BY version",
        (first,),
    )
    assert [h[0] for h in history] == [
        "Hired",
        "Appraised",
        "Appraised",
        "PostChanged",
        "Transferred",
    ]
    assert {h[1] for h in history} == {"admin"}


def test_the_position_follows_the_log_and_a_second_run_projects_nothing(
    ledger: Ledger, projector: Projector
) -> None:
    careers(ledger)
    projected = projector.catch_up()
    status = projector.status()
    assert projected == status.head == status.position
    assert status.lag_events == 0
    assert projector.catch_up() == 0


def test_a_rebuild_produces_identical_tables(ledger: Ledger, projector: Projector) -> None:
    careers(ledger)
    projector.catch_up()
    before = snapshot(projector)
    projector.rebuild()
    assert snapshot(projector) == before


def test_a_crash_before_commit_loses_nothing_and_counts_nothing_twice(
    ledger: Ledger, projector: Projector, monkeypatch: pytest.MonkeyPatch
) -> None:
    careers(ledger)
    projector.run_once()
    original = projector._move_to
    calls = {"n": 0}

    def crash_on_second_batch(tx, position):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("killed mid-batch")
        original(tx, position)

    monkeypatch.setattr(projector, "_move_to", crash_on_second_batch)
    with pytest.raises(RuntimeError):
        projector.run_once()
    projector.catch_up()
    after_crash = snapshot(projector)

    projector.rebuild()
    assert after_crash == snapshot(projector)


def test_two_projectors_on_one_store_take_turns_and_agree_with_a_rebuild(
    ledger: Ledger, projector: Projector, store: str
) -> None:
    """Several API processes each project in-process: they must not trip over each other."""
    import threading

    careers(ledger)
    second_store = ReadStore(store) if not store.startswith("memory") else projector.store
    second = Projector(ledger, second_store, batch_size=3)
    errors: list[BaseException] = []

    def follow(p: Projector) -> None:
        try:
            p.catch_up()
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=follow, args=(p,)) for p in (projector, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if second_store is not projector.store:
        second_store.close()

    assert errors == []
    assert projector.status().lag_events == 0
    together = snapshot(projector)
    projector.rebuild()
    assert snapshot(projector) == together


def test_a_serving_process_fills_never_projected_read_models_at_start(
    ledger: Ledger, store: str
) -> None:
    import time

    from projections.live import LiveReadModels

    careers(ledger)
    live = LiveReadModels(ledger, store, in_process=True, wait_seconds=10)
    try:
        live.start()
        deadline = time.monotonic() + 10
        while live.projector.position() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live.fresh().status().lag_events == 0
        workers = live.store.query("SELECT count(*) FROM rm_workers")
        assert workers == [(2,)]
    finally:
        live.close()


@pytest.mark.postgres
def test_a_second_process_starting_beside_a_busy_projector_does_not_lock_its_tables() -> None:
    """Opening the read models again (another API process starting) must not wait for,
    or deadlock with, a projector in the middle of a batch. PostgreSQL only: SQLite
    serialises whole transactions, and the in-memory store has one process."""
    import threading

    from ledger.adapters.stores import store_environment
    from tests.stores import postgres_database

    with postgres_database() as url:
        ledger = Ledger(env=store_environment(url))
        ledger.bootstrap("baohe-2020")
        careers(ledger)
        busy = Projector(ledger, ReadStore(url))
        entered, release = threading.Event(), threading.Event()

        def slow_batch() -> None:
            with busy.store.transaction() as tx:
                tx.execute(
                    "INSERT INTO rm_units (unit_id, name, kind, version) "
                    "VALUES ('busy', 'busy', 'district', 1)"
                )
                entered.set()
                release.wait(10)
                raise RuntimeError("rolled back on purpose")

        def hold() -> None:
            with pytest.raises(RuntimeError):
                slow_batch()

        holder = threading.Thread(target=hold)
        holder.start()
        entered.wait(10)
        second = ReadStore(url)
        try:
            starting = threading.Thread(target=Projector, args=(ledger, second))
            starting.start()
            starting.join(timeout=5)
            assert not starting.is_alive(), "schema creation waited on the busy tables"
        finally:
            release.set()
            holder.join()
            starting.join(timeout=10)
            second.close()
            busy.store.close()
            ledger.close()
