"""End-to-end fixtures: the HTTP app on a store, an admin client and a unit tree.

``api`` is a TestClient over ``create_app(Settings(database_url=store))`` with
its lifespan running, so the ledger is opened and bootstrapped exactly as in
production; the first admin token comes from that bootstrap.

Which stores. The store-level tests (tests/integration, the ``store`` fixture of
tests/conftest.py) run every scenario on memory, SQLite and PostgreSQL: the
application, the projections and their queries, the CLI. Over HTTP the store is
behind all of that, so an HTTP test runs on one store, ``E2E_STORE`` (SQLite: a
real database file with the read models beside the events, closest to the
default deployment), and on PostgreSQL as well only where the store decides the
answer. ``POSTGRES_TOO`` names those tests (a module, or ``module::test``):

- test_idempotency: the idempotency record is saved in the same transaction as
  the facts it answers for, and a retry meets it through the store's unique ids;
- test_if_match: the ETag is the aggregate's version as read back from the
  store, and the refusal of a stale one compares against it before the save;
- test_worker_race: the conflict-and-retry path of a save that meets a newer
  version (the races themselves run on both stores explicitly in that module);
- test_failures: store failures become a 503 to retry, other failures a 500
  (the database that goes away mid-flight is PostgreSQL-only in that module);
- test_operations, the readiness tests: /readyz asks the store itself and reads
  the projector's position from the read-model tables in the same database;
- test_roster, the cursor test: paging orders and compares worker ids in SQL,
  whose column types differ between the databases; no store-level test pages.
- test_policy_posts_api: a ledger bootstrapped from a policy file with posts of its
  own, whose codes the read models key and filter by in SQL (periods mapped to a
  later version's posts, quota usage grouped by post).

Modules that pick their stores themselves, untouched by this: test_quota_race
and test_worker_race's races (SQLite and PostgreSQL, real uvicorn processes),
test_postgres_restart (a PostgreSQL server of its own), test_access_matrix (the
whole matrix on memory, a slice on SQLite and PostgreSQL), test_auth_rate_limit
(memory: the counts live in the API process) and test_fuzz_openapi (SQLite).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.vocabulary import Role
from ledger.application import Ledger
from ledger.settings import Settings
from tests.stores import E2E_STORE, POSTGRES, store_url

V1 = "/api/v1"


@dataclass
class Api:
    """An HTTP client acting as one token holder, with the ledger behind it for checks."""

    client: TestClient
    token: str | None

    @property
    def ledger(self) -> Ledger:
        ledger = self.client.app.state.ledger  # type: ignore[attr-defined]
        assert isinstance(ledger, Ledger)
        return ledger

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def post(
        self, path: str, body: Any = None, *, key: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        extra = {"Idempotency-Key": key} if key else {}
        headers = self.headers({**extra, **kwargs.pop("headers", {})})
        return self.client.post(V1 + path, json=body, headers=headers, **kwargs)

    def post_raw(self, path: str, content: bytes) -> httpx.Response:
        headers = self.headers({"Content-Type": "application/json"})
        return self.client.post(V1 + path, content=content, headers=headers)

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.client.get(V1 + path, params=params, headers=self.headers())

    def as_token(self, token: str | None) -> Api:
        return Api(self.client, token)

    def with_role(self, role: Role, unit_id: str | None = None) -> Api:
        name = f"{role.value}-{unit_id or 'all'}"
        secret = self.ledger.create_token(name, role, UUID(unit_id) if unit_id else None)
        return self.as_token(secret)

    def created(self, path: str, body: Any, **kwargs: Any) -> dict[str, Any]:
        """POST that must answer 201; its JSON."""
        response = self.post(path, body, **kwargs)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def ok(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def events_recorded(self) -> int:
        """Every event the store holds: the strictest "nothing was recorded" check."""
        return self.ledger.recorder.max_notification_id() or 0

    def history(self, worker_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.ok(f"/workers/{worker_id}/history")["items"]
        return items


@dataclass
class Tree:
    """A district, a street office under it and a community under that, with quotas."""

    district: str
    street: str
    community: str


# The HTTP tests that run on PostgreSQL as well as on E2E_STORE (see the docstring).
POSTGRES_TOO = {
    "test_idempotency",
    "test_if_match",
    "test_worker_race",
    "test_failures",
    "test_operations::test_health_and_readiness_answer_without_a_token",
    "test_operations::test_readiness_reports_the_projection_lag",
    "test_roster::test_the_cursor_walks_every_page_once",
    "test_policy_posts_api",
}


def e2e_stores(module: str, test: str) -> list[Any]:
    """The stores an HTTP test runs on: E2E_STORE, and PostgreSQL if POSTGRES_TOO names it."""
    module = module.rsplit(".", 1)[-1]
    also = module in POSTGRES_TOO or f"{module}::{test}" in POSTGRES_TOO
    return [E2E_STORE, POSTGRES] if also else [E2E_STORE]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test here that uses ``store`` (through ``api`` and friends) gets its stores."""
    if "store" in metafunc.fixturenames:
        stores = e2e_stores(metafunc.module.__name__, metafunc.function.__name__)
        metafunc.parametrize("store", stores, indirect=True)


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Overrides the every-store fixture of tests/conftest.py for the HTTP tests."""
    with store_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def api(store: str) -> Iterator[Api]:
    app = create_app(Settings(database_url=store, policy="baohe-2020"))
    with TestClient(app) as client:
        token = app.state.first_admin_token
        assert token, "a fresh store is bootstrapped and hands out the first admin token"
        yield Api(client, token)


def make_tree(api: Api, *, street_quota: int = 10, community_quota: int = 3) -> Tree:
    district = api.created("/units", {"name": "包河区", "kind": "district"})["unit_id"]
    street = api.created(
        "/units",
        {"name": "望湖街道", "kind": "street_office", "parent_id": district, "class": 1},
    )["unit_id"]
    community = api.created(
        "/units",
        {"name": "南薰门社区", "kind": "urban_community", "parent_id": street, "class": 2},
    )["unit_id"]
    for unit_id, quota in ((street, street_quota), (community, community_quota)):
        approve(api, unit_id, quota)
    return Tree(district, street, community)


def approve(api: Api, unit_id: str, quota: int, effective_date: str = "2020-01-01") -> None:
    api.created(
        f"/units/{unit_id}/quota-approvals",
        {"quota": quota, "effective_date": effective_date, "document_ref": "包编〔2020〕1号"},
    )


@pytest.fixture
def tree(api: Api) -> Tree:
    return make_tree(api)


def hire_body(unit_id: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "张三",
        "gender": "female",
        "birth_date": "1990-05-01",
        "id_number": "340104199005011234",
        "education": "bachelor",
        "unit_id": unit_id,
        "post": "assistant",
        "hire_date": "2021-03-01",
        "channel": "open_recruitment",
    }
    body.update(overrides)
    return body


def hire(api: Api, unit_id: str, **overrides: Any) -> dict[str, Any]:
    return api.created("/workers", hire_body(unit_id, **overrides))


def assert_problem(
    response: httpx.Response, status: int, code: str, field: str | None = None
) -> dict[str, Any]:
    """The answer is a problem document with this status and code (naming ``field``)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["code"] == code
    assert {"type", "title", "detail"} <= problem.keys()
    if field is not None:
        named = {problem.get("field")} | {e["field"] for e in problem.get("errors", [])}
        assert field in named, problem
    return problem
