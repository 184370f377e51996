"""Fixtures shared by every test layer. ``store`` runs a test once per store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from tests.stores import STORES, store_url


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The database URL of a fresh store of each kind."""
    with store_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def ledger(store: str) -> Iterator[Ledger]:
    """A bootstrapped ledger (policy baohe-2020) on each store."""
    app = Ledger(env=store_environment(store))
    app.bootstrap("baohe-2020")
    try:
        yield app
    finally:
        app.close()
