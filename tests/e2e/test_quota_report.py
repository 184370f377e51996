"""GET /reports/quota-usage: every unit of a subtree on a date, from the read models."""

from __future__ import annotations

import csv
import io

import pytest

from api.routers.reports import QUOTA_AFTER_POSTS, QUOTA_BEFORE_POSTS
from domain.vocabulary import Role
from tests.e2e.conftest import V1, Api, Tree, approve, assert_problem, hire


def rows_by_name(report: dict[str, object]) -> dict[str, dict[str, object]]:
    items = report["items"]
    assert isinstance(items, list)
    return {row["name"]: row for row in items}


def test_each_unit_has_its_quota_headcount_by_post_review_and_subtree(api: Api, tree: Tree) -> None:
    hire(api, tree.community, post="director")
    hire(api, tree.community, name="李四")
    hire(api, tree.street, post="officer", name="王五")
    report = api.ok("/reports/quota-usage", as_of="2022-01-01")
    assert [row["name"] for row in report["items"]] == ["包河区", "望湖街道", "南薰门社区"]
    rows = rows_by_name(report)
    community = rows["南薰门社区"]
    assert community["kind"] == "urban_community" and community["kind_label"] == "城市社区"
    assert community["parent_id"] == tree.street
    assert (community["approved_quota"], community["headcount"], community["headroom"]) == (3, 2, 1)
    assert community["by_post"] == {
        "director": 1,
        "deputy_director": 0,
        "officer": 0,
        "assistant": 1,
    }
    assert community["quota_review_due"] == "2023-01-01", "three years after the approval"
    district = rows["包河区"]
    assert (district["approved_quota"], district["headroom"], district["quota_review_due"]) == (
        None,
        None,
        None,
    )
    assert district["subtree"] == {"units": 3, "approved_quota": 13, "headcount": 3, "headroom": 10}
    assert rows["望湖街道"]["subtree"]["headcount"] == 3
    assert report["totals"] == {
        "units": 3,
        "approved_quota": 13,
        "headcount": 3,
        "headroom": 10,
        "by_post": {"director": 1, "deputy_director": 0, "officer": 1, "assistant": 1},
    }
    assert report["by_post_labels"]["officer"] == "主办"


def test_the_approval_in_force_is_the_latest_by_date_and_then_by_recording(
    api: Api, tree: Tree
) -> None:
    approve(api, tree.community, 5, "2022-01-01")
    approve(api, tree.community, 4, "2021-01-01")
    approve(api, tree.community, 6, "2022-01-01")  # recorded later, same date: wins
    quota = {
        day: rows_by_name(api.ok("/reports/quota-usage", as_of=day))["南薰门社区"]
        for day in ("2020-06-01", "2021-06-01", "2022-06-01")
    }
    assert [quota[d]["approved_quota"] for d in sorted(quota)] == [3, 4, 6]
    assert quota["2020-06-01"]["quota_review_due"] == "2025-01-01", "from the latest approval"


def test_a_unit_id_limits_the_report_to_its_subtree(api: Api, tree: Tree) -> None:
    report = api.ok("/reports/quota-usage", unit_id=tree.street, as_of="2022-01-01")
    assert report["unit_id"] == tree.street
    assert [row["unit_id"] for row in report["items"]] == [tree.street, tree.community]
    assert report["totals"]["approved_quota"] == 13


def test_a_clerks_report_covers_their_own_subtree(api: Api, tree: Tree) -> None:
    clerk = api.with_role(Role.CLERK, tree.street)
    assert [row["unit_id"] for row in clerk.ok("/reports/quota-usage")["items"]] == [
        tree.street,
        tree.community,
    ]
    assert_problem(
        clerk.get("/reports/quota-usage", unit_id=tree.district), 403, "forbidden", "unit_id"
    )


def test_a_hire_shows_in_the_report_at_once(api: Api, tree: Tree) -> None:
    for expected in (1, 2, 3):
        hire(api, tree.community, name=f"工作者{expected}")
        report = api.ok("/reports/quota-usage", unit_id=tree.community, as_of="2022-01-01")
        assert report["items"][0]["headcount"] == expected


def test_the_csv_report_has_bom_header_and_chinese_labels(api: Api, tree: Tree) -> None:
    hire(api, tree.community)
    response = api.client.get(
        V1 + "/reports/quota-usage",
        params={"as_of": "2022-01-01"},
        headers=api.headers({"Accept": "text/csv"}),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    posts = ["director", "deputy_director", "officer", "assistant"]  # baohe-2020's four
    headcounts = [f"{code}_headcount" for code in posts]
    assert rows[0] == [*QUOTA_BEFORE_POSTS, *headcounts, *QUOTA_AFTER_POSTS]
    community = dict(zip(rows[0], rows[3], strict=True))
    assert (community["name"], community["kind_label"], community["assistant_headcount"]) == (
        "南薰门社区",
        "城市社区",
        "1",
    )
    assert community["subtree_headroom"] == "2"


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"as_of": "2021-02-30"}, 422, "as_of"),
        ({"as_of": "yesterday"}, 422, "as_of"),
        ({"unit_id": "abc"}, 422, "unit_id"),
        ({"unit_id": "00000000-0000-4000-8000-000000000000"}, 404, "unit_id"),
    ],
)
def test_bad_report_input_is_a_problem_naming_the_field(
    api: Api, tree: Tree, params: dict[str, str], status: int, field: str
) -> None:
    code = "validation_error" if status == 422 else "not_found"
    assert_problem(api.get("/reports/quota-usage", **params), status, code, field)
