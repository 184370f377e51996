"""The events table read directly, streamed over a connection of its own.

The rebuild, the simulation, ``ledger verify`` and the benchmarks read every stored
event in primary-key order. The library's notification log reads in notification
order a page at a time; these need aggregate order in one streamed pass, so they
share this one reader instead of each opening its own connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from typing import Any
from uuid import UUID

Row = tuple[Any, ...]


def is_postgres(env: Mapping[str, str]) -> bool:
    return env.get("PERSISTENCE_MODULE", "").endswith("postgres")


def is_sqlite(env: Mapping[str, str]) -> bool:
    return env.get("PERSISTENCE_MODULE", "").endswith("sqlite")


def sqlite_placeholders(statement: str) -> str:
    """A statement written with ``%s`` placeholders (psycopg's), in SQLite's ``?`` ones."""
    return statement.replace("%s", "?")


def has_events_table(env: Mapping[str, str]) -> bool:
    """Whether the store is a database (the in-memory store of the tests is not)."""
    return is_postgres(env) or is_sqlite(env)


@contextmanager
def connection(env: Mapping[str, str], *, autocommit: bool = False) -> Iterator[Any]:
    """A connection of its own to the store ``env`` names (PostgreSQL or SQLite).

    SQLite in WAL mode lets such a connection read while another writes.
    """
    if is_postgres(env):
        import psycopg

        with psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"],
            password=env.get("POSTGRES_PASSWORD", ""),
            autocommit=autocommit,
        ) as conn:
            yield conn
        return
    if is_sqlite(env):
        with closing(sqlite3.connect(env["SQLITE_DBNAME"])) as lite:
            yield lite
        return
    raise ValueError("only the PostgreSQL and SQLite stores have an events table to read")


def stored_rows(
    env: Mapping[str, str],
    table: str,
    *,
    stop: int | None = None,
    lo: UUID | None = None,
    hi: UUID | None = None,
    page: int = 5000,
    with_position: bool = False,
) -> Iterator[Row]:
    """``(originator_id, originator_version, topic, state)`` by aggregate id and version.

    Up to notification ``stop``, for ids from ``lo`` up to ``hi``; with
    ``with_position`` each row starts with its notification id. SQLite answers ids
    as lower-case hex text, which sorts as PostgreSQL sorts UUIDs.
    """
    sqlite = not is_postgres(env)
    position = "rowid" if sqlite else "notification_id"
    columns = "originator_id, originator_version, topic, state"
    if with_position:
        columns = f"{position}, {columns}"
    where: list[str] = []
    params: list[Any] = []
    if stop is not None:
        where, params = [*where, f"{position} <= %s"], [*params, stop]
    if lo is not None:
        where, params = [*where, "originator_id >= %s"], [*params, lo]
    if hi is not None:
        where, params = [*where, "originator_id < %s"], [*params, hi]
    sql = f"SELECT {columns} FROM {table}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY originator_id, originator_version"
    with connection(env) as conn:
        if sqlite:
            rows = conn.execute(
                sqlite_placeholders(sql), [str(p) if isinstance(p, UUID) else p for p in params]
            )
            while batch := rows.fetchmany(page):
                yield from batch
            return
        with conn.cursor(name="events") as cursor:
            cursor.itersize = page
            cursor.execute(sql, params)
            yield from cursor
