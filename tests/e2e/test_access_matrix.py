"""Every endpoint × every kind of caller, with the exact status each must get.

The endpoints come from the OpenAPI document itself: an endpoint without a row
in ``EXPECTED`` fails ``test_every_endpoint_has_a_row``, so whoever adds an
endpoint decides here who may call it. Each case runs in a fresh small world

    district 包河区 ─┬─ street office X (望湖街道) ── community C (南薰门社区), worker W
                    └─ street office Y (常青街道)

with a valid body, so the status answers only "may this caller do this here?".
Callers: the admin, a clerk of X, a clerk of Y (another unit), an auditor, a
reporter, no token, an expired token and a revoked one. Refusals record nothing,
and no answer shows a caller more of a person than api/personal.py allows.

The whole matrix runs on the memory store; a slice (one read and one write per
router and the token endpoints) runs on SQLite and PostgreSQL to show the
answers do not depend on the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from domain.access import AccessToken, token_id
from domain.vocabulary import Role
from ledger.application import Ledger
from ledger.settings import Settings
from tests.e2e.conftest import V1, hire_body
from tests.stores import store_url

CALLERS = ("admin", "clerk_x", "clerk_y", "auditor", "reporter", "none", "expired", "revoked")

ID_NUMBER = "340104199005011234"
MASKED_ID_NUMBER = "340***********1234"
BIRTH_DATE = "1990-05-01"


# -- the expected statuses, in the order of CALLERS ----------------------------------------
def statuses(admin: int, x: int, y: int, auditor: int, reporter: int) -> tuple[int, ...]:
    return (admin, x, y, auditor, reporter, 401, 401, 401)


OPEN = (200,) * len(CALLERS)
READ_IN_X = statuses(200, 200, 403, 200, 200)
READ_ALL = statuses(200, 200, 200, 200, 200)
WRITE_IN_X = statuses(201, 201, 403, 403, 403)
RUN_IN_X = statuses(200, 200, 403, 403, 403)  # a write that answers 200 (a batch run)
ADMIN_READ = statuses(200, 403, 403, 403, 403)
ADMIN_WRITE = statuses(201, 403, 403, 403, 403)


@dataclass(frozen=True)
class World:
    district: str
    street_x: str
    community: str
    street_y: str
    worker: str
    victim_token: str  # a token id for the revocation endpoint
    tokens: dict[str, str | None]


Body = Callable[[World], Any]


@dataclass(frozen=True)
class Row:
    path: str  # the concrete path, {placeholders} filled from the world
    expected: tuple[int, ...]
    body: Body | None = None
    params: dict[str, str] | None = None


def fill(template: str, world: World) -> str:
    return template.format(
        unit_id=world.community,
        worker_id=world.worker,
        token_id=world.victim_token,
        street_x=world.street_x,
        year=2021,
    )


EXPECTED: dict[tuple[str, str], Row] = {
    ("GET", "/healthz"): Row("/healthz", OPEN),
    ("GET", "/readyz"): Row("/readyz", OPEN),
    # units: the community C below X
    ("GET", "/units"): Row("/units", READ_IN_X, params={"parent_id": "{street_x}"}),
    ("POST", "/units"): Row(
        "/units",
        WRITE_IN_X,
        body=lambda w: {"name": "新社区", "kind": "urban_community", "parent_id": w.street_x},
    ),
    ("GET", "/units/{unit_id}"): Row("/units/{unit_id}", READ_IN_X),
    ("GET", "/units/{unit_id}/quota-usage"): Row("/units/{unit_id}/quota-usage", READ_IN_X),
    ("POST", "/units/{unit_id}/quota-approvals"): Row(
        "/units/{unit_id}/quota-approvals",
        WRITE_IN_X,
        body=lambda w: {
            "quota": 6,
            "effective_date": "2022-01-01",
            "document_ref": "望街〔2022〕1号",
        },
    ),
    ("POST", "/units/{unit_id}/counts"): Row(
        "/units/{unit_id}/counts",
        WRITE_IN_X,
        body=lambda w: {"effective_date": "2022-01-01", "households": 2400},
    ),
    ("POST", "/units/{unit_id}/dispatch-headcount"): Row(
        "/units/{unit_id}/dispatch-headcount",
        WRITE_IN_X,
        body=lambda w: {"count": 4, "year": 2022},
    ),
    # workers: W in community C
    ("GET", "/workers"): Row("/workers", READ_IN_X, params={"unit_id": "{street_x}"}),
    ("POST", "/workers"): Row(
        "/workers", WRITE_IN_X, body=lambda w: hire_body(w.community, name="李四")
    ),
    ("GET", "/workers/{worker_id}"): Row(
        "/workers/{worker_id}", READ_IN_X, params={"as_of": "2022-01-01"}
    ),
    ("GET", "/workers/{worker_id}/history"): Row("/workers/{worker_id}/history", READ_IN_X),
    ("POST", "/workers/{worker_id}/appraisals"): Row(
        "/workers/{worker_id}/appraisals",
        WRITE_IN_X,
        body=lambda w: {"year": 2022, "rating": "excellent"},
    ),
    ("POST", "/workers/{worker_id}/appraisals/{year}/corrections"): Row(
        "/workers/{worker_id}/appraisals/{year}/corrections",
        WRITE_IN_X,
        body=lambda w: {"rating": "excellent", "reason": "复核更正"},
    ),
    ("POST", "/workers/{worker_id}/grade-changes"): Row(
        "/workers/{worker_id}/grade-changes",
        WRITE_IN_X,
        body=lambda w: {"grade": 4, "effective_date": "2022-06-01", "reason": "reward"},
    ),
    ("POST", "/workers/{worker_id}/post-changes"): Row(
        "/workers/{worker_id}/post-changes",
        WRITE_IN_X,
        body=lambda w: {"post": "officer", "effective_date": "2022-06-01", "reason": "election"},
    ),
    ("POST", "/workers/{worker_id}/transfers"): Row(
        "/workers/{worker_id}/transfers",
        WRITE_IN_X,
        body=lambda w: {"unit_id": w.street_x, "effective_date": "2022-06-01"},
    ),
    ("POST", "/workers/{worker_id}/education"): Row(
        "/workers/{worker_id}/education",
        WRITE_IN_X,
        body=lambda w: {"education": "master", "effective_date": "2022-06-01"},
    ),
    ("POST", "/workers/{worker_id}/certificates"): Row(
        "/workers/{worker_id}/certificates",
        WRITE_IN_X,
        body=lambda w: {"level": "social_worker", "effective_date": "2022-06-01"},
    ),
    ("POST", "/workers/{worker_id}/dismissal"): Row(
        "/workers/{worker_id}/dismissal",
        WRITE_IN_X,
        body=lambda w: {"effective_date": "2022-06-30", "reason": "resignation"},
    ),
    # rules and reports, asked for X's subtree
    ("GET", "/rules/grade-steps"): Row(
        "/rules/grade-steps", READ_IN_X, params={"unit_id": "{street_x}", "as_of": "2025-01-01"}
    ),
    ("POST", "/rules/grade-steps/apply"): Row(
        "/rules/grade-steps/apply",
        RUN_IN_X,
        body=lambda w: {"as_of": "2025-01-01", "unit_id": w.street_x},
    ),
    ("GET", "/reports/quota-usage"): Row(
        "/reports/quota-usage", READ_IN_X, params={"unit_id": "{street_x}"}
    ),
    ("GET", "/reports/payroll"): Row(
        "/reports/payroll", READ_IN_X, params={"unit_id": "{street_x}", "month": "2022-01"}
    ),
    ("GET", "/reports/promotion-candidates"): Row(
        "/reports/promotion-candidates", READ_IN_X, params={"unit_id": "{street_x}"}
    ),
    ("GET", "/reports/dismissals-required"): Row(
        "/reports/dismissals-required", READ_IN_X, params={"unit_id": "{street_x}"}
    ),
    # policies: every role reads them, only an admin adopts one
    ("GET", "/policies"): Row("/policies", READ_ALL),
    ("GET", "/policies/current"): Row("/policies/current", READ_ALL),
    ("GET", "/policies/current/document"): Row("/policies/current/document", READ_ALL),
    ("GET", "/policies/schema"): Row("/policies/schema", READ_ALL),
    ("POST", "/policies"): Row(
        "/policies",
        ADMIN_WRITE,
        # Far ahead of every date the matrix asks about, and adopted once per app (only
        # the admin's row succeeds), so the versions stay in order.
        body=lambda w: {
            "policy": "baohe-2020",
            "effective_date": "2090-01-01",
            "document_ref": "包政〔2090〕1号",
        },
    ),
    # simulations: any role replays a draft; a clerk within their own subtree
    ("POST", "/simulations"): Row(
        "/simulations",
        READ_IN_X,
        body=lambda w: {
            "policy": "chibi-2020",
            "from_month": "2022-01",
            "to_month": "2022-03",
            "unit_id": w.street_x,
        },
    ),
    # access tokens: the admin's alone
    ("GET", "/tokens"): Row("/tokens", ADMIN_READ),
    ("POST", "/tokens"): Row(
        "/tokens", ADMIN_WRITE, body=lambda w: {"name": "新报表", "role": "reporter"}
    ),
    ("POST", "/tokens/{token_id}/revocation"): Row(
        "/tokens/{token_id}/revocation", ADMIN_WRITE, body=lambda w: {"reason": "调离"}
    ),
}

# The slice run on every store: one read and one write per router, and the tokens.
SLICE = [
    ("GET", "/units/{unit_id}"),
    ("POST", "/units/{unit_id}/quota-approvals"),
    ("GET", "/workers/{worker_id}/history"),
    ("POST", "/workers/{worker_id}/appraisals"),
    ("GET", "/reports/payroll"),
    ("POST", "/rules/grade-steps/apply"),
    ("POST", "/tokens/{token_id}/revocation"),
]


# -- the app and the world ------------------------------------------------------------------
def served(url: str) -> Iterator[TestClient]:
    # The failed-authentication limit is off: the expired and revoked callers fail
    # hundreds of times from one test address. test_auth_rate_limit.py covers it.
    app = create_app(Settings(database_url=url, policy="baohe-2020", auth_failure_limit=0))
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def memory_client() -> Iterator[TestClient]:
    yield from served("memory://")


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def durable_client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    tmp: Path = tmp_path_factory.mktemp("matrix")
    with store_url(request.param, tmp) as url:
        yield from served(url)


def ledger_of(client: TestClient) -> Ledger:
    ledger = client.app.state.ledger  # type: ignore[attr-defined]
    assert isinstance(ledger, Ledger)
    return ledger


def build_world(client: TestClient) -> World:
    app: FastAPI = client.app  # type: ignore[assignment]
    admin = app.state.first_admin_token
    ledger = ledger_of(client)

    def created(path: str, body: Any) -> dict[str, Any]:
        response = client.post(V1 + path, json=body, headers={"Authorization": f"Bearer {admin}"})
        assert response.status_code == 201, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def unit(name: str, kind: str, parent: str | None, quota: int | None) -> str:
        unit_id: str = created("/units", {"name": name, "kind": kind, "parent_id": parent})[
            "unit_id"
        ]
        if quota is not None:
            approval = {"quota": quota, "effective_date": "2020-01-01", "document_ref": "包编1号"}
            created(f"/units/{unit_id}/quota-approvals", approval)
        return unit_id

    district = unit("包河区", "district", None, None)
    street_x = unit("望湖街道", "street_office", district, 10)
    community = unit("南薰门社区", "urban_community", street_x, 5)
    street_y = unit("常青街道", "street_office", district, 5)
    worker = created("/workers", hire_body(community, id_number=ID_NUMBER, birth_date=BIRTH_DATE))[
        "worker_id"
    ]
    created(f"/workers/{worker}/appraisals", {"year": 2021, "rating": "competent"})

    last_year = datetime.now(UTC) - timedelta(days=365)
    expired, expired_secret = AccessToken.issue(
        name="过期",
        role=Role.ADMIN,
        unit_id=None,
        expires_at=last_year + timedelta(days=90),
        now=last_year,
    )
    ledger.save(expired)
    revoked = ledger.create_token("已吊销", Role.ADMIN)
    ledger.revoke_token(token_id(revoked), "matrix")
    tokens: dict[str, str | None] = {
        "admin": admin,
        "clerk_x": ledger.create_token("X经办", Role.CLERK, UUID(street_x)),
        "clerk_y": ledger.create_token("Y经办", Role.CLERK, UUID(street_y)),
        "auditor": ledger.create_token("审计", Role.AUDITOR),
        "reporter": ledger.create_token("报表", Role.REPORTER),
        "none": None,
        "expired": expired_secret,
        "revoked": revoked,
    }
    victim = str(token_id(ledger.create_token("待吊销", Role.REPORTER)))
    return World(district, street_x, community, street_y, worker, victim, tokens)


def call(client: TestClient, method: str, row: Row, world: World, caller: str) -> httpx.Response:
    secret = world.tokens[caller]
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    path = V1 + fill(row.path, world)
    params = {k: fill(v, world) for k, v in (row.params or {}).items()}
    if method == "GET":
        return client.get(path, params=params, headers=headers)
    body = row.body(world) if row.body else None
    return client.request(method, path, params=params, json=body, headers=headers)


def check(client: TestClient, endpoint: tuple[str, str], caller: str) -> None:
    method, _ = endpoint
    row = EXPECTED[endpoint]
    world = build_world(client)
    ledger = ledger_of(client)
    before = ledger.recorder.max_notification_id()

    response = call(client, method, row, world, caller)

    expected = row.expected[CALLERS.index(caller)]
    assert response.status_code == expected, (endpoint, caller, response.text)
    if expected >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == {401: "unauthorized", 403: "forbidden"}[expected]
        assert ledger.recorder.max_notification_id() == before, "a refusal recorded a fact"
    else:
        shows_no_more_of_a_person_than_allowed(response.text, caller)


def shows_no_more_of_a_person_than_allowed(text: str, caller: str) -> None:
    """The rule of api/personal.py, checked on whatever the endpoint answers."""
    if caller in ("clerk_x", "clerk_y", "reporter"):
        assert ID_NUMBER not in text
    if caller == "reporter":
        assert MASKED_ID_NUMBER not in text
        assert BIRTH_DATE not in text


# -- the tests -------------------------------------------------------------------------------
def openapi_endpoints(client: TestClient) -> set[tuple[str, str]]:
    document = client.get(V1 + "/openapi.json").json()
    return {
        (method.upper(), path.removeprefix(V1))
        for path, operations in document["paths"].items()
        for method in operations
    }


def test_every_endpoint_has_a_row(memory_client: TestClient) -> None:
    served_endpoints = openapi_endpoints(memory_client)
    missing = sorted(served_endpoints - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - served_endpoints)
    assert not missing, f"add a row to EXPECTED for each new endpoint: {missing}"
    assert not stale, f"these rows name endpoints the API no longer serves: {stale}"


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", list(EXPECTED), ids=lambda e: f"{e[0]} {e[1]}")
def test_the_caller_gets_the_expected_status(
    memory_client: TestClient, endpoint: tuple[str, str], caller: str
) -> None:
    check(memory_client, endpoint, caller)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", SLICE, ids=lambda e: f"{e[0]} {e[1]}")
def test_the_status_does_not_depend_on_the_store(
    durable_client: TestClient, endpoint: tuple[str, str], caller: str
) -> None:
    check(durable_client, endpoint, caller)


def test_a_token_made_for_unit_y_is_refused_in_x_with_403_not_404(
    memory_client: TestClient,
) -> None:
    """Existing ids outside the caller's scope are 403, unknown ids 404, for everyone:
    ids are random UUIDs, so a 403 tells a clerk nothing they could use (docs/api.md)."""
    world = build_world(memory_client)
    headers = {"Authorization": f"Bearer {world.tokens['clerk_y']}"}
    outside = memory_client.get(f"{V1}/workers/{world.worker}", headers=headers)
    unknown = memory_client.get(f"{V1}/workers/{UUID(int=1)}", headers=headers)
    assert (outside.status_code, unknown.status_code) == (403, 404)
