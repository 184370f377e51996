"""Posts defined by the policy, through the HTTP API: a ledger opened with 三岗十八级 (codes
head, deputy, staff) hires, reports, pays and filters by its own posts, and a version that
drops posts maps them (the card follows the mapping, the history keeps the code)."""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.app import create_app
from ledger.adapters.spreadsheets import XLSX_MEDIA_TYPE
from ledger.settings import Settings
from tests.e2e.conftest import V1, Api, Tree, assert_problem, hire, hire_body, make_tree
from tests.unit.test_policy_posts import MAPPING, three_posts

THREE = {"head": "社区正职", "deputy": "社区副职", "staff": "其他工作人员"}
REF = "政〔2023〕1号"


@pytest.fixture
def three(store: str, tmp_path: Path) -> Iterator[Api]:
    """The HTTP app on a ledger whose first policy is 三岗十八级."""
    path = tmp_path / "three-posts.json"
    path.write_text(json.dumps(three_posts(), ensure_ascii=False), encoding="utf-8")
    app = create_app(Settings(database_url=store, policy=str(path)))
    with TestClient(app) as client:
        yield Api(client, app.state.first_admin_token)


def without_deputy(mapping: dict[str, str] | None) -> dict[str, Any]:
    """三岗十八级 with 社区副职 dropped (head and staff remain)."""
    doc = three_posts()
    doc["id"] = "two-posts"
    params = doc["parameters"]
    params["posts"]["value"] = [p for p in params["posts"]["value"] if p["code"] != "deputy"]
    for name in ("post_grades", "pay_coefficients", "city_funding_shares"):
        del params[name]["value"]["deputy"]
    if mapping is not None:
        doc["post_mapping"] = mapping
    return doc


def adopt(api: Api, policy: dict[str, Any], effective: str, **headers: str) -> Any:
    body = {"policy": policy, "effective_date": effective, "document_ref": REF}
    return api.post("/policies", body, headers=headers)


def table(api: Api, path: str, accept: str, **params: Any) -> bytes:
    response = api.client.get(V1 + path, params=params, headers=api.headers({"Accept": accept}))
    assert response.status_code == 200, response.text
    return response.content


def test_a_head_hired_under_three_posts_is_named_社区正职_by_every_answer(three: Api) -> None:
    tree = make_tree(three)
    worker = hire(three, tree.community, post="head", hire_date="2021-03-01")
    for year in (2021, 2022, 2023):
        three.created(
            f"/workers/{worker['worker_id']}/appraisals", {"year": year, "rating": "competent"}
        )

    assert (worker["post"], worker["post_label"], worker["grade"]) == ("head", "社区正职", 9)
    listed = three.ok("/workers", as_of="2022-01-01", post="head")["items"]
    assert [(r["post"], r["post_label"]) for r in listed] == [("head", "社区正职")]
    usage = three.ok(f"/units/{tree.community}/quota-usage", as_of="2022-01-01")
    assert usage["by_post"] == {"head": 1, "deputy": 0, "staff": 0}
    assert usage["by_post_labels"] == THREE
    report = three.ok("/reports/quota-usage", as_of="2022-01-01")
    assert report["totals"]["by_post"] == {"head": 1, "deputy": 0, "staff": 0}
    assert report["by_post_labels"] == THREE
    line = three.ok("/reports/payroll", month="2022-01")["lines"][0]
    assert (line["post"], line["post_label"]) == ("head", "社区正职")
    step = three.ok("/rules/grade-steps", as_of="2024-01-02")["items"][0]
    assert (step["post"], step["post_label"], step["new_grade"]) == ("head", "社区正职", 10)
    applied = three.post("/rules/grade-steps/apply", {"as_of": "2024-01-02"})
    assert applied.status_code == 200, applied.text
    [recorded] = applied.json()["applied"]
    assert (recorded["post"], recorded["post_label"]) == ("head", "社区正职")
    posts = three.ok("/policies/current")["posts"]
    assert [(p["code"], p["label_zh"], p["grade_min"], p["grade_max"]) for p in posts] == [
        ("head", "社区正职", 7, 18),
        ("deputy", "社区副职", 4, 15),
        ("staff", "其他工作人员", 1, 12),
    ]


def test_the_quota_tables_have_a_column_per_post_of_the_version_titled_by_its_label(
    three: Api,
) -> None:
    tree = make_tree(three)
    hire(three, tree.community, post="staff", hire_date="2021-03-01")

    text = table(three, "/reports/quota-usage", "text/csv", as_of="2022-01-01")
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    community = dict(zip(rows[0], rows[3], strict=True))
    assert [c for c in rows[0] if c.endswith("_headcount") and "subtree" not in c] == [
        "head_headcount",
        "deputy_headcount",
        "staff_headcount",
    ]
    assert community["staff_headcount"] == "1"
    book = load_workbook(io.BytesIO(table(three, "/reports/quota-usage", XLSX_MEDIA_TYPE)))
    headers = [cell.value for cell in next(book.active.iter_rows(max_row=1))]
    assert "社区正职人数 head_headcount" in headers
    assert "其他工作人员人数 staff_headcount" in headers
    assert not [h for h in headers if "director" in str(h) or "officer" in str(h)]


def test_a_post_the_version_lacks_is_refused_naming_the_posts_it_has(three: Api) -> None:
    tree = make_tree(three)
    before = three.events_recorded()

    refused = three.post(
        "/workers",
        {**_body(tree), "post": "director"},
        headers={"Accept-Language": "zh-CN"},
    )
    problem = assert_problem(refused, 422, "validation_error", "post")
    assert "社区正职" in problem["detail"] and "director" in problem["detail"]
    assert three.events_recorded() == before
    listed = three.get("/workers", as_of="2022-01-01", post="assistant")
    # In English (no Accept-Language), each post as its code with its English label.
    assert (
        "head (Community head)" in assert_problem(listed, 422, "validation_error", "post")["detail"]
    )


def test_a_version_that_drops_a_post_without_a_mapping_is_refused_listing_it_in_chinese(
    three: Api,
) -> None:
    before = three.events_recorded()

    refused = adopt(three, without_deputy(None), "2023-01-01", **{"Accept-Language": "zh-CN"})

    assert refused.status_code == 422, refused.text
    assert "取消了岗位" in refused.text and "deputy" in refused.text
    assert three.events_recorded() == before
    assert adopt(three, without_deputy({"deputy": "staff"}), "2023-01-01").status_code == 201


def test_after_a_mapping_the_card_shows_the_new_post_and_the_history_the_old_code(
    api: Api, tree: Tree
) -> None:
    worker_id = hire(api, tree.community, post="director", hire_date="2021-03-01")["worker_id"]

    assert adopt(api, three_posts(copy.deepcopy(MAPPING)), "2023-01-01").status_code == 201

    card = api.ok(f"/workers/{worker_id}", as_of="2023-06-01")
    assert (card["post"], card["post_label"]) == ("head", "社区正职")
    before = api.ok(f"/workers/{worker_id}", as_of="2022-06-01")
    assert (before["post"], before["post_label"]) == ("director", "主管")
    hired = api.history(worker_id)[0]
    assert (hired["type"], hired["data"]["post"], hired["data"]["post_label"]) == (
        "Hired",
        "director",
        "主管",
    )
    heads = api.ok("/workers", as_of="2023-06-01", post="head")["items"]
    assert [r["worker_id"] for r in heads] == [worker_id]
    usage = api.ok(f"/units/{tree.community}/quota-usage", as_of="2023-06-01")
    assert usage["by_post"] == {"head": 1, "deputy": 0, "staff": 0}
    assert api.ok(f"/units/{tree.community}/quota-usage", as_of="2022-06-01")["by_post"] == {
        "director": 1,
        "deputy_director": 0,
        "officer": 0,
        "assistant": 0,
    }


def _body(tree: Tree) -> dict[str, Any]:
    return hire_body(tree.community)
