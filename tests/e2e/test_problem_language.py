"""Problem documents in the reader's language: ``Accept-Language: zh-CN`` gives the title and
the detail in Chinese from the one catalogue, ``code`` and ``field`` unchanged, and nothing is
recorded; a caller that asks nothing keeps English."""

from __future__ import annotations

import re
from typing import Any

import httpx

from domain.vocabulary import Role
from tests.e2e.conftest import Api, Tree, assert_problem, hire, hire_body

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
HAN = re.compile(r"[\u4e00-\u9fff]")


def chinese(response: httpx.Response, status: int, code: str, field: str | None = None) -> Any:
    problem = assert_problem(response, status, code, field)
    assert response.headers["content-language"] == "zh-CN"
    assert "accept-language" in response.headers["vary"].lower()
    assert HAN.search(problem["title"]), problem
    assert HAN.search(problem["detail"]), problem
    assert not re.search(r"\b(the|is|has|of)\b", problem["detail"]), problem
    return problem


def test_a_full_quota_is_refused_in_chinese_naming_the_unit_and_the_seats(
    api: Api, tree: Tree
) -> None:
    for n in range(3):
        hire(api, tree.community, name=f"工作者{n}", id_number=f"34010419900501{n:04d}")
    before = api.events_recorded()
    response = api.post("/workers", hire_body(tree.community), headers=ZH)
    problem = chinese(response, 409, "quota_exceeded", "unit_id")
    assert problem["title"] == "该单位的核定员额已无空余"
    assert "南薰门社区" in problem["detail"] and "2021年3月1日" in problem["detail"]
    assert api.events_recorded() == before


def test_the_same_refusal_without_accept_language_stays_english(api: Api, tree: Tree) -> None:
    for n in range(3):
        hire(api, tree.community, name=f"工作者{n}", id_number=f"34010419900501{n:04d}")
    response = api.post("/workers", hire_body(tree.community))
    problem = assert_problem(response, 409, "quota_exceeded", "unit_id")
    assert problem["detail"] == "南薰门社区 has 3 of 3 seats taken on 2021-03-01"
    assert problem["title"] == "The unit has no free seat in its approved quota"
    assert response.headers["content-language"] == "en"


def test_a_grade_outside_the_post_names_the_post_in_chinese(api: Api, tree: Tree) -> None:
    worker = hire(api, tree.street)["worker_id"]
    before = api.events_recorded()
    body = {"grade": 40, "effective_date": "2024-06-01", "reason": "reward"}
    response = api.post(f"/workers/{worker}/grade-changes", body, headers=ZH)
    problem = chinese(response, 409, "grade_out_of_range", "grade")
    assert "助理" in problem["detail"] and "assistant" not in problem["detail"]
    assert api.events_recorded() == before


def test_a_second_appraisal_of_a_year_is_refused_in_chinese(api: Api, tree: Tree) -> None:
    worker = hire(api, tree.street)["worker_id"]
    api.created(f"/workers/{worker}/appraisals", {"year": 2022, "rating": "competent"})
    before = api.events_recorded()
    response = api.post(
        f"/workers/{worker}/appraisals", {"year": 2022, "rating": "excellent"}, headers=ZH
    )
    problem = chinese(response, 409, "duplicate_appraisal", "year")
    assert problem["detail"].startswith("2022 年度已有考核结果")
    assert api.events_recorded() == before


def test_an_unknown_worker_is_not_found_in_chinese(api: Api, tree: Tree) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    response = api.client.get(f"/api/v1/workers/{unknown}", headers=api.headers(ZH))
    problem = chinese(response, 404, "not_found")
    assert problem["title"] == "没有该记录"


def test_an_auditor_writing_is_forbidden_in_chinese_and_in_good_english(
    api: Api, tree: Tree
) -> None:
    auditor = api.with_role(Role.AUDITOR)
    before = api.events_recorded()
    response = auditor.post("/workers", hire_body(tree.street), headers=ZH)
    problem = chinese(response, 403, "forbidden")
    assert problem["detail"] == "审计角色只能查看,不能记录"
    english = assert_problem(auditor.post("/workers", hire_body(tree.street)), 403, "forbidden")
    assert english["detail"] == "the role auditor may only read"
    assert api.events_recorded() == before


def test_a_clerk_outside_their_scope_is_refused_in_chinese(api: Api, tree: Tree) -> None:
    clerk = api.with_role(Role.CLERK, tree.community)
    response = clerk.post("/workers", hire_body(tree.street), headers=ZH)
    problem = chinese(response, 403, "forbidden")
    assert tree.community in problem["detail"]


def test_a_missing_token_is_refused_in_chinese(api: Api) -> None:
    response = api.client.get("/api/v1/workers", headers=ZH)
    problem = chinese(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    assert "Authorization" in problem["detail"]


def test_validation_errors_name_the_field_and_say_why_in_chinese(api: Api, tree: Tree) -> None:
    # A post is the policy's (checked by the domain, after the request's form): the
    # vocabulary's education stands for a field of fixed codes.
    body = hire_body(tree.street, education="janitor")
    del body["name"]
    before = api.events_recorded()
    response = api.post("/workers", body, headers=ZH)
    problem = assert_problem(response, 422, "validation_error")
    assert problem["title"] == "请求的内容无效"
    messages = {e["field"]: e["message"] for e in problem["errors"]}
    assert messages["name"] == "必填"
    assert messages["education"].startswith("须为以下之一")
    assert {e["type"] for e in problem["errors"]} == {"missing", "enum"}
    assert "name: 必填" in problem["detail"]
    assert api.events_recorded() == before


def test_a_stale_if_match_is_refused_in_chinese(api: Api, tree: Tree) -> None:
    worker = hire(api, tree.street)["worker_id"]
    body = {"year": 2022, "rating": "competent"}
    response = api.post(f"/workers/{worker}/appraisals", body, headers={**ZH, "If-Match": '"99"'})
    problem = chinese(response, 409, "concurrent_modification", "If-Match")
    assert "99" in problem["detail"]


def test_a_reused_idempotency_key_is_refused_in_chinese(api: Api, tree: Tree) -> None:
    api.post("/workers", hire_body(tree.street), key="k-1")
    response = api.post("/workers", hire_body(tree.street, name="李四"), key="k-1", headers=ZH)
    chinese(response, 422, "idempotency_key_reused", "Idempotency-Key")


def test_an_unknown_path_answers_its_title_in_chinese(api: Api) -> None:
    response = api.client.get("/api/v1/nowhere", headers=api.headers(ZH))
    problem = chinese(response, 404, "not_found")
    assert problem["detail"] == "找不到所请求的地址"
