"""Build the ledger from settings: the one place a process wires itself up."""

from __future__ import annotations

from ledger.application import Ledger
from ledger.settings import Settings
from ledger.stores import store_environment


def build_ledger(settings: Settings) -> Ledger:
    env = store_environment(settings.database_url, pool_size=settings.postgres_pool_size)
    env["AGGREGATE_CACHE_MAXSIZE"] = str(settings.aggregate_cache_size)
    return Ledger(env=env)


def open_ledger(settings: Settings) -> tuple[Ledger, str | None]:
    """The ledger, bootstrapped if empty; the first admin token if it was just made."""
    ledger = build_ledger(settings)
    return ledger, ledger.bootstrap(settings.policy)
