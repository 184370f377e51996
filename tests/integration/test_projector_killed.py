"""``ledger project`` killed with SIGKILL at random moments catches up to a rebuild's tables.

A real process and a real kill: no ``finally`` runs, the database sees a
connection drop in the middle of a batch's transaction (PostgreSQL rolls it
back; SQLite finds a hot journal on the next open). Each restart goes on from
the last committed position, and once caught up the read models equal those
of a from-scratch rebuild. The moments are drawn from a seeded generator, so a
failure can be replayed; small batches (a batched projector covers the log in about
a second) put most kills inside a transaction, part-way through the log.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from projections.projector import Projector
from projections.sql import ReadStore
from seed.generate import generate
from tests.integration.read_model_support import snapshot
from tests.stores import store_url

SEED = 20260
KILLS = 6
START_TIMEOUT_SECONDS = 60
LEDGER = Path(sys.executable).with_name("ledger")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def history(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store holding a generated history (about 2,500 events) and no read models."""
    with store_url(request.param, tmp_path) as url:
        ledger = Ledger(env=store_environment(url))
        try:
            ledger.bootstrap("baohe-2020")
            generate(ledger, workers=200, years=5, seed=SEED, start_year=2020)
        finally:
            ledger.close()
        yield url


def test_a_projector_killed_at_random_moments_catches_up_to_the_rebuilt_tables(
    history: str, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    head = _head(history)
    positions = []
    for kill in range(KILLS):
        log = tmp_path / f"project-{kill}.log"
        process = _project(history, log, "--batch-size", str(rng.choice([1, 3, 5])))
        _wait_until_projecting(process, log)
        time.sleep(rng.uniform(0.0, 0.4))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        positions.append(_position(history))
    # Nothing projected is lost to a kill, and the kills fell mid-way through the log.
    assert positions == sorted(positions), positions
    assert sum(0 < p < head for p in positions) >= 3, (positions, head)

    finish = _project(history, tmp_path / "finish.log", "--once")
    assert finish.wait(timeout=300) == 0, (tmp_path / "finish.log").read_text()
    assert _position(history) == head

    ledger = Ledger(env=store_environment(history))
    store = ReadStore(history)
    try:
        projector = Projector(ledger, store)
        after_kills = snapshot(projector)
        projector.rebuild(processes=1)
        assert snapshot(projector) == after_kills
    finally:
        store.close()
        ledger.close()


def _project(url: str, log: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LEDGER_DATABASE_URL": url}
    command = [str(LEDGER), "project", "--interval", "0.05", *args]
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_until_projecting(process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while "projecting from position" not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, "ledger project did not start"
        time.sleep(0.02)


def _head(url: str) -> int:
    ledger = Ledger(env=store_environment(url))
    try:
        return ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()


def _position(url: str) -> int:
    store = ReadStore(url)
    try:
        found = store.query("SELECT position FROM rm_position WHERE projection = %s", ("ledger",))
        return int(found[0][0]) if found else 0
    finally:
        store.close()
