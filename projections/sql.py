"""One thin connection wrapper for the read-model tables on SQLite or PostgreSQL.

Read models live in the same database as the events, so one backup holds both
and a report can join them; they are rebuilt from the events, never backed up
for their own sake.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ledger.adapters.events_table import connection, sqlite_placeholders
from ledger.adapters.stores import store_environment


class ReadStore:
    """Runs SQL written with ``%s`` placeholders on either database."""

    def __init__(self, database_url: str) -> None:
        # SQLite: one connection, used by one thread at a time (the projector's batches
        # and the API's report queries take turns). PostgreSQL: a pool, so that the
        # reports of one API process run side by side; on one shared connection they
        # queued behind each other (the load test's district reports waited seconds).
        self._lock = threading.RLock()
        self._local = threading.local()  # the connection of this thread's transaction
        env = store_environment(database_url)
        module = env["PERSISTENCE_MODULE"]
        self.dialect = "postgres" if module.endswith("postgres") else "sqlite"
        if self.dialect == "postgres":
            self._env = env
            self._pool = self._open_pool(int(env["POSTGRES_POOL_SIZE"]))
        else:
            # The in-memory event store keeps its read models in memory too.
            path = env.get("SQLITE_DBNAME", ":memory:")
            self._conn = sqlite3.connect(
                path, timeout=30, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode=WAL")

    def _open_pool(self, size: int) -> Any:
        from psycopg_pool import ConnectionPool

        env = self._env
        pool = ConnectionPool(
            kwargs={
                "dbname": env["POSTGRES_DBNAME"],
                "host": env["POSTGRES_HOST"],
                "port": env["POSTGRES_PORT"],
                "user": env["POSTGRES_USER"],
                "password": env["POSTGRES_PASSWORD"],
                "connect_timeout": int(env["POSTGRES_CONNECT_TIMEOUT"]),
            },
            min_size=1,
            max_size=max(size, 1),
            open=False,
            # The pool retries a lost connection with a doubling delay until this many
            # seconds have passed; left at its default (5 minutes) the delay grew to 16-32 s
            # during an outage, and the projector stayed 30 s behind after the database came
            # back (tests/e2e/test_postgres_restart.py). Giving up sooner lets the next
            # request open a connection at once.
            reconnect_timeout=5.0,
            reconnect_failed=_try_again_for_waiting_clients,
        )
        # Fails like one connection would (PoolTimeout is an OperationalError).
        pool.open(wait=True, timeout=float(env["POSTGRES_CONNECT_TIMEOUT"]) * 2)
        return pool

    def _sql(self, statement: str) -> str:
        return statement if self.dialect == "postgres" else sqlite_placeholders(statement)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Everything inside commits together or not at all."""
        if self.dialect == "postgres":
            with self._postgres_transaction() as tx:
                yield tx
            return
        with self._sqlite_transaction("BEGIN IMMEDIATE") as tx:
            yield tx

    @contextmanager
    def snapshot(self) -> Iterator[Transaction]:
        """A transaction whose every read sees the database as of one moment (its first
        read): what the read models and the events held then, whatever commits meanwhile.
        PostgreSQL's READ COMMITTED (the pool's) gives each statement a snapshot of its
        own, so here REPEATABLE READ; SQLite's read transaction in WAL mode is one
        snapshot already when it is deferred (``BEGIN``): it takes no lock that writers
        wait for, nor does writing its own temporary tables."""
        if self.dialect == "postgres":
            assert getattr(self._local, "conn", None) is None, "not inside another transaction"
            with self._postgres_transaction() as tx:
                tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                yield tx
            return
        with self._sqlite_transaction("BEGIN") as tx:
            yield tx

    @contextmanager
    def _sqlite_transaction(self, begin: str) -> Iterator[Transaction]:
        """The one connection's transaction, opened by ``begin``: ``BEGIN IMMEDIATE`` takes
        the write lock at once, ``BEGIN`` reads a snapshot."""
        with self._lock:
            cursor = self._conn.cursor()
            cursor.execute(begin)
            try:
                yield Transaction(self, cursor)
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")

    @contextmanager
    def _postgres_transaction(self) -> Iterator[Transaction]:
        outer = getattr(self._local, "conn", None)
        if outer is not None:
            # Nested in this thread's transaction: a savepoint on its connection, as
            # with one shared connection (never a second connection waiting on the first).
            with outer.transaction(), outer.cursor() as cursor:
                yield Transaction(self, cursor)
            return
        broken = False
        try:
            with self._pool.connection() as conn:
                self._local.conn = conn
                try:
                    with conn.transaction(), conn.cursor() as cursor:
                        yield Transaction(self, cursor)
                finally:
                    self._local.conn = None
                    broken = conn.broken or conn.closed
        finally:
            if broken:
                # The server restarted or cut the connection: the transaction that met
                # it failed (a 503, a projector retry); the pool drops it, and this drops
                # the idle ones cut with it, so the next transactions run on new ones.
                self._pool.check()

    @contextmanager
    def own_transaction(self) -> Iterator[Transaction]:
        """A transaction on a PostgreSQL connection of its own, outside the pool and outside
        this thread's transaction: for a forked child process (which must never use a
        connection inherited from its parent), or to commit apart from the caller's."""
        assert self.dialect == "postgres", "SQLite's one connection serves every transaction"
        with connection(self._env) as conn, conn.transaction(), conn.cursor() as cursor:
            yield Transaction(self, cursor)

    @contextmanager
    def session_lock(self, key: int) -> Iterator[None]:
        """PostgreSQL's advisory lock ``key``, held on a connection of its own until the
        block ends (or the process dies: the server then ends the session and the lock)."""
        assert self.dialect == "postgres"
        with connection(self._env, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (key,))
            yield

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.transaction() as tx:
            return tx.query(statement, params)

    def close(self) -> None:
        if self.dialect == "postgres":
            self._pool.close()
            return
        with self._lock:
            self._conn.close()


def one_of(dialect: str, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """A condition keeping the rows whose ``column`` is one of ``values``, and its one
    parameter: an array on PostgreSQL, a JSON text on SQLite (which caps the number of
    parameters a statement may take, so never one per value)."""
    if dialect == "postgres":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(values))]


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

    def copy_text(self, table: str, columns: Sequence[str], text: str) -> None:
        """Rows already written in ``COPY``'s text format: tab-separated, one a line."""
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with self._cursor.copy(statement) as copy:
            copy.write(text)

    def copy(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        types: Sequence[str] | None = None,
    ) -> None:
        """Many rows at once with PostgreSQL's ``COPY`` (far faster than inserts).

        ``types``: each column's type name; the rows then go in COPY's binary format,
        which psycopg writes in half the time of the text format (the server's share is
        the same). Each value must be of its column's type exactly."""
        binary = " (FORMAT BINARY)" if types else ""
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN{binary}"
        with self._cursor.copy(statement) as copy:
            if types:
                copy.set_types(types)
            for row in rows:
                copy.write_row(row)


def _try_again_for_waiting_clients(pool: Any) -> None:
    """Start a new reconnection attempt when one gave up while transactions wait.

    psycopg_pool grows the pool only when a client starts waiting; if that attempt
    gives up (the database down for longer than ``reconnect_timeout``), the waiting
    transaction sat out the pool's whole 30 s timeout after the database was back,
    and the projector stayed 31 s behind (tests/integration/test_read_store_reconnect.py).
    ``check()`` drops broken idle connections and grows the pool by one attempt.
    """
    if pool.get_stats().get("requests_waiting", 0):
        pool.check()
