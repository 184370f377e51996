"""GET /workers?q=: the roster searched by part of a name or by a whole ID number, with the
roster's other filters, its cursor and its CSV; an ID number as the role may see it."""

from __future__ import annotations

import csv
import io

from domain.vocabulary import Role
from tests.e2e.conftest import V1, Api, Tree, assert_problem, hire

ZHANG = "340104199005011234"
LI = "34010419880203451X"


def names(page: dict[str, list[dict[str, str]]]) -> list[str]:
    return sorted(item["name"] for item in page["items"])


def seed(api: Api, tree: Tree) -> dict[str, str]:
    return {
        "张三丰": hire(api, tree.community, name="张三丰", id_number=ZHANG)["worker_id"],
        "李张": hire(
            api, tree.street, name="李张", id_number=LI, birth_date="1988-02-03", post="officer"
        )["worker_id"],
        "王五": hire(api, tree.street, name="王五", id_number=None)["worker_id"],
        "Anna Lee": hire(api, tree.street, name="Anna Lee", id_number=None)["worker_id"],
    }


def test_part_of_a_name_finds_everyone_whose_name_holds_it(api: Api, tree: Tree) -> None:
    seed(api, tree)
    assert names(api.ok("/workers", q="张")) == ["张三丰", "李张"]
    assert names(api.ok("/workers", q="三丰")) == ["张三丰"]
    assert names(api.ok("/workers", q=" anna ")) == ["Anna Lee"], "trimmed, any case"
    assert names(api.ok("/workers", q="赵")) == []
    assert len(api.ok("/workers", q="")["items"]) == 4, "an empty query is no filter"


def test_like_wildcards_in_a_query_are_plain_characters(api: Api, tree: Tree) -> None:
    seed(api, tree)
    assert names(api.ok("/workers", q="%")) == []
    assert names(api.ok("/workers", q="_")) == []


def test_a_whole_id_number_finds_its_worker_any_case(api: Api, tree: Tree) -> None:
    hired = seed(api, tree)
    [found] = api.ok("/workers", q=ZHANG)["items"]
    assert found["worker_id"] == hired["张三丰"]
    [found] = api.ok("/workers", q=LI.lower())["items"]
    assert found["worker_id"] == hired["李张"]
    assert api.ok("/workers", q="340104199001011111")["items"] == []


def test_part_of_an_id_number_is_refused_naming_q(api: Api, tree: Tree) -> None:
    seed(api, tree)
    problem = assert_problem(api.get("/workers", q="34010419"), 422, "validation_error", "q")
    assert "whole ID number" in problem["detail"]


def test_the_search_combines_with_subtree_post_grade_and_status(api: Api, tree: Tree) -> None:
    hired = seed(api, tree)
    assert names(api.ok("/workers", q="张", unit_id=tree.community)) == ["张三丰"]
    assert names(api.ok("/workers", q="张", post="officer")) == ["李张"]
    grade = api.ok("/workers", q=ZHANG)["items"][0]["grade"]
    officer_grade = api.ok("/workers", q=LI)["items"][0]["grade"]
    assert grade != officer_grade
    assert names(api.ok("/workers", q="张", grade=grade)) == ["张三丰"]
    api.created(
        f"/workers/{hired['李张']}/dismissal",
        {"effective_date": "2022-01-01", "reason": "resignation"},
    )
    assert names(api.ok("/workers", q="张", status="active", as_of="2022-06-01")) == ["张三丰"]
    assert names(api.ok("/workers", q="张", as_of="2021-06-01", status="active")) == [
        "张三丰",
        "李张",
    ]


def test_a_search_pages_with_the_cursor(api: Api, tree: Tree) -> None:
    for n in range(5):
        hire(api, tree.street, name=f"张{n}", id_number=None)
    hire(api, tree.street, name="王五", id_number=None)
    first = api.ok("/workers", q="张", limit=3)
    second = api.ok("/workers", q="张", limit=3, cursor=first["next_cursor"])
    assert len(first["items"]) == 3 and second["next_cursor"] is None
    assert sorted(names(first) + names(second)) == [f"张{n}" for n in range(5)]


def test_the_csv_of_a_search_is_every_match(api: Api, tree: Tree) -> None:
    seed(api, tree)
    response = api.client.get(
        V1 + "/workers", params={"q": "张"}, headers=api.headers({"Accept": "text/csv"})
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(row["name"] for row in rows) == ["张三丰", "李张"]


def test_a_clerk_searches_by_id_number_only_within_their_subtree(api: Api, tree: Tree) -> None:
    hired = seed(api, tree)
    clerk = api.with_role(Role.CLERK, tree.community)
    [found] = clerk.ok("/workers", q=ZHANG)["items"]
    assert found["worker_id"] == hired["张三丰"]
    assert "id_number" not in found, "the roster carries no ID number, masked or not"
    assert clerk.ok("/workers", q=LI)["items"] == [], "another unit's worker is not found"
    assert_problem(clerk.get("/workers", q=LI, unit_id=tree.street), 403, "forbidden", "unit_id")


def test_a_reporter_cannot_search_by_id_number_but_can_by_name(api: Api, tree: Tree) -> None:
    seed(api, tree)
    reporter = api.with_role(Role.REPORTER)
    assert_problem(reporter.get("/workers", q=ZHANG), 403, "forbidden", "q")
    assert names(reporter.ok("/workers", q="三丰")) == ["张三丰"]
    auditor = api.with_role(Role.AUDITOR)
    assert names(auditor.ok("/workers", q=ZHANG)) == ["张三丰"]


def test_bad_search_input_is_a_problem_naming_the_field(api: Api, tree: Tree) -> None:
    assert_problem(api.get("/workers", q="张" * 101), 422, "validation_error", "q")
    assert_problem(api.get("/workers", grade=0), 422, "validation_error", "grade")
    assert_problem(api.get("/workers", grade="x"), 422, "validation_error", "grade")
