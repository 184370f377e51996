"""The read models' connection survives the database cutting it (a restart, a failover)."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from projections.sql import ReadStore
from tests.own_postgres import own_postgres
from tests.stores import _pg_connect, postgres_database


@pytest.mark.postgres
def test_a_read_store_whose_connection_was_cut_reconnects_on_its_next_transaction() -> None:
    with postgres_database() as url:
        store = ReadStore(url)
        try:
            assert store.query("SELECT 1") == [(1,)]
            name = url.rsplit("/", 1)[1]
            with _pg_connect() as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (name,),
                )
            # The transaction that meets the cut fails (the API answers 503, the
            # projector retries its batch)...
            with pytest.raises(psycopg.OperationalError):
                store.query("SELECT 1")
            # ...and the next one runs on a new connection, without a process restart.
            assert store.query("SELECT 2") == [(2,)]
        finally:
            store.close()


@pytest.mark.slow
def test_a_transaction_waiting_out_a_long_outage_runs_once_the_database_is_back() -> None:
    """The pool's reconnection attempts give up after ``reconnect_timeout``; without a
    new attempt, a transaction queued for a connection waited out the pool's whole
    30 s timeout after the server was back (the projector stayed 31 s behind in CI)."""
    with own_postgres() as server:
        url = server.create_database()
        store = ReadStore(url)
        try:
            assert store.query("SELECT 1") == [(1,)]
            server.stop("fast")
            with pytest.raises(psycopg.OperationalError):
                store.query("SELECT 1")  # meets the cut: every connection is being replaced
            answers: list[object] = []
            waiting = threading.Thread(target=lambda: answers.append(_query_or_error(store)))
            waiting.start()  # queues for a connection while the server is down...
            time.sleep(RECONNECT_TIMEOUT_SECONDS + 3)  # ...longer than the pool retries
            server.start()
            back = time.monotonic()
            waiting.join(timeout=60)
            assert answers == [[(1,)]], answers
            # Well inside the pool's 30 s wait: a new attempt was made once the old gave up.
            assert time.monotonic() - back < 15
        finally:
            store.close()


RECONNECT_TIMEOUT_SECONDS = 5


def _query_or_error(store: ReadStore) -> object:
    try:
        return store.query("SELECT 1")
    except Exception as error:  # the answer under test: a row, or why not
        return error
