"""Build the ledger from settings: the one place a process wires itself up."""

from __future__ import annotations

from datetime import timedelta

from ledger.adapters.encryption import check_readable, cipher_environment
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from ledger.settings import Settings


def build_ledger(settings: Settings, *, check: bool = True) -> Ledger:
    """The ledger on the configured store; ``check``: refuse a store the key cannot read."""
    env = store_environment(settings.database_url, pool_size=settings.postgres_pool_size)
    env["AGGREGATE_CACHE_MAXSIZE"] = str(settings.aggregate_cache_size)
    env.update(cipher_environment(settings.encryption_key))
    ledger = Ledger(env=env)
    ledger.session_idle = timedelta(minutes=settings.console_idle_minutes)
    ledger.session_lifetime = timedelta(hours=settings.console_session_hours)
    if not check:  # `ledger verify` reports unreadable events one by one instead
        return ledger
    try:
        check_readable(ledger)
    except BaseException:
        ledger.close()
        raise
    return ledger


def open_ledger(settings: Settings) -> tuple[Ledger, str | None]:
    """The ledger, bootstrapped if empty; the first admin token if it was just made."""
    ledger = build_ledger(settings)
    return ledger, ledger.bootstrap(settings.policy)
