"""Idempotency-Key: a retried write gets the first answer and records nothing new."""

from __future__ import annotations

import json

from domain.vocabulary import Role
from tests.e2e.conftest import Api, Tree, assert_problem, hire, hire_body


def test_the_same_key_and_body_return_the_first_answer_and_record_one_fact(
    api: Api, tree: Tree
) -> None:
    body = hire_body(tree.community)
    first = api.post("/workers", body, key="hire-zhang-san")
    after_first = api.events_recorded()
    again = api.post("/workers", body, key="hire-zhang-san")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert api.events_recorded() == after_first
    usage = api.ok(f"/units/{tree.community}/quota-usage", as_of="2022-01-01")
    assert usage["headcount"] == 1


def test_the_same_body_formatted_differently_is_the_same_request(api: Api, tree: Tree) -> None:
    body = hire_body(tree.community)
    first = api.post("/workers", body, key="k-format")
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2).encode()
    again = api.client.post(
        "/api/v1/workers",
        content=reordered,
        headers=api.headers({"Idempotency-Key": "k-format", "Content-Type": "application/json"}),
    )
    assert again.status_code == 201
    assert again.json()["worker_id"] == first.json()["worker_id"]


def test_the_same_key_with_another_body_is_refused(api: Api, tree: Tree) -> None:
    api.created("/workers", hire_body(tree.community), key="k-reused")
    before = api.events_recorded()

    response = api.post("/workers", hire_body(tree.community, name="李四"), key="k-reused")

    assert_problem(response, 422, "idempotency_key_reused", "Idempotency-Key")
    assert api.events_recorded() == before


def test_the_same_key_on_another_worker_is_refused(api: Api, tree: Tree) -> None:
    first = hire(api, tree.community)["worker_id"]
    second = hire(api, tree.community, name="李四")["worker_id"]
    body = {"year": 2021, "rating": "competent"}
    api.created(f"/workers/{first}/appraisals", body, key="k-appraisal")

    response = api.post(f"/workers/{second}/appraisals", body, key="k-appraisal")

    assert_problem(response, 422, "idempotency_key_reused")
    assert len(api.history(second)) == 1


def test_a_retried_worker_change_is_recorded_once(api: Api, tree: Tree) -> None:
    worker_id = hire(api, tree.community)["worker_id"]
    body = {"grade": 5, "effective_date": "2022-01-01", "reason": "reward"}
    first = api.created(f"/workers/{worker_id}/grade-changes", body, key="k-grade")
    again = api.created(f"/workers/{worker_id}/grade-changes", body, key="k-grade")
    assert again == first
    assert [i["type"] for i in api.history(worker_id)] == ["Hired", "GradeChanged"]


def test_a_refused_write_does_not_use_up_its_key(api: Api, tree: Tree) -> None:
    for name in ("甲", "乙", "丙"):
        hire(api, tree.community, name=name)
    body = hire_body(tree.community, name="丁")
    assert_problem(api.post("/workers", body, key="k-full"), 409, "quota_exceeded")

    api.created(
        f"/units/{tree.community}/quota-approvals",
        {"quota": 4, "effective_date": "2020-06-01", "document_ref": "包编〔2020〕9号"},
    )
    assert api.post("/workers", body, key="k-full").status_code == 201


def test_keys_belong_to_the_token_holder_who_used_them(api: Api, tree: Tree) -> None:
    clerk = api.with_role(Role.CLERK, tree.street)
    api.created("/workers", hire_body(tree.community), key="k-shared")
    other = clerk.created("/workers", hire_body(tree.community, name="李四"), key="k-shared")
    assert other["name"] == "李四"


def test_an_unusable_key_is_refused_naming_the_header(api: Api, tree: Tree) -> None:
    for key in ("has space", "k" * 201):
        response = api.post("/workers", hire_body(tree.community), key=key)
        assert_problem(response, 422, "validation_error", "Idempotency-Key")


def test_two_tokens_with_the_same_name_do_not_share_keys(api: Api, tree: Tree) -> None:
    first = api.with_role(Role.CLERK, tree.street)
    second = api.with_role(Role.CLERK, tree.street)  # same name, another token
    first.created("/workers", hire_body(tree.community), key="k-same-name")
    other = second.created("/workers", hire_body(tree.community, name="李四"), key="k-same-name")
    assert other["name"] == "李四"
