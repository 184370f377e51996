"""End-to-end fixtures: the HTTP app on each store, an admin client and a unit tree.

``api`` is a TestClient over ``create_app(Settings(database_url=store))`` with
its lifespan running, so the ledger is opened and bootstrapped exactly as in
production; the first admin token comes from that bootstrap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.vocabulary import Role
from ledger.application import Ledger
from ledger.settings import Settings

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
