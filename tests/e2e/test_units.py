"""Units over HTTP: registration, quota approvals, dispatch headcount, state and usage."""

from __future__ import annotations

import uuid

from domain.vocabulary import Role
from tests.e2e.conftest import Api, Tree, assert_problem, hire


def test_a_district_street_office_and_community_are_registered_with_labels(api: Api) -> None:
    district = api.created("/units", {"name": "包河区", "kind": "district"})
    assert district["kind"] == "district"
    assert district["kind_label"] == "区"
    assert district["parent_id"] is None

    street = api.created(
        "/units",
        {"name": "望湖街道", "kind": "street_office", "parent_id": district["unit_id"], "class": 1},
    )
    assert street["parent_id"] == district["unit_id"]
    assert street["class"] == 1
    assert street["computed_quota"] == 90  # 75 x 1.2
    assert street["kind_label"] == "街道(镇、大社区)机关"

    village = api.created(
        "/units",
        {
            "name": "大圩村",
            "kind": "administrative_village",
            "parent_id": street["unit_id"],
            "class": 3,
            "households": 800,
            "population": 2500,
        },
    )
    assert village["computed_quota"] == 10  # 12 x 0.8, rounded half up
    assert village["households"] == 800
    assert api.ok(f"/units/{district['unit_id']}")["children"] == [street["unit_id"]]


def test_a_community_is_refused_directly_under_a_district(api: Api) -> None:
    district = api.created("/units", {"name": "包河区", "kind": "district"})["unit_id"]
    before = api.events_recorded()

    response = api.post(
        "/units", {"name": "社区", "kind": "urban_community", "parent_id": district}
    )

    assert_problem(response, 422, "validation_error", "parent_id")
    assert api.events_recorded() == before


def test_a_street_office_without_a_parent_is_refused(api: Api) -> None:
    response = api.post("/units", {"name": "街道", "kind": "street_office"})
    assert_problem(response, 422, "validation_error", "parent_id")


def test_a_unit_under_an_unknown_parent_is_not_found(api: Api) -> None:
    response = api.post(
        "/units", {"name": "街道", "kind": "street_office", "parent_id": str(uuid.uuid4())}
    )
    assert_problem(response, 404, "not_found", "parent_id")


def test_a_unit_class_outside_one_to_three_is_refused(api: Api) -> None:
    district = api.created("/units", {"name": "包河区", "kind": "district"})["unit_id"]
    response = api.post(
        "/units", {"name": "街道", "kind": "street_office", "parent_id": district, "class": 4}
    )
    assert_problem(response, 422, "validation_error", "class")


def test_an_approved_quota_shows_on_the_unit_with_its_review_date(api: Api, tree: Tree) -> None:
    unit = api.created(
        f"/units/{tree.community}/quota-approvals",
        {"quota": 18, "effective_date": "2022-07-01", "document_ref": "包编〔2022〕7号"},
    )
    assert unit["approved_quota"] == 18
    assert unit["approval"]["document_ref"] == "包编〔2022〕7号"
    assert unit["quota_review_due"] == "2025-07-01"

    earlier = api.ok(f"/units/{tree.community}", as_of="2021-01-01")
    assert earlier["approved_quota"] == 3  # the approval of 2020 was in force then
    assert api.ok(f"/units/{tree.community}", as_of="2023-01-01")["approved_quota"] == 18


def test_a_quota_approval_needs_its_document_number(api: Api, tree: Tree) -> None:
    response = api.post(
        f"/units/{tree.community}/quota-approvals",
        {"quota": 5, "effective_date": "2022-01-01", "document_ref": "  "},
    )
    assert_problem(response, 422, "validation_error", "document_ref")


def test_an_absurd_or_negative_quota_is_refused(api: Api, tree: Tree) -> None:
    for quota in (-1, 100_001, 2.5, "7"):
        response = api.post(
            f"/units/{tree.community}/quota-approvals",
            {"quota": quota, "effective_date": "2022-01-01", "document_ref": "包编〔2022〕1号"},
        )
        assert_problem(response, 422, "validation_error", "quota")


def test_a_quota_approval_for_an_unknown_unit_is_not_found(api: Api) -> None:
    response = api.post(
        f"/units/{uuid.uuid4()}/quota-approvals",
        {"quota": 5, "effective_date": "2022-01-01", "document_ref": "包编〔2022〕1号"},
    )
    assert_problem(response, 404, "not_found")


def test_a_dispatch_headcount_is_recorded_by_year(api: Api, tree: Tree) -> None:
    answer = api.created(f"/units/{tree.community}/dispatch-headcount", {"count": 25, "year": 2022})
    assert answer == {"unit_id": tree.community, "year": 2022, "count": 25}
    assert api.ok(f"/units/{tree.community}")["dispatch_headcount"] == {"2022": 25}


def test_unit_counts_are_recorded_by_date_and_the_computed_quota_follows_them(
    api: Api, tree: Tree
) -> None:
    api.created(
        "/policies",
        {"policy": "chibi-2020", "effective_date": "2023-01-01", "document_ref": "赤政〔2023〕1号"},
    )
    answer = api.created(
        f"/units/{tree.community}/counts",
        {"effective_date": "2024-01-01", "households": 2600, "note": "2023 年末户数"},
    )
    # Chibi: 7 two-committee seats + round(2600 / 500) = 7 + 5
    assert (answer["households"], answer["grids"], answer["computed_quota"]) == (2600, None, 12)
    assert answer["as_of"] == "2024-01-01"
    api.created(f"/units/{tree.community}/counts", {"effective_date": "2025-01-01", "grids": 8})
    later = api.ok(f"/units/{tree.community}", as_of="2025-06-01")
    assert (later["households"], later["grids"], later["computed_quota"]) == (2600, 8, 15)
    assert api.ok(f"/units/{tree.community}", as_of="2024-06-01")["computed_quota"] == 12


def test_unit_counts_need_a_count_and_refuse_a_negative_one(api: Api, tree: Tree) -> None:
    before = api.events_recorded()
    nothing = api.post(f"/units/{tree.community}/counts", {"effective_date": "2024-01-01"})
    assert_problem(nothing, 422, "validation_error", "households")
    negative = api.post(
        f"/units/{tree.community}/counts", {"effective_date": "2024-01-01", "grids": -1}
    )
    assert_problem(negative, 422, "validation_error", "grids")
    assert api.events_recorded() == before


def test_a_dispatch_headcount_for_an_absurd_year_is_refused(api: Api, tree: Tree) -> None:
    response = api.post(f"/units/{tree.community}/dispatch-headcount", {"count": 5, "year": 1800})
    assert_problem(response, 422, "validation_error", "year")


def test_quota_usage_counts_seats_by_post_and_over_the_subtree(api: Api, tree: Tree) -> None:
    hire(api, tree.community, post="director", grade=7)
    hire(api, tree.community, post="assistant")
    hire(api, tree.street, post="officer")

    usage = api.ok(f"/units/{tree.community}/quota-usage", as_of="2022-01-01")
    assert usage["approved_quota"] == 3
    assert usage["headcount"] == 2
    assert usage["headroom"] == 1
    assert usage["by_post"] == {"director": 1, "deputy_director": 0, "officer": 0, "assistant": 1}
    assert usage["by_post_labels"]["director"] == "主管"

    district = api.ok(f"/units/{tree.district}/quota-usage", as_of="2022-01-01")
    assert district["subtree"] == {"units": 3, "approved_quota": 13, "headcount": 3, "headroom": 10}


def test_quota_usage_before_any_hire_date_is_empty(api: Api, tree: Tree) -> None:
    hire(api, tree.community, hire_date="2021-03-01")
    usage = api.ok(f"/units/{tree.community}/quota-usage", as_of="2021-02-28")
    assert usage["headcount"] == 0


def test_lowering_a_quota_below_headcount_shows_negative_headroom(api: Api, tree: Tree) -> None:
    hire(api, tree.community)
    hire(api, tree.community, name="李四")
    api.created(
        f"/units/{tree.community}/quota-approvals",
        {"quota": 1, "effective_date": "2022-01-01", "document_ref": "包编〔2022〕2号"},
    )
    usage = api.ok(f"/units/{tree.community}/quota-usage", as_of="2022-06-01")
    assert usage["headroom"] == -1


def test_units_are_listed_from_the_district_down(api: Api, tree: Tree) -> None:
    top = api.ok("/units")["items"]
    assert [u["unit_id"] for u in top] == [tree.district]
    assert top[0]["kind_label"] == "区" and top[0]["children"] == 1

    below = api.ok("/units", parent_id=tree.street)["items"]
    assert [(u["unit_id"], u["name"]) for u in below] == [(tree.community, "南薰门社区")]


def test_a_clerks_unit_list_starts_at_the_clerks_own_unit(api: Api, tree: Tree) -> None:
    clerk = api.with_role(Role.CLERK, tree.street)
    assert [u["unit_id"] for u in clerk.ok("/units")["items"]] == [tree.street]
    assert clerk.get("/units", parent_id=tree.district).status_code == 403
