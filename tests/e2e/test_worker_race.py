"""Many clerks writing to one worker at once: every fact kept exactly once, never a lost update.

A worker's facts are saved with the version they were checked against; a save
that finds a newer version conflicts, and the ledger checks the command again
against the fresh state (so a second appraisal of one year is refused as
``duplicate_appraisal``, not written over the first). After five conflicting
attempts it gives up with 409 ``concurrent_modification``, having recorded
nothing: the client sends the request again.

On PostgreSQL half the requests go through one server process and half
through a second over the same database, so conflicts arise both between
threads sharing a ledger and between processes sharing only the store.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from eventsourcing.persistence import IntegrityError

from ledger.core import MAX_ATTEMPTS
from tests.e2e.conftest import Api, Tree, assert_problem, hire, hire_body
from tests.e2e.servers import bootstrap, uvicorn_server
from tests.stores import postgres_database

V1 = "/api/v1"
YEARS = list(range(2010, 2022))  # one writer per year, all at once
CONTESTED_YEAR = 2022
RATINGS = ["excellent", "competent", "basically_competent", "unqualified"] * 2
REFUSALS = {"concurrent_modification", "duplicate_appraisal"}


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with postgres_database() as url:
        yield url


@pytest.mark.postgres
def test_writers_racing_on_one_worker_on_postgres_lose_no_fact_and_record_none_twice(
    postgres_url: str, tmp_path: Path
) -> None:
    race_on_one_worker(postgres_url, tmp_path, processes=2)


def test_writers_racing_on_one_worker_on_sqlite_lose_no_fact_and_record_none_twice(
    tmp_path: Path,
) -> None:
    # One process: SQLite is the embedded, single-process store (several API
    # processes run on PostgreSQL), and a second process's write lock outlasts
    # the in-process wait for the store's one writer connection (a 503).
    race_on_one_worker(f"sqlite:///{tmp_path / 'race.db'}", tmp_path, processes=1)


def race_on_one_worker(database_url: str, tmp_path: Path, *, processes: int) -> None:
    token = bootstrap(database_url)
    auth = {"Authorization": f"Bearer {token}"}
    with ExitStack() as stack:
        targets = [
            stack.enter_context(uvicorn_server(database_url, tmp_path / f"server-{n}.log"))
            for n in range(processes)
        ]
        admin = stack.enter_context(
            httpx.Client(base_url=targets[0] + V1, headers=auth, timeout=60)
        )
        worker = _worker_hired_in_2010(admin)

        # Distinct years: each 201 is in the history once; each refusal recorded nothing
        # and, sent again, is recorded.
        bodies = [{"year": y, "rating": "competent"} for y in YEARS]
        answers = _fire_together(targets, auth, f"/workers/{worker}/appraisals", bodies)
        _assert_only_created_or_refused(answers)
        created = {b["year"] for b, r in zip(bodies, answers, strict=True) if r.status_code == 201}
        assert created, "at least the first writer gets through"
        assert Counter(_appraised_years(admin, worker)) == Counter(created)
        for body, answer in zip(bodies, answers, strict=True):
            if answer.status_code == 409:
                assert answer.json()["code"] == "concurrent_modification", answer.text
                resent = admin.post(f"/workers/{worker}/appraisals", json=body)
                assert resent.status_code == 201, resent.text
        assert Counter(_appraised_years(admin, worker)) == Counter(YEARS)

        # One contested year with different ratings: exactly one wins, and its rating stays.
        bodies = [{"year": CONTESTED_YEAR, "rating": rating} for rating in RATINGS]
        answers = _fire_together(targets, auth, f"/workers/{worker}/appraisals", bodies)
        _assert_only_created_or_refused(answers)
        winners = [b for b, r in zip(bodies, answers, strict=True) if r.status_code == 201]
        assert len(winners) == 1, [r.text for r in answers]
        history = _appraisals(admin, worker)
        assert [a["rating"] for a in history if a["year"] == CONTESTED_YEAR] == [
            winners[0]["rating"]
        ]
        assert len(history) == len(YEARS) + 1


def test_a_write_that_keeps_conflicting_is_refused_as_concurrent_modification_unrecorded(
    api: Api, tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every attempt's save meets a newer version (as when writers keep racing it)."""
    worker = hire(api, tree.community)["worker_id"]
    before = api.events_recorded()
    attempts = []

    def always_conflicting(*aggregates: object, **kwargs: object) -> None:
        attempts.append(aggregates)
        raise IntegrityError("the worker's version was taken")

    with monkeypatch.context() as patch:
        patch.setattr(api.ledger, "save", always_conflicting)
        answer = api.post(f"/workers/{worker}/appraisals", {"year": 2021, "rating": "competent"})
    assert_problem(answer, 409, "concurrent_modification")
    assert len(attempts) == MAX_ATTEMPTS  # each retried against fresh state, then given up
    assert api.events_recorded() == before
    # Sent again once the racing stops, it is recorded, once.
    api.created(f"/workers/{worker}/appraisals", {"year": 2021, "rating": "competent"})
    assert [h["type"] for h in api.history(worker)].count("Appraised") == 1


def _assert_only_created_or_refused(answers: list[httpx.Response]) -> None:
    for answer in answers:
        assert answer.status_code in (201, 409), answer.text
        if answer.status_code == 409:
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert answer.json()["code"] in REFUSALS, answer.text


def _fire_together(
    targets: list[str], auth: dict[str, str], path: str, bodies: list[dict[str, Any]]
) -> list[httpx.Response]:
    """POST every body at the same moment, alternating between the servers."""
    clients = [
        httpx.Client(base_url=targets[i % len(targets)] + V1, headers=auth, timeout=60)
        for i in range(len(bodies))
    ]
    try:
        for client in clients:
            client.get("/healthz").raise_for_status()  # connect before the start line
        barrier = threading.Barrier(len(clients))
        answers: list[httpx.Response | None] = [None] * len(clients)

        def post(index: int) -> None:
            barrier.wait()
            answers[index] = clients[index].post(path, json=bodies[index])

        threads = [threading.Thread(target=post, args=(i,)) for i in range(len(clients))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert all(a is not None for a in answers), "a racing request did not finish"
        return [a for a in answers if a is not None]
    finally:
        for client in clients:
            client.close()


def _worker_hired_in_2010(admin: httpx.Client) -> str:
    unit = admin.post("/units", json={"name": "包河区", "kind": "district"}).json()["unit_id"]
    approval = {"quota": 5, "effective_date": "2009-01-01", "document_ref": "包编〔2009〕1号"}
    assert admin.post(f"/units/{unit}/quota-approvals", json=approval).status_code == 201
    hired = admin.post("/workers", json=hire_body(unit, hire_date="2010-01-04", id_number=None))
    assert hired.status_code == 201, hired.text
    return str(hired.json()["worker_id"])


def _appraisals(admin: httpx.Client, worker: str) -> list[dict[str, Any]]:
    items = admin.get(f"/workers/{worker}/history").json()["items"]
    return [item["data"] for item in items if item["type"] == "Appraised"]


def _appraised_years(admin: httpx.Client, worker: str) -> list[int]:
    return [a["year"] for a in _appraisals(admin, worker)]
