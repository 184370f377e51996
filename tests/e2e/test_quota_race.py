"""Two clerks racing for a unit's last seat over real HTTP: exactly one wins.

The hire and the unit's seat are saved together, so the loser's save conflicts
on the unit's version; the ledger re-checks it against the winner's seat and
refuses it with ``quota_exceeded``. Half the rounds race two requests through
one server (threads sharing one ledger and its cache), half through two
server processes (two ledgers sharing only the database).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import hire_body
from tests.e2e.servers import bootstrap, uvicorn_server
from tests.stores import postgres_database

QUOTA = 3
ROUNDS_PER_LAYOUT = 4


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with postgres_database() as url:
        yield url


@pytest.mark.postgres
def test_two_hires_racing_for_the_last_seat_on_postgres_admit_exactly_one(
    postgres_url: str, tmp_path: Path
) -> None:
    race_for_the_last_seat(postgres_url, tmp_path)


def test_two_hires_racing_for_the_last_seat_on_sqlite_admit_exactly_one(
    tmp_path: Path,
) -> None:
    race_for_the_last_seat(f"sqlite:///{tmp_path / 'race.db'}", tmp_path)


def race_for_the_last_seat(database_url: str, tmp_path: Path) -> None:
    token = bootstrap(database_url)
    auth = {"Authorization": f"Bearer {token}"}
    with (
        uvicorn_server(database_url, tmp_path / "server-a.log") as server_a,
        uvicorn_server(database_url, tmp_path / "server-b.log") as server_b,
        httpx.Client(base_url=server_a, headers=auth, timeout=60) as admin,
    ):
        street = _street_office(admin)
        layouts = [(server_a, server_a)] * ROUNDS_PER_LAYOUT + [(server_a, server_b)] * (
            ROUNDS_PER_LAYOUT
        )
        for round_number, targets in enumerate(layouts):
            community = _community_with_one_free_seat(admin, street, round_number)
            bodies = [
                hire_body(community, name=f"候选人{round_number}-{side}", id_number=None)
                for side in ("甲", "乙")
            ]
            responses = _fire_together(targets, auth, bodies)

            statuses = sorted(r.status_code for r in responses)
            assert statuses == [201, 409], [r.text for r in responses]
            loser = next(r for r in responses if r.status_code == 409)
            assert loser.json()["code"] == "quota_exceeded", loser.text
            usage = admin.get(
                f"/api/v1/units/{community}/quota-usage", params={"as_of": "2022-01-01"}
            ).json()
            assert (usage["headcount"], usage["headroom"]) == (QUOTA, 0), usage


def _fire_together(
    targets: tuple[str, str], auth: dict[str, str], bodies: list[dict[str, Any]]
) -> list[httpx.Response]:
    """POST both hires at the same moment: connections are opened first, then a barrier."""
    clients = [httpx.Client(base_url=t, headers=auth, timeout=60) for t in targets]
    try:
        for client in clients:
            client.get("/api/v1/healthz").raise_for_status()  # connect before the start line
        barrier = threading.Barrier(len(clients))
        responses: list[httpx.Response | None] = [None] * len(clients)

        def hire(index: int) -> None:
            barrier.wait()
            responses[index] = clients[index].post("/api/v1/workers", json=bodies[index])

        threads = [threading.Thread(target=hire, args=(i,)) for i in range(len(clients))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert all(r is not None for r in responses), "a racing request did not finish"
        return [r for r in responses if r is not None]
    finally:
        for client in clients:
            client.close()


def _street_office(admin: httpx.Client) -> str:
    district = _created(admin, "/api/v1/units", {"name": "包河区", "kind": "district"})
    street = _created(
        admin,
        "/api/v1/units",
        {"name": "望湖街道", "kind": "street_office", "parent_id": district["unit_id"]},
    )
    return str(street["unit_id"])


def _community_with_one_free_seat(admin: httpx.Client, street: str, number: int) -> str:
    community = _created(
        admin,
        "/api/v1/units",
        {"name": f"竞争社区{number}", "kind": "urban_community", "parent_id": street},
    )["unit_id"]
    _created(
        admin,
        f"/api/v1/units/{community}/quota-approvals",
        {"quota": QUOTA, "effective_date": "2020-01-01", "document_ref": f"包编〔2020〕{number}号"},
    )
    for seat in range(QUOTA - 1):
        _created(admin, "/api/v1/workers", hire_body(community, name=f"在岗{seat}", id_number=None))
    return str(community)


def _created(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
