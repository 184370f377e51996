"""On PostgreSQL the read models' store has a pool: one process's reports run side by side."""

from __future__ import annotations

import threading

import pytest

from projections.sql import ReadStore
from tests.stores import postgres_database


@pytest.mark.postgres
def test_a_report_runs_while_another_threads_transaction_is_still_open() -> None:
    with postgres_database() as url:
        store = ReadStore(url)
        try:
            inside, release = threading.Event(), threading.Event()

            def hold() -> None:
                with store.transaction() as tx:
                    tx.query("SELECT 1")
                    inside.set()
                    release.wait(10)

            holder = threading.Thread(target=hold)
            holder.start()
            assert inside.wait(10)
            answered: list[object] = []
            reader = threading.Thread(target=lambda: answered.append(store.query("SELECT 2")))
            reader.start()
            # On one shared connection the report would wait for the held transaction.
            reader.join(5)
            assert answered == [[(2,)]]
            release.set()
            holder.join(10)
        finally:
            store.close()


@pytest.mark.postgres
def test_a_transaction_opened_inside_another_on_one_thread_shares_its_connection() -> None:
    with postgres_database() as url:
        store = ReadStore(url)
        try:
            with store.transaction() as tx:
                # A temporary table and an uncommitted row: seen only on this connection.
                tx.execute("CREATE TEMPORARY TABLE scratch (n INTEGER)")
                tx.execute("INSERT INTO scratch VALUES (1)")
                assert store.query("SELECT n FROM scratch") == [(1,)]
        finally:
            store.close()
