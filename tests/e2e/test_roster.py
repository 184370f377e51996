"""GET /workers: the roster on a date from the read models, paged, filtered, scoped, as CSV."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from domain.vocabulary import Role
from projections.queries.roster import COLUMNS
from tests.e2e.conftest import V1, Api, Tree, assert_problem, hire, make_tree


def roster_csv(api: Api, **params: str) -> httpx.Response:
    return api.client.get(
        V1 + "/workers", params=params, headers=api.headers({"Accept": "text/csv"})
    )


def ids(page: dict[str, list[dict[str, str]]]) -> list[str]:
    return [item["worker_id"] for item in page["items"]]


def test_the_roster_shows_each_workers_state_on_the_date_with_labels(api: Api, tree: Tree) -> None:
    hired = hire(api, tree.community, post="director", hire_date="2021-03-01")
    api.created(
        f"/workers/{hired['worker_id']}/certificates",
        {"level": "social_worker", "effective_date": "2022-05-01"},
    )
    page = api.ok("/workers", as_of="2022-06-01")
    assert page["next_cursor"] is None
    [item] = page["items"]
    assert item == {
        "worker_id": hired["worker_id"],
        "name": "张三",
        "unit_id": tree.community,
        "unit_name": "南薰门社区",
        "post": "director",
        "post_label": "主管",
        "grade": hired["grade"],
        "education": "bachelor",
        "education_label": "本科",
        "certificate": "social_worker",
        "certificate_label": "社会工作师",
        "status": "active",
        "status_label": "在岗",
        "hire_date": "2021-03-01",
    }
    before_certificate = api.ok("/workers", as_of="2022-04-30")["items"][0]
    assert before_certificate["certificate"] is None


def test_the_roster_filters_by_subtree_post_and_status(api: Api, tree: Tree) -> None:
    in_street = hire(api, tree.street, post="officer", name="李四")["worker_id"]
    in_community = hire(api, tree.community, name="王五")["worker_id"]
    later = hire(api, tree.community, name="赵六", hire_date="2023-01-01")["worker_id"]
    api.created(
        f"/workers/{in_community}/dismissal",
        {"effective_date": "2022-01-01", "reason": "resignation"},
    )
    on = "2022-06-01"

    assert set(ids(api.ok("/workers", as_of=on))) == {in_street, in_community, later}
    assert set(ids(api.ok("/workers", as_of=on, unit_id=tree.street))) == {
        in_street,
        in_community,
        later,
    }, "a unit means its whole subtree"
    assert set(ids(api.ok("/workers", as_of=on, unit_id=tree.community))) == {
        in_community,
        later,
    }
    assert ids(api.ok("/workers", as_of=on, post="officer")) == [in_street]
    assert ids(api.ok("/workers", as_of=on, status="active")) == [in_street]
    assert ids(api.ok("/workers", as_of=on, status="dismissed")) == [in_community]
    [future] = api.ok("/workers", as_of=on, status="not_yet_hired")["items"]
    assert (future["worker_id"], future["status_label"]) == (later, "尚未入职")
    assert ids(api.ok("/workers", as_of="2021-12-31", status="active")) == sorted(
        [in_street, in_community]
    )


def test_the_cursor_walks_every_page_once(api: Api) -> None:
    tree = make_tree(api, street_quota=10)
    hired = {hire(api, tree.street, name=f"工作者{n}")["worker_id"] for n in range(7)}
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.ok("/workers", **params)
        seen += ids(page)
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == hired
    assert seen == sorted(seen), "a stable order"


def test_a_full_last_page_has_no_next_cursor(api: Api, tree: Tree) -> None:
    for n in range(2):
        hire(api, tree.street, name=f"工作者{n}")
    assert api.ok("/workers", limit=2)["next_cursor"] is None


def test_the_csv_roster_is_every_match_with_bom_header_and_chinese_labels(
    api: Api, tree: Tree
) -> None:
    for n in range(3):
        hire(api, tree.street, name=f"工作者{n}", post="assistant")
    response = roster_csv(api, limit="1")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS)
    assert len(rows) == 4, "every match, not one page"
    record = dict(zip(rows[0], rows[1], strict=True))
    assert (record["post_label"], record["unit_name"], record["status_label"]) == (
        "助理",
        "望湖街道",
        "在岗",
    )


def test_a_clerk_sees_only_their_units_subtree(api: Api, tree: Tree) -> None:
    hire(api, tree.street, name="李四")
    in_community = hire(api, tree.community, name="王五")["worker_id"]
    clerk = api.with_role(Role.CLERK, tree.community)
    assert ids(clerk.ok("/workers")) == [in_community]
    assert ids(clerk.ok("/workers", unit_id=tree.community)) == [in_community]
    assert_problem(clerk.get("/workers", unit_id=tree.street), 403, "forbidden", "unit_id")
    rows = list(csv.reader(io.StringIO(roster_csv(clerk).content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [in_community]


def test_a_reporter_gets_no_personal_identifiers(api: Api, tree: Tree) -> None:
    hire(api, tree.community)
    reporter = api.with_role(Role.REPORTER)
    [item] = reporter.ok("/workers")["items"]
    assert set(item) == set(COLUMNS)
    assert not {"birth_date", "id_number", "gender"} & set(item)


def test_a_hire_is_on_the_roster_at_once(api: Api, tree: Tree) -> None:
    for n in range(3):
        worker_id = hire(api, tree.street, name=f"工作者{n}", hire_date="2020-06-01")["worker_id"]
        assert worker_id in ids(api.ok("/workers", as_of="2021-01-01"))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 5000}, "limit"),
        ({"cursor": "not-a-cursor!"}, "cursor"),
        ({"cursor": "bm90LWEtdXVpZA"}, "cursor"),  # base64 of something not a worker id
        ({"status": "retired"}, "status"),
        ({"post": "chief"}, "post"),
        ({"as_of": "2021-02-30"}, "as_of"),
        ({"as_of": "9999-01-01"}, "as_of"),
        ({"unit_id": "abc"}, "unit_id"),
    ],
)
def test_bad_roster_input_is_a_problem_naming_the_field(
    api: Api, params: dict[str, object], field: str
) -> None:
    assert_problem(api.get("/workers", **params), 422, "validation_error", field)


def test_an_unknown_unit_is_not_found(api: Api, tree: Tree) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert_problem(api.get("/workers", unit_id=missing), 404, "not_found", "unit_id")
