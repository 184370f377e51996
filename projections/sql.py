"""One thin connection wrapper for the read-model tables on SQLite or PostgreSQL.

Read models live in the same database as the events, so one backup holds both
and a report can join them; they are rebuilt from the events, never backed up
for their own sake.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ledger.stores import store_environment


class ReadStore:
    """Runs SQL written with ``%s`` placeholders on either database."""

    def __init__(self, database_url: str) -> None:
        # One connection, used by one thread at a time: the projector's batches
        # and the API's report queries take turns.
        self._lock = threading.RLock()
        env = store_environment(database_url)
        module = env["PERSISTENCE_MODULE"]
        self.dialect = "postgres" if module.endswith("postgres") else "sqlite"
        if self.dialect == "postgres":
            self._env = env
            self._conn: Any = self._connect()
        else:
            # The in-memory event store keeps its read models in memory too.
            path = env.get("SQLITE_DBNAME", ":memory:")
            self._conn = sqlite3.connect(
                path, timeout=30, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode=WAL")

    def _connect(self) -> Any:
        import psycopg

        env = self._env
        return psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"],
            connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]),
        )

    def _sql(self, statement: str) -> str:
        return statement if self.dialect == "postgres" else statement.replace("%s", "?")

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Everything inside commits together or not at all."""
        with self._lock:
            if self.dialect == "postgres":
                if self._conn.broken or self._conn.closed:
                    # The server restarted or cut the connection: the transaction that
                    # met it failed (a 503, a projector retry); later ones reconnect.
                    self._conn = self._connect()
                with self._conn.transaction(), self._conn.cursor() as cursor:
                    yield Transaction(self, cursor)
                return
            cursor = self._conn.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self, cursor)
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.transaction() as tx:
            return tx.query(statement, params)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class Transaction:
    def __init__(self, store: ReadStore, cursor: Any) -> None:
        self._store = store
        self._cursor = cursor

    @property
    def dialect(self) -> str:
        return self._store.dialect

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(self._store._sql(statement), params)

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._cursor.executemany(self._store._sql(statement), rows)

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self._cursor.execute(self._store._sql(statement), params)
        return list(self._cursor.fetchall())
