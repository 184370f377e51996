"""PostgreSQL restarted while writes are in flight: nothing lost, nothing recorded twice.

A server of the test's own (never the machine's shared one) under a real
uvicorn process. Several clients hire workers, each hire with its own
Idempotency-Key, while the database is restarted with ``pg_ctl restart -m
fast`` (which cuts every connection and rolls back open transactions), and
later stopped until the clients see 503s, then started again. A client that
gets a 503 (or loses its connection: the outcome is unknown) sends the same
request again with the same key until it gets its 201, as the API tells
clients to.

Then the ledger holds exactly one hire per key, the one the 201 named, and the
API server, never restarted, answers ready again. A commit whose answer was
lost is safe too: the store's own retry of the insert, or the client's, meets
the stored idempotency record and answers what was recorded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from domain.vocabulary import Role
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from projections.sql import ReadStore
from tests.e2e.conftest import hire_body
from tests.e2e.servers import bootstrap, uvicorn_server
from tests.own_postgres import OwnPostgres, own_postgres

V1 = "/api/v1"
CLIENTS = 4
HIRES_PER_CLIENT = 15
GIVE_UP_AFTER_SECONDS = 120


@pytest.fixture
def server() -> Iterator[OwnPostgres]:
    with own_postgres() as server:
        yield server


@pytest.mark.slow
def test_hires_in_flight_across_database_restarts_are_each_recorded_exactly_once(
    server: OwnPostgres, tmp_path: Path
) -> None:
    url = server.create_database()
    token = bootstrap(url)
    auth = {"Authorization": f"Bearer {token}"}
    with (
        uvicorn_server(url, tmp_path / "api.log") as base,
        httpx.Client(base_url=base + V1, headers=auth, timeout=60) as admin,
    ):
        # A unit per client: racing for one unit's seats is another test's subject.
        units = [_unit_with_room(admin, HIRES_PER_CLIENT, c) for c in range(CLIENTS)]
        keys = [f"hire-{c}-{n}" for c in range(CLIENTS) for n in range(HIRES_PER_CLIENT)]
        outcome = Outcome()
        threads = [
            threading.Thread(
                target=_hire_all, args=(base, auth, units[c], keys[c::CLIENTS], outcome)
            )
            for c in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        # A restart the store's own retries (ten, over a few seconds) ride out...
        _wait_for(lambda: outcome.done() >= len(keys) // 3)
        server.restart()
        # ...and an outage they do not: the clients get 503s and ask again.
        _wait_for(lambda: outcome.done() >= 2 * len(keys) // 3)
        server.stop("fast")
        _wait_for(lambda: outcome.retried_503() > 0)
        server.start()
        for thread in threads:
            thread.join(timeout=GIVE_UP_AFTER_SECONDS + 30)

        assert not outcome.unexpected, outcome.unexpected
        assert outcome.retried_503() > 0
        assert sorted(outcome.worker_ids) == sorted(keys), "every write ends in a 201"
        # Retried and replayed: every key's answers name one worker, recorded once.
        hired = _hired_workers(url)
        assert len(hired) == len(keys), Counter(hired)
        assert set(hired) == set(outcome.worker_ids.values())
        names = {admin.get(f"/workers/{w}").json()["name"] for w in outcome.worker_ids.values()}
        assert names == {_name(key) for key in keys}
        # The API process was never restarted: it answers and records again.
        print(f"retried answers: {dict(outcome.retried)}")
        ready = admin.get("/readyz")
        assert ready.status_code == 200, ready.text
        # Its projector reconnected too: the roster (a read model) has every hire.
        for unit in units:
            roster = admin.get("/workers", params={"unit_id": unit, "limit": 100})
            assert roster.status_code == 200, roster.text
            assert len(roster.json()["items"]) == HIRES_PER_CLIENT


@pytest.mark.slow
def test_ledger_project_rides_out_a_database_outage_and_catches_up(
    server: OwnPostgres, tmp_path: Path
) -> None:
    """The external projector keeps its process through an outage and projects what was
    recorded after it, as a supervisor-less deployment needs."""
    url = server.create_database()
    bootstrap(url)
    log = tmp_path / "project.log"
    env = {**os.environ, "LEDGER_DATABASE_URL": url}
    command = [str(Path(sys.executable).with_name("ledger")), "project", "--interval", "0.1"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for(lambda: _projected(url) == _head(url))
        server.stop("fast")
        time.sleep(5)  # longer than the store's own retries
        server.start()
        _record_a_token(url)
        _wait_for(lambda: _projected(url) == _head(url))
        assert process.poll() is None, log.read_text()
        assert "the store did not answer" in log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=15)


def _record_a_token(url: str) -> None:
    ledger = Ledger(env=store_environment(url))
    try:
        ledger.create_token("after-the-outage", Role.AUDITOR)
    finally:
        ledger.close()


def _head(url: str) -> int:
    """The last notification id, read with plain SQL: constructing a Ledger here (its
    CREATE OR REPLACE of the store's objects) raced the starting projector's own and failed
    it with 'tuple concurrently updated' in one CI run."""
    with psycopg.connect(url, connect_timeout=5) as conn:
        found = conn.execute("SELECT max(notification_id) FROM ledger_events").fetchone()
    return int(found[0]) if found and found[0] is not None else 0


def _projected(url: str) -> int:
    try:
        store = ReadStore(url)
    except psycopg.OperationalError:
        return -1
    try:
        found = store.query("SELECT position FROM rm_position WHERE projection = 'ledger'")
        return int(found[0][0]) if found else 0
    except psycopg.Error:
        return -1  # the projector has not made its tables yet
    finally:
        store.close()


class Outcome:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.worker_ids: dict[str, str] = {}
        self.retried: Counter[str] = Counter()  # what made a client try again
        self.unexpected: list[str] = []

    def retried_503(self) -> int:
        with self.lock:
            return sum(n for reason, n in self.retried.items() if reason.startswith("503"))

    def done(self) -> int:
        with self.lock:
            return len(self.worker_ids) + len(self.unexpected)


def _hire_all(
    base: str, auth: dict[str, str], street: str, keys: list[str], outcome: Outcome
) -> None:
    with httpx.Client(base_url=base + V1, headers=auth, timeout=30) as client:
        for key in keys:
            _hire_until_answered(client, street, key, outcome)


def _hire_until_answered(client: httpx.Client, street: str, key: str, outcome: Outcome) -> None:
    body = hire_body(street, name=_name(key), id_number=None)
    deadline = time.monotonic() + GIVE_UP_AFTER_SECONDS
    while time.monotonic() < deadline:
        try:
            response = client.post("/workers", json=body, headers={"Idempotency-Key": key})
        except httpx.TransportError as error:  # the outcome is unknown: ask again
            with outcome.lock:
                outcome.retried[type(error).__name__] += 1
            time.sleep(0.2)
            continue
        if response.status_code == 201:
            with outcome.lock:
                outcome.worker_ids[key] = response.json()["worker_id"]
            return
        if response.status_code == 503:
            assert response.headers.get("Retry-After")
            with outcome.lock:
                outcome.retried[f"503 {response.json()['code']}"] += 1
            time.sleep(0.2)  # shorter than Retry-After: the test has no time to lose
            continue
        with outcome.lock:
            outcome.unexpected.append(f"{key}: {response.status_code} {response.text}")
        return
    with outcome.lock:
        outcome.unexpected.append(f"{key}: no answer within {GIVE_UP_AFTER_SECONDS}s")


def _name(key: str) -> str:
    return f"重试{key}"


def _unit_with_room(admin: httpx.Client, seats: int, number: int) -> str:
    unit = admin.post("/units", json={"name": f"第{number}区", "kind": "district"}).json()
    approval = {"quota": seats, "effective_date": "2020-01-01", "document_ref": "包编〔2020〕1号"}
    response = admin.post(f"/units/{unit['unit_id']}/quota-approvals", json=approval)
    assert response.status_code == 201, response.text
    return str(unit["unit_id"])


def _hired_workers(url: str) -> list[str]:
    """The worker of every Hired event in the store, read straight from the log."""
    ledger = Ledger(env=store_environment(url))
    try:
        hired: list[str] = []
        start = 1
        while True:
            page = ledger.recorder.select_notifications(start=start, limit=500)
            if not page:
                return hired
            hired += [str(n.originator_id) for n in page if n.topic.endswith(".Hired")]
            start = page[-1].id + 1
    finally:
        ledger.close()


def _wait_for(condition: Any, timeout: float = GIVE_UP_AFTER_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the writes did not progress"
        time.sleep(0.05)
