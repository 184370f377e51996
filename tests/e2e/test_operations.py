"""Health, readiness, the OpenAPI document, request ids and problems for unknown routes."""

from __future__ import annotations

from typing import Any

from api.app import create_app
from tests.e2e.conftest import Api, Tree, assert_problem, hire


def test_health_and_readiness_answer_without_a_token(api: Api) -> None:
    anonymous = api.as_token(None)
    assert anonymous.ok("/healthz") == {"status": "ok"}
    ready = anonymous.ok("/readyz")
    assert (ready["status"], ready["store"]) == ("ready", "ok")


def test_readiness_reports_the_projection_lag(api: Api, tree: Tree) -> None:
    hire(api, tree.street)
    lag = api.as_token(None).ok("/readyz")["projections"]
    assert set(lag) == {"position", "head", "lag_events", "lag_seconds"}
    assert lag["head"] >= lag["position"] and lag["lag_events"] == lag["head"] - lag["position"]


def test_the_openapi_document_lists_every_endpoint(api: Api) -> None:
    document: dict[str, Any] = api.client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    for path, method in [
        ("/api/v1/units", "post"),
        ("/api/v1/units/{unit_id}/quota-approvals", "post"),
        ("/api/v1/units/{unit_id}/dispatch-headcount", "post"),
        ("/api/v1/units/{unit_id}", "get"),
        ("/api/v1/units/{unit_id}/quota-usage", "get"),
        ("/api/v1/workers", "post"),
        ("/api/v1/workers/{worker_id}/appraisals", "post"),
        ("/api/v1/workers/{worker_id}/appraisals/{year}/corrections", "post"),
        ("/api/v1/workers/{worker_id}/grade-changes", "post"),
        ("/api/v1/workers/{worker_id}/post-changes", "post"),
        ("/api/v1/workers/{worker_id}/transfers", "post"),
        ("/api/v1/workers/{worker_id}/education", "post"),
        ("/api/v1/workers/{worker_id}/certificates", "post"),
        ("/api/v1/workers/{worker_id}/dismissal", "post"),
        ("/api/v1/workers/{worker_id}", "get"),
        ("/api/v1/workers/{worker_id}/history", "get"),
        ("/api/v1/healthz", "get"),
        ("/api/v1/readyz", "get"),
    ]:
        assert method in paths[path], (path, method)
    assert "201" in paths["/api/v1/workers"]["post"]["responses"]
    assert "HTTPBearer" in document["components"]["securitySchemes"]
    schemas = document["components"]["schemas"]
    # A post is a code of the policy in force, not a fixed enum: the form is stated, and
    # the posts are GET /policies/current's.
    post = schemas["HireIn"]["properties"]["post"]
    assert "Post" not in schemas and "enum" not in post
    assert (
        post["pattern"] == "^[a-z][a-z0-9_]{0,39}$" and "/policies/current" in post["description"]
    )


def test_the_interactive_docs_are_served(api: Api) -> None:
    response = api.client.get("/docs")
    assert response.status_code == 200
    assert "/api/v1/openapi.json" in response.text


def test_an_incoming_request_id_is_echoed_and_recorded(api: Api, tree: Tree) -> None:
    response = api.post(
        f"/units/{tree.community}/dispatch-headcount",
        {"count": 4, "year": 2022},
        headers={"X-Request-ID": "trace-abc-123"},
    )
    assert response.headers["X-Request-ID"] == "trace-abc-123"


def test_a_request_id_is_made_when_none_or_an_unusable_one_is_sent(api: Api) -> None:
    made = api.client.get("/api/v1/healthz").headers["X-Request-ID"]
    replaced = api.client.get("/api/v1/healthz", headers={"X-Request-ID": "x" * 500}).headers[
        "X-Request-ID"
    ]
    assert made and replaced and len(replaced) < 500


def test_an_error_answer_carries_the_request_id_too(api: Api) -> None:
    response = api.client.delete("/api/v1/units", headers={"X-Request-ID": "trace-404"})
    problem = assert_problem(response, 405, "method_not_allowed")
    assert response.headers["X-Request-ID"] == "trace-404"
    assert problem["request_id"] == "trace-404"


def test_an_unknown_route_is_a_problem(api: Api) -> None:
    assert_problem(api.get("/no-such-thing"), 404, "not_found")
    assert_problem(api.client.get("/elsewhere"), 404, "not_found")


def test_an_app_given_a_ledger_uses_it_and_leaves_it_open(api: Api) -> None:
    from fastapi.testclient import TestClient

    app = create_app(ledger=api.ledger)
    with TestClient(app) as client:
        response = client.get("/api/v1/readyz")
    assert response.status_code == 200
    assert api.ok("/readyz")["status"] == "ready"  # still open for its owner
