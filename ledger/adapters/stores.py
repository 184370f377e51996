"""Translate ``LEDGER_DATABASE_URL`` into the event store's environment."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from domain.errors import InvalidInput


def store_environment(database_url: str, *, pool_size: int = 10) -> dict[str, str]:
    url = urlsplit(database_url)
    if url.scheme == "memory":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if url.scheme == "sqlite":
        path = unquote(url.path[1:] if url.path.startswith("/") else url.path)
        if url.netloc:  # sqlite://relative/path reads as host + path
            path = url.netloc + ("/" + path if path else "")
        if not path:
            raise InvalidInput(f"no file in {database_url!r}", field="LEDGER_DATABASE_URL")
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    if url.scheme in ("postgresql", "postgres"):
        dbname = url.path.lstrip("/")
        if not dbname:
            raise InvalidInput(f"no database name in {database_url!r}", field="LEDGER_DATABASE_URL")
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(dbname),
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_POOL_SIZE": str(pool_size),
            "POSTGRES_MAX_OVERFLOW": str(pool_size),
            "POSTGRES_CONNECT_TIMEOUT": "2",  # the library retries 10 times: fail within ~30 s
            # No ping before each checkout: it was a round trip on each of the ~5 queries of
            # a write (a fifth of the service layer's CPU). A connection cut by a restart
            # fails its query with OperationalError, the pool drops it, and the library's
            # retry (10 attempts) takes another: tests/e2e/test_postgres_restart.py.
            "POSTGRES_PRE_PING": "n",
        }
    raise InvalidInput(
        f"unsupported database URL {database_url!r}: use sqlite:///PATH or postgresql://...",
        field="LEDGER_DATABASE_URL",
    )
