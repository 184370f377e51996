"""Admins manage tokens over HTTP: list, issue (the secret once), revoke (then 401)."""

from __future__ import annotations

from uuid import UUID

from domain.vocabulary import Role
from tests.e2e.conftest import Api, Tree, assert_problem


def test_an_admin_issues_a_token_that_works_at_once_and_is_listed_without_its_secret(
    api: Api, tree: Tree
) -> None:
    issued = api.created(
        "/tokens",
        {
            "name": "望湖人事",
            "role": "clerk",
            "unit_id": tree.street,
            "expires_at": "2099-12-31T23:59:59+08:00",
        },
    )

    assert issued["token"].startswith("lgr_")
    assert issued["expires_at"] == "2099-12-31T15:59:59Z"
    clerk = api.as_token(issued["token"])
    assert clerk.ok(f"/units/{tree.street}")["unit_id"] == tree.street
    listing = api.client.get("/api/v1/tokens", headers=api.headers())
    assert issued["token"] not in listing.text
    names = {t["name"]: t for t in listing.json()["items"]}
    assert names["望湖人事"]["unit_id"] == tree.street
    # Who issued it is on record, like every write.
    (fact,) = api.ledger.events.get(UUID(issued["token_id"]))
    assert fact.recorded_by == "first-admin"


def test_a_revoked_token_answers_401_and_a_second_revocation_409(api: Api, tree: Tree) -> None:
    issued = api.created("/tokens", {"name": "报表", "role": "reporter"})
    reporter = api.as_token(issued["token"])
    assert reporter.ok("/units")

    revoked = api.created(f"/tokens/{issued['token_id']}/revocation", {"reason": "调离"})
    again = api.post(f"/tokens/{issued['token_id']}/revocation", {"reason": "again"})

    assert revoked["revoked"] is True and revoked["revocation_reason"] == "调离"
    problem = assert_problem(reporter.get("/units"), 401, "unauthorized")
    assert "revoked" in problem["detail"]
    assert_problem(again, 409, "token_already_revoked")


def test_a_clerk_token_without_its_unit_is_refused_naming_unit_id(api: Api) -> None:
    before = api.events_recorded()
    response = api.post("/tokens", {"name": "经办", "role": "clerk"})
    assert_problem(response, 422, "validation_error")
    assert api.events_recorded() == before


def test_an_expiry_in_the_past_or_without_a_zone_is_refused(api: Api) -> None:
    before = api.events_recorded()
    for expiry in ("2020-01-01T00:00:00Z", "2099-01-01T00:00:00"):
        response = api.post("/tokens", {"name": "x", "role": "reporter", "expires_at": expiry})
        assert_problem(response, 422, "validation_error", field="expires_at")
    assert api.events_recorded() == before


def test_revoking_an_unknown_token_is_404(api: Api) -> None:
    response = api.post(
        "/tokens/7b0c3cf4-9f3e-4b1e-9a43-3d2f6d3c2a10/revocation", {"reason": "lost"}
    )
    assert_problem(response, 404, "not_found")


def test_nobody_but_an_admin_manages_tokens(api: Api, tree: Tree) -> None:
    victim = api.created("/tokens", {"name": "v", "role": "reporter"})["token_id"]
    before = api.events_recorded()
    for caller in (
        api.with_role(Role.CLERK, tree.district),
        api.with_role(Role.AUDITOR),
        api.with_role(Role.REPORTER),
    ):
        assert_problem(caller.get("/tokens"), 403, "forbidden")
        assert_problem(caller.post("/tokens", {"name": "me", "role": "admin"}), 403, "forbidden")
        assert_problem(
            caller.post(f"/tokens/{victim}/revocation", {"reason": "x"}), 403, "forbidden"
        )
    assert api.events_recorded() == before + 3  # the three callers' own tokens
