"""``ledger project`` wakes on the event store's notifications on PostgreSQL, polls on SQLite."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.application import Ledger
from projections.wakeup import Wakeup
from tests.integration.application_support import build_tree
from tests.stores import DATABASE_STORES, store_url

INTERVAL = 3.0  # long beside a notification's milliseconds, short for a test


@pytest.fixture(params=DATABASE_STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The database stores only (conftest's ``ledger`` runs on them): memory has no log."""
    with store_url(request.param, tmp_path) as url:
        yield url


def _waited_while_writing(ledger: Ledger, wakeup: Wakeup) -> float:
    """How long ``wait`` took when a unit was registered 0.3 s into it."""
    writer = threading.Timer(0.3, lambda: build_tree(ledger, {"street_a": 3}))
    writer.start()
    started = time.monotonic()
    wakeup.wait()
    waited = time.monotonic() - started
    writer.join()
    return waited


def test_the_projector_wakes_within_a_moment_of_a_write_and_polls_without_one(
    ledger: Ledger,
) -> None:
    wakeup = Wakeup(ledger, INTERVAL)
    try:
        waited = _waited_while_writing(ledger, wakeup)
    finally:
        wakeup.close()
    if wakeup.listening:  # PostgreSQL: woken by the insert's NOTIFY, not the poll
        assert 0.25 < waited < INTERVAL / 2, waited
    else:  # SQLite has no notifications: the write waits for the next poll
        assert waited >= INTERVAL - 0.1, waited
