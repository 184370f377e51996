"""Bad input answers a 4xx problem naming the field, records nothing, and never a 500."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.e2e.conftest import Api, Tree, assert_problem, hire, hire_body


@pytest.fixture
def worker_id(api: Api, tree: Tree) -> str:
    return str(hire(api, tree.community)["worker_id"])


def test_malformed_json_is_refused_and_nothing_is_recorded(api: Api, tree: Tree) -> None:
    before = api.events_recorded()
    response = api.post_raw("/workers", b'{"name": "\xe5\xbc\xa0", "gender": ')
    problem = assert_problem(response, 422, "validation_error", "body")
    assert problem["errors"][0]["type"] == "json_invalid"
    assert api.events_recorded() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"post": "boss"}, "post"),
        ({"gender": "unknown"}, "gender"),
        ({"education": "phd"}, "education"),
        ({"channel": "walk_in"}, "channel"),
        ({"hire_date": "2023-02-30"}, "hire_date"),
        ({"hire_date": "01/03/2021"}, "hire_date"),
        ({"hire_date": "9999-01-01"}, "hire_date"),
        ({"birth_date": "1850-01-01"}, "birth_date"),
        ({"grade": "forty"}, "grade"),
        ({"grade": 7.5}, "grade"),
        ({"grade": True}, "grade"),
        ({"prior_service_years": 61}, "prior_service_years"),
        ({"prior_service_years": -1}, "prior_service_years"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "名" * 101}, "name"),
        ({"id_number": "12345"}, "id_number"),
        ({"nickname": "小张"}, "nickname"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_a_hire_with_a_bad_field_is_refused_naming_it(
    api: Api, tree: Tree, body: dict[str, Any], field: str
) -> None:
    before = api.events_recorded()
    response = api.post("/workers", hire_body(tree.community, **body))
    assert_problem(response, 422, "validation_error", field)
    assert api.events_recorded() == before
    assert api.ok(f"/units/{tree.community}/quota-usage", as_of="2022-01-01")["headcount"] == 0


def test_a_unit_id_that_is_not_a_uuid_is_refused(api: Api, tree: Tree) -> None:
    body = {**hire_body(tree.community), "unit_id": "not-a-uuid"}
    assert_problem(api.post("/workers", body), 422, "validation_error", "unit_id")


def test_a_missing_field_is_named(api: Api, tree: Tree) -> None:
    body = hire_body(tree.community)
    del body["post"]
    problem = assert_problem(api.post("/workers", body), 422, "validation_error", "post")
    assert problem["errors"][0]["type"] == "missing"


def test_every_bad_field_is_listed_at_once(api: Api, tree: Tree) -> None:
    body = hire_body(tree.community, education="phd", hire_date="2023-02-30", extra=1)
    problem = assert_problem(api.post("/workers", body), 422, "validation_error")
    assert {e["field"] for e in problem["errors"]} == {"education", "hire_date", "extra"}


@pytest.mark.parametrize("body", [[], "text", 42, None])
def test_a_body_that_is_not_an_object_is_refused(api: Api, body: Any) -> None:
    assert_problem(api.post("/workers", body), 422, "validation_error")


def test_a_grade_of_forty_is_a_rule_not_a_format_error(api: Api, worker_id: str) -> None:
    response = api.post(
        f"/workers/{worker_id}/grade-changes",
        {"grade": 40, "effective_date": "2022-01-01", "reason": "reward"},
    )
    assert_problem(response, 409, "grade_out_of_range", "grade")
    assert len(api.history(worker_id)) == 1


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("appraisals", {"year": 2021, "rating": "great"}, "rating"),
        ("appraisals", {"year": 20210, "rating": "competent"}, "year"),
        ("appraisals", {"year": "2021", "rating": "competent"}, "year"),
        (
            "grade-changes",
            {"grade": 4, "effective_date": "2022-02-30", "reason": "reward"},
            "effective_date",
        ),
        ("grade-changes", {"grade": 4, "effective_date": "2022-01-01", "reason": "luck"}, "reason"),
        (
            "post-changes",
            {"post": "chief", "effective_date": "2022-01-01", "reason": "promotion"},
            "post",
        ),
        (
            "post-changes",
            {"post": "officer", "effective_date": "2022-01-01", "reason": "x"},
            "reason",
        ),
        ("transfers", {"unit_id": "nowhere", "effective_date": "2022-01-01"}, "unit_id"),
        ("education", {"education": "phd", "effective_date": "2022-01-01"}, "education"),
        ("certificates", {"level": "expert", "effective_date": "2022-01-01"}, "level"),
        ("dismissal", {"effective_date": "2022-01-01", "reason": "fired"}, "reason"),
        ("dismissal", {"effective_date": "2022-01-01"}, "reason"),
        ("dismissal", {"effective_date": "2022-01-01", "reason": "other", "why": "x"}, "why"),
    ],
)
def test_a_worker_change_with_a_bad_field_is_refused_naming_it(
    api: Api, worker_id: str, path: str, body: dict[str, Any], field: str
) -> None:
    before = api.events_recorded()
    response = api.post(f"/workers/{worker_id}/{path}", body)
    assert_problem(response, 422, "validation_error", field)
    assert api.events_recorded() == before
    assert len(api.history(worker_id)) == 1


def test_a_correction_needs_a_reason(api: Api, worker_id: str) -> None:
    api.created(f"/workers/{worker_id}/appraisals", {"year": 2021, "rating": "competent"})
    response = api.post(
        f"/workers/{worker_id}/appraisals/2021/corrections", {"rating": "excellent", "reason": ""}
    )
    assert_problem(response, 422, "validation_error", "reason")


def test_a_correction_for_an_absurd_year_is_refused(api: Api, worker_id: str) -> None:
    response = api.post(
        f"/workers/{worker_id}/appraisals/99999/corrections",
        {"rating": "excellent", "reason": "x"},
    )
    assert_problem(response, 422, "validation_error", "year")


def test_a_malformed_id_in_the_path_is_refused_naming_it(api: Api) -> None:
    assert_problem(api.get("/workers/12345"), 422, "validation_error", "worker_id")
    assert_problem(api.get("/units/abc/quota-usage"), 422, "validation_error", "unit_id")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"as_of": "2023-02-30"}, "as_of"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"known_at": "2024-01-01T00:00:00"}, "known_at"),
        ({"known_at": "soon"}, "known_at"),
        # Numbers are not seconds since 1970 (pydantic's reading): found by fuzzing.
        ({"as_of": "0"}, "as_of"),
        ({"as_of": "-1.1e-38"}, "as_of"),
        ({"known_at": "1700000000"}, "known_at"),
    ],
)
def test_bad_time_travel_parameters_are_refused_naming_them(
    api: Api, worker_id: str, params: dict[str, str], field: str
) -> None:
    assert_problem(api.get(f"/workers/{worker_id}", **params), 422, "validation_error", field)


def test_a_date_sent_as_a_number_is_refused_not_read_as_1970(api: Api, tree: Tree) -> None:
    before = api.events_recorded()
    response = api.post("/workers", hire_body(tree.community, hire_date=86400))
    assert_problem(response, 422, "validation_error", "hire_date")
    assert api.events_recorded() == before


def test_an_unknown_unit_in_a_query_is_not_found(api: Api) -> None:
    assert_problem(api.get(f"/units/{uuid.uuid4()}"), 404, "not_found")
    assert_problem(api.get(f"/units/{uuid.uuid4()}/quota-usage"), 404, "not_found")


def test_a_body_beyond_a_megabyte_is_refused(api: Api, tree: Tree) -> None:
    response = api.post("/workers", hire_body(tree.community, note="x" * (1024 * 1024)))
    assert_problem(response, 413, "payload_too_large")


def test_deeply_nested_json_is_refused_not_crashed_on(api: Api) -> None:
    response = api.post_raw("/workers", b"[" * 100_000 + b"]" * 100_000)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_body_sent_as_a_form_is_refused(api: Api) -> None:
    response = api.client.post("/api/v1/workers", data={"name": "张三"}, headers=api.headers())
    assert_problem(response, 422, "validation_error")


def test_a_chunked_body_beyond_a_megabyte_is_refused(api: Api) -> None:
    chunks = (b"x" * 65536 for _ in range(20))  # no Content-Length: sent chunked
    response = api.client.post(
        "/api/v1/workers",
        content=chunks,
        headers=api.headers({"Content-Type": "application/json"}),
    )
    assert_problem(response, 413, "payload_too_large")


@pytest.mark.parametrize("name", ["张\u0000三", "张\u0007三", "\ud800"])
def test_text_with_control_characters_or_lone_surrogates_is_refused(
    api: Api, tree: Tree, name: str
) -> None:
    before = api.events_recorded()
    body = json.dumps(hire_body(tree.community, name=name)).encode()  # escapes them as \\uXXXX
    assert_problem(api.post_raw("/workers", body), 422, "validation_error", "name")
    assert api.events_recorded() == before


def test_a_note_may_span_lines(api: Api, tree: Tree) -> None:
    worker = api.created("/workers", hire_body(tree.community, note="第一行\n第二行\t完"))
    assert api.history(worker["worker_id"])[0]["data"]["note"] == "第一行\n第二行\t完"


@pytest.mark.parametrize(
    "content",
    [b'{"name": "\xff\xfe"}', b'{"grade": 1' + b"0" * 5000 + b"}"],
    ids=["invalid-utf8", "5000-digit-number"],
)
def test_a_body_that_cannot_be_decoded_is_refused(api: Api, content: bytes) -> None:
    assert_problem(api.post_raw("/workers", content), 422, "validation_error", "body")


def test_a_misspelt_query_parameter_is_refused_instead_of_answering_as_of_now(
    api: Api, tree: Tree
) -> None:
    """``knwon_at`` ignored would give today's payroll as if it were the one asked for."""
    response = api.get("/reports/payroll", month="2022-01", knwon_at="2022-01-31T00:00:00Z")
    problem = assert_problem(response, 422, "validation_error", "knwon_at")
    assert problem["errors"][0]["in"] == "query"
    assert "known_at" in problem["errors"][0]["message"]  # what it takes instead


def test_a_write_with_an_unknown_query_parameter_records_nothing(
    api: Api, tree: Tree, worker_id: str
) -> None:
    before = api.events_recorded()
    body = {"year": 2022, "rating": "competent", "document_ref": "考核〔2022〕1号"}
    response = api.post(f"/workers/{worker_id}/appraisals", body, params={"dry_run": "true"})
    assert_problem(response, 422, "validation_error", "dry_run")
    assert api.events_recorded() == before


def test_the_parameters_an_endpoint_declares_are_still_accepted(api: Api, tree: Tree) -> None:
    found = api.ok(f"/units/{tree.community}/quota-usage", as_of="2022-01-01")
    assert found["headcount"] == 0
