"""Who may do what: 401 without a valid token, 403 outside a role or a unit's subtree."""

from __future__ import annotations

import pytest

from domain.vocabulary import Role
from tests.e2e.conftest import Api, Tree, assert_problem, hire, hire_body


def test_a_request_without_a_token_is_unauthorized(api: Api, tree: Tree) -> None:
    anonymous = api.as_token(None)
    for response in (
        anonymous.get(f"/units/{tree.community}"),
        anonymous.post("/workers", hire_body(tree.community)),
    ):
        assert_problem(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("token", ["lgr_not-a-real-token", "x" * 5000])
def test_a_request_with_an_unknown_token_is_unauthorized(api: Api, tree: Tree, token: str) -> None:
    before = api.events_recorded()
    response = api.as_token(token).post("/workers", hire_body(tree.community))
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert api.events_recorded() == before


def test_a_token_in_another_scheme_is_unauthorized(api: Api, tree: Tree) -> None:
    response = api.client.get(
        f"/api/v1/units/{tree.community}", headers={"Authorization": f"Basic {api.token}"}
    )
    assert_problem(response, 401, "unauthorized")


def test_an_unauthenticated_write_is_refused_before_its_fields_are_judged(api: Api) -> None:
    response = api.as_token(None).post("/workers", {"post": "boss"})
    assert_problem(response, 401, "unauthorized")


@pytest.mark.parametrize("role", [Role.REPORTER, Role.AUDITOR])
def test_readers_may_read_but_not_write(api: Api, tree: Tree, role: Role) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    reader = api.with_role(role)
    before = api.events_recorded()

    assert reader.get(f"/workers/{worker_id}").status_code == 200
    assert reader.get(f"/units/{tree.community}/quota-usage").status_code == 200
    assert_problem(reader.post("/workers", hire_body(tree.community)), 403, "forbidden")
    assert_problem(
        reader.post(f"/workers/{worker_id}/appraisals", {"year": 2021, "rating": "competent"}),
        403,
        "forbidden",
    )
    assert_problem(
        reader.post(f"/units/{tree.community}/dispatch-headcount", {"count": 3, "year": 2021}),
        403,
        "forbidden",
    )
    assert api.events_recorded() == before


def test_only_an_auditor_or_admin_sees_the_whole_id_number(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community, id_number="340104199005011234")["worker_id"]
    auditor = api.with_role(Role.AUDITOR).ok(f"/workers/{worker_id}")
    clerk = api.with_role(Role.CLERK, tree.street).ok(f"/workers/{worker_id}")
    reporter = api.with_role(Role.REPORTER).ok(f"/workers/{worker_id}")
    assert auditor["id_number"] == "340104199005011234"
    assert clerk["id_number"] == "340***********1234"
    assert reporter["id_number"] is None  # reporters get no identifier beyond id and name


def test_a_clerk_writes_within_their_units_subtree(api: Api, tree: Tree) -> None:
    clerk = api.with_role(Role.CLERK, tree.street)
    worker = clerk.created("/workers", hire_body(tree.community))  # the community is below
    assert worker["unit_id"] == tree.community
    assert api.history(worker["worker_id"])[0]["recorded_by"] == f"clerk-{tree.street}"
    clerk.created(
        f"/units/{tree.community}/quota-approvals",
        {
            "quota": 5,
            "effective_date": "2022-01-01",
            "document_ref": "望街〔2022〕1号",
        },
    )


def test_a_clerk_cannot_write_outside_their_units_subtree(api: Api, tree: Tree) -> None:
    other_street = api.created(
        "/units", {"name": "芜湖路街道", "kind": "street_office", "parent_id": tree.district}
    )["unit_id"]
    worker_id = hire(api, tree.community)["worker_id"]
    clerk = api.with_role(Role.CLERK, other_street)
    before = api.events_recorded()

    assert_problem(clerk.post("/workers", hire_body(tree.community)), 403, "forbidden")
    assert_problem(
        clerk.post(f"/workers/{worker_id}/appraisals", {"year": 2021, "rating": "competent"}),
        403,
        "forbidden",
    )
    assert_problem(
        clerk.post("/units", {"name": "社区", "kind": "urban_community", "parent_id": tree.street}),
        403,
        "forbidden",
    )
    assert_problem(clerk.get(f"/workers/{worker_id}"), 403, "forbidden")
    assert api.events_recorded() == before


def test_a_clerk_cannot_approve_their_own_units_quota(api: Api, tree: Tree) -> None:
    clerk = api.with_role(Role.CLERK, tree.community)
    response = clerk.post(
        f"/units/{tree.community}/quota-approvals",
        {"quota": 50, "effective_date": "2022-01-01", "document_ref": "自批〔2022〕1号"},
    )
    assert_problem(response, 403, "forbidden")


def test_a_clerk_cannot_transfer_a_worker_out_of_their_subtree(api: Api, tree: Tree) -> None:
    other_street = api.created(
        "/units", {"name": "芜湖路街道", "kind": "street_office", "parent_id": tree.district}
    )["unit_id"]
    worker_id = hire(api, tree.community)["worker_id"]
    clerk = api.with_role(Role.CLERK, tree.street)
    response = clerk.post(
        f"/workers/{worker_id}/transfers", {"unit_id": other_street, "effective_date": "2022-01-01"}
    )
    assert_problem(response, 403, "forbidden")


def test_only_an_admin_registers_a_district(api: Api, tree: Tree) -> None:
    clerk = api.with_role(Role.CLERK, tree.street)
    assert_problem(clerk.post("/units", {"name": "蜀山区", "kind": "district"}), 403, "forbidden")
