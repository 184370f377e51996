"""When the store or the code fails: 503 to retry, 500 as the last resort, both problems."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from eventsourcing.persistence import OperationalError
from fastapi.testclient import TestClient

from api.app import create_app
from ledger.application import Ledger
from ledger.settings import Settings
from tests.e2e.conftest import Api, Tree, assert_problem
from tests.stores import _pg_connect, postgres_database


def test_a_store_that_does_not_answer_is_a_503_to_retry(
    api: Api, tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(Ledger, "unit_view", unreachable)
    response = api.get(f"/units/{tree.community}")
    problem = assert_problem(response, 503, "store_unavailable")
    assert response.headers["Retry-After"].isdigit()
    assert "refused" not in problem["detail"]  # no internals in the answer


def test_an_unexpected_failure_is_a_logged_500_problem(
    api: Api, tree: Tree, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(Ledger, "unit_view", broken)
    with caplog.at_level(logging.ERROR, logger="api"):
        response = api.client.get(
            f"/api/v1/units/{tree.community}",
            headers=api.headers({"X-Request-ID": "trace-500"}),
        )
    problem = assert_problem(response, 500, "internal_error")
    assert "a bug" not in problem["detail"]
    assert response.headers["X-Request-ID"] == "trace-500"
    assert any("trace-500" in record.getMessage() for record in caplog.records)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with postgres_database() as url:
        yield url


@pytest.mark.postgres
def test_readiness_fails_with_503_when_the_database_goes_away(postgres_url: str) -> None:
    app = create_app(Settings(database_url=postgres_url, postgres_pool_size=2))
    with TestClient(app) as client:
        assert client.get("/api/v1/readyz").status_code == 200
        name = postgres_url.rsplit("/", 1)[1]
        with _pg_connect() as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            conn.execute(f'DROP DATABASE "{name}"')
        started = time.monotonic()
        response = client.get("/api/v1/readyz")
        assert_problem(response, 503, "store_unavailable")
        assert response.headers["Retry-After"]
        assert time.monotonic() - started < 10  # a probe answers quickly
        assert_problem(client.get("/api/v1/readyz"), 503, "store_unavailable")
