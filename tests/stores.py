"""Test stores: in-memory, an SQLite file, and a PostgreSQL database made for the test.

PostgreSQL tests create their own database and drop only that one. When no
server answers they skip on a developer's machine, and fail when ``CI=true``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# Every store-level scenario runs on each; the databases alone where the memory
# store has nothing to offer (an events table read by other processes).
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)
STORES = ["memory", "sqlite", POSTGRES]
DATABASE_STORES = STORES[1:]

# HTTP tests (tests/e2e) run on one store: an SQLite file, the default deployment's
# kind of store (a real database file, its read models beside the events), plus
# PostgreSQL where the store matters (tests/e2e/conftest.py lists where and why).
E2E_STORE = "sqlite"

PG_ADMIN_URL = os.environ.get(
    "LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _pg_connect(dbname: str | None = None):  # a psycopg connection
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(PG_ADMIN_URL)
    if dbname:
        params["dbname"] = dbname
    return psycopg.connect(make_conninfo(**params), autocommit=True, connect_timeout=5)


def postgres_available() -> bool:
    try:
        with _pg_connect():
            return True
    except Exception:
        return False


def require_postgres() -> None:
    if postgres_available():
        return
    message = f"PostgreSQL is not reachable at {PG_ADMIN_URL}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: PostgreSQL tests must run, not skip)")
    pytest.skip(message)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database for one test, dropped afterwards; yields its URL."""
    require_postgres()
    name = f"ledger_test_{uuid.uuid4().hex[:12]}"
    with _pg_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with _pg_connect() as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@contextmanager
def store_url(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "memory":
        yield "memory://"
    elif kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
    elif kind == "postgres":
        with postgres_database() as url:
            yield url
    else:  # pragma: no cover
        raise ValueError(kind)
