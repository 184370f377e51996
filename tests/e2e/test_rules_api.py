"""Steps due, applying them, promotion candidates and dismissals required, over HTTP."""

from __future__ import annotations

import codecs
import csv
import io
from typing import Any

from domain.vocabulary import Role
from tests.e2e.conftest import Api, Tree, assert_problem, hire


def appraise(api: Api, worker_id: str, ratings: dict[int, str]) -> None:
    for year, rating in ratings.items():
        api.created(f"/workers/{worker_id}/appraisals", {"year": year, "rating": rating})


def competent_three_years(api: Api, unit_id: str) -> str:
    worker_id: str = hire(api, unit_id)["worker_id"]  # assistant, bachelor: grade 3
    appraise(api, worker_id, {2021: "competent", 2022: "excellent", 2023: "competent"})
    return worker_id


def steps(api: Api, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.ok("/rules/grade-steps", **params)["items"]
    return items


def test_a_step_falls_due_on_1_january_after_the_third_qualifying_year(
    api: Api, tree: Tree
) -> None:
    worker_id = competent_three_years(api, tree.community)
    assert steps(api, as_of="2023-12-31") == []
    [step] = steps(api, as_of="2024-01-01")
    assert step["worker_id"] == worker_id
    assert (step["unit_id"], step["post"], step["post_label"]) == (
        tree.community,
        "assistant",
        "助理",
    )
    assert (step["grade"], step["new_grade"], step["effective_date"]) == (3, 4, "2024-01-01")
    assert [(c["year"], c["rating"]) for c in step["caused_by"]] == [
        (2021, "competent"),
        (2022, "excellent"),
        (2023, "competent"),
    ]
    assert step["caused_by"][1]["rating_label"] == "优秀"
    assert step["policy_version"] == 1


def test_applying_records_the_steps_once_and_the_grade_rises(api: Api, tree: Tree) -> None:
    worker_id = competent_three_years(api, tree.community)
    before = api.events_recorded()
    first = api.post("/rules/grade-steps/apply", {"as_of": "2024-06-30"})
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["count"] == 1
    assert answer["applied"][0]["worker_id"] == worker_id
    assert answer["applied"][0]["rule"] == "grade_step"
    assert answer["applied"][0]["interval_years"] == 3
    assert answer["applied"][0]["rule_label"] == "三年晋档"
    assert api.events_recorded() > before
    stepped = [h for h in api.history(worker_id) if h["type"] == "GradeStepped"]
    assert len(stepped) == 1 and stepped[0]["effective_date"] == "2024-01-01"
    assert api.ok(f"/workers/{worker_id}", as_of="2024-01-01")["grade"] == 4
    assert steps(api, as_of="2024-06-30") == []

    recorded = api.events_recorded()
    again = api.post("/rules/grade-steps/apply", {"as_of": "2024-06-30"}).json()
    assert (again["count"], again["applied"]) == (0, [])
    assert api.events_recorded() == recorded


def test_applying_by_a_date_leaves_the_later_steps_due(api: Api, tree: Tree) -> None:
    competent_three_years(api, tree.community)
    answer = api.post("/rules/grade-steps/apply", {"as_of": "2023-12-31"}).json()
    assert answer["count"] == 0
    assert len(steps(api, as_of="2024-01-01")) == 1


def test_an_apply_retried_with_its_idempotency_key_answers_the_first_list(
    api: Api, tree: Tree
) -> None:
    competent_three_years(api, tree.community)
    body = {"as_of": "2024-06-30"}
    first = api.post("/rules/grade-steps/apply", body, key="steps-2024").json()
    recorded = api.events_recorded()
    again = api.post("/rules/grade-steps/apply", body, key="steps-2024")
    assert again.status_code == 200 and again.json() == first and first["count"] == 1
    assert api.events_recorded() == recorded
    other = api.post("/rules/grade-steps/apply", {"as_of": "2024-07-01"}, key="steps-2024")
    assert_problem(other, 422, "idempotency_key_reused")


def test_three_consecutive_excellent_years_make_a_promotion_candidate(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    appraise(api, worker_id, {2021: "excellent", 2022: "excellent", 2023: "excellent"})
    path = "/reports/promotion-candidates"
    assert api.ok(path, as_of="2023-12-30")["items"] == []
    [item] = api.ok(path, as_of="2024-03-01")["items"]
    assert (item["worker_id"], item["since"]) == (worker_id, "2023-12-31")
    assert [y["year"] for y in item["excellent_years"]] == [2021, 2022, 2023]
    api.created(
        f"/workers/{worker_id}/post-changes",
        {"post": "officer", "effective_date": "2024-04-01", "reason": "promotion"},
    )
    assert len(api.ok(path, as_of="2024-03-31")["items"]) == 1
    assert api.ok(path, as_of="2024-04-01")["items"] == []


def test_a_missing_year_breaks_the_excellent_run(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    appraise(api, worker_id, {2021: "excellent", 2022: "excellent", 2024: "excellent"})
    assert api.ok("/reports/promotion-candidates", as_of="2025-03-01")["items"] == []


def test_two_unqualified_years_require_a_dismissal_until_it_is_recorded(
    api: Api, tree: Tree
) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    appraise(api, worker_id, {2021: "unqualified", 2022: "unqualified"})
    path = "/reports/dismissals-required"
    assert api.ok(path, as_of="2022-12-30")["items"] == []
    [item] = api.ok(path, as_of="2023-01-15")["items"]
    assert (item["worker_id"], item["since"], item["due_date"]) == (
        worker_id,
        "2022-12-31",
        "2023-01-30",
    )
    assert item["overdue"] is False
    assert [(y["year"], y["rating"]) for y in item["unqualified_years"]] == [
        (2021, "unqualified"),
        (2022, "unqualified"),
    ]
    assert api.ok(path, as_of="2023-02-01")["items"][0]["overdue"] is True
    api.created(
        f"/workers/{worker_id}/dismissal",
        {"effective_date": "2023-02-01", "reason": "two_consecutive_unqualified"},
    )
    assert len(api.ok(path, as_of="2023-01-31")["items"]) == 1
    assert api.ok(path, as_of="2023-02-01")["items"] == []


def test_reports_answer_csv_with_a_bom(api: Api, tree: Tree) -> None:
    competent_three_years(api, tree.community)
    response = api.client.get(
        "/api/v1/rules/grade-steps",
        params={"as_of": "2024-01-01"},
        headers=api.headers({"Accept": "text/csv"}),
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["name"] == "张三" and rows[0]["new_grade"] == "4"
    assert rows[0]["caused_by"].startswith("2021 competent 称职")


def test_a_clerk_sees_and_applies_only_within_their_subtree(api: Api, tree: Tree) -> None:
    other_street = api.created(
        "/units",
        {"name": "滨湖街道", "kind": "street_office", "parent_id": tree.district, "class": 1},
    )["unit_id"]
    api.created(
        f"/units/{other_street}/quota-approvals",
        {"quota": 5, "effective_date": "2020-01-01", "document_ref": "包编〔2020〕2号"},
    )
    mine = competent_three_years(api, tree.community)
    theirs = competent_three_years(api, other_street)
    clerk = api.with_role(Role.CLERK, tree.street)
    assert [s["worker_id"] for s in steps(clerk, as_of="2024-01-01")] == [mine]
    assert_problem(
        clerk.get("/rules/grade-steps", as_of="2024-01-01", unit_id=other_street),
        403,
        "forbidden",
        "unit_id",
    )
    refused = clerk.post(
        "/rules/grade-steps/apply", {"as_of": "2024-01-01", "unit_id": other_street}
    )
    assert_problem(refused, 403, "forbidden", "unit_id")
    applied = clerk.post("/rules/grade-steps/apply", {"as_of": "2024-01-01"}).json()
    assert [a["worker_id"] for a in applied["applied"]] == [mine]
    assert [s["worker_id"] for s in steps(api, as_of="2024-01-01")] == [theirs]
    auditor = api.with_role(Role.AUDITOR)
    assert_problem(
        auditor.post("/rules/grade-steps/apply", {"as_of": "2024-01-01"}), 403, "forbidden"
    )


def test_bad_input_is_a_problem_naming_the_field(api: Api, tree: Tree) -> None:
    assert_problem(
        api.get("/rules/grade-steps", as_of="2024-13-01"), 422, "validation_error", "as_of"
    )
    assert_problem(
        api.get("/reports/dismissals-required", unit_id="nope"), 422, "validation_error", "unit_id"
    )
    assert_problem(
        api.get("/reports/promotion-candidates", unit_id="00000000-0000-0000-0000-000000000000"),
        404,
        "not_found",
    )
    assert_problem(api.post("/rules/grade-steps/apply", {}), 422, "validation_error", "as_of")
    assert_problem(
        api.post("/rules/grade-steps/apply", {"as_of": "2024-01-01", "extra": 1}),
        422,
        "validation_error",
    )
