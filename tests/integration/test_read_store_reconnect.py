"""The read models' connection survives the database cutting it (a restart, a failover)."""

from __future__ import annotations

import psycopg
import pytest

from projections.sql import ReadStore
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
