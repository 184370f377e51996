"""Failed authentications are rate-limited per client address and per presented token;
a valid token always gets through.

The counts live in the API process's memory, not the store, so one store (memory)
shows the behaviour; the matrix shows the statuses themselves on every store.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from domain.access import AccessToken, token_id
from domain.vocabulary import Role
from ledger.application import Ledger
from ledger.settings import Settings
from tests.e2e.conftest import V1, assert_problem

LIMIT = 3


@pytest.fixture
def app() -> Iterator[FastAPI]:
    settings = Settings(database_url="memory://", policy="baohe-2020", auth_failure_limit=LIMIT)
    application = create_app(settings)
    with TestClient(application):  # runs the lifespan: opens and bootstraps the ledger
        yield application


def client(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, client=(address, 50000))


def units(c: TestClient, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return int(c.get(V1 + "/units", headers=headers).status_code)


def admin_token(app: FastAPI) -> str:
    token: str = app.state.first_admin_token
    return token


def test_an_address_that_fails_too_often_gets_429_with_retry_after(app: FastAPI) -> None:
    attacker = client(app, "203.0.113.7")
    for attempt in range(LIMIT):
        assert units(attacker, f"lgr_guess-{attempt}") == 401

    response = attacker.get(V1 + "/units", headers={"Authorization": "Bearer lgr_guess-x"})

    problem = assert_problem(response, 429, "too_many_failed_authentications")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert "try again" in problem["detail"]
    # Further guesses keep answering 429 while the window lasts.
    assert units(attacker, "lgr_guess-y") == 429


def test_a_valid_token_still_works_from_an_address_that_exceeded_its_failures(
    app: FastAPI,
) -> None:
    office = client(app, "203.0.113.7")  # one shared address for a whole office
    for attempt in range(LIMIT + 2):
        units(office, f"lgr_typo-{attempt}")
    assert units(office, "lgr_typo-again") == 429

    assert units(office, admin_token(app)) == 200
    assert units(office, admin_token(app)) == 200


def test_other_addresses_are_not_affected(app: FastAPI) -> None:
    attacker = client(app, "203.0.113.7")
    for attempt in range(LIMIT + 2):
        units(attacker, f"lgr_guess-{attempt}")

    assert units(client(app, "198.51.100.1"), admin_token(app)) == 200


def test_requests_without_a_token_are_not_counted_as_failures(app: FastAPI) -> None:
    forgetful = client(app, "198.51.100.2")
    for _ in range(LIMIT * 3):
        assert units(forgetful, None) == 401

    assert units(forgetful, admin_token(app)) == 200


def test_a_revoked_token_tried_from_many_addresses_is_limited_by_its_id(app: FastAPI) -> None:
    ledger: Ledger = app.state.ledger
    secret = ledger.create_token("stolen", Role.REPORTER)
    ledger.revoke_token(token_id(secret), "stolen laptop")

    for n in range(LIMIT):
        assert units(client(app, f"192.0.2.{n}"), secret) == 401

    assert units(client(app, "192.0.2.200"), secret) == 429
    assert units(client(app, "192.0.2.200"), admin_token(app)) == 200


def test_an_expired_token_counts_as_a_failure(app: FastAPI) -> None:
    ledger: Ledger = app.state.ledger
    last_year = datetime.now(UTC) - timedelta(days=365)
    token, secret = AccessToken.issue(
        name="old",
        role=Role.REPORTER,
        unit_id=None,
        expires_at=last_year + timedelta(days=30),
        now=last_year,
    )
    ledger.save(token)
    user = client(app, "192.0.2.50")

    details = set()
    for _ in range(LIMIT):
        response = user.get(V1 + "/units", headers={"Authorization": f"Bearer {secret}"})
        details.add(assert_problem(response, 401, "unauthorized")["detail"])

    assert units(user, secret) == 429
    assert len(details) == 1 and "expired" in details.pop()


def test_the_openapi_document_lists_429_wherever_401_is_listed(app: FastAPI) -> None:
    document = client(app, "127.0.0.1").get(V1 + "/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            answers = operation.get("responses", {})
            if "401" in answers:
                assert "429" in answers, f"{method.upper()} {path}"
