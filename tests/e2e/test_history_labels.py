"""GET /workers/{id}/history in words: Chinese labels beside the codes, units by name, a
transfer's both units; as CSV and .xlsx on asking; the ID number as the role may see it."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from domain.vocabulary import Role
from ledger.adapters.spreadsheets import XLSX_MEDIA_TYPE
from tests.e2e.conftest import V1, Api, Tree, hire

ID_NUMBER = "340104199005011234"


@pytest.fixture
def career(api: Api, tree: Tree) -> str:
    """Hired into the community, appraised unqualified, then moved to the street office
    as an officer, then dismissed."""
    worker_id: str = hire(api, tree.community, name="赵敏", id_number=ID_NUMBER)["worker_id"]
    api.created(f"/workers/{worker_id}/appraisals", {"year": 2021, "rating": "unqualified"})
    api.created(
        f"/workers/{worker_id}/transfers", {"unit_id": tree.street, "effective_date": "2022-03-01"}
    )
    api.created(
        f"/workers/{worker_id}/post-changes",
        {"post": "officer", "effective_date": "2022-04-01", "reason": "promotion"},
    )
    api.created(
        f"/workers/{worker_id}/dismissal",
        {"effective_date": "2023-06-30", "reason": "resignation"},
    )
    return worker_id


def by_type(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["type"]: item for item in items}


def fetch(api: Api, worker_id: str, accept: str) -> Any:
    return api.client.get(
        f"{V1}/workers/{worker_id}/history", headers=api.headers({"Accept": accept})
    )


def test_each_fact_and_code_has_its_chinese_label_beside_the_code(api: Api, career: str) -> None:
    facts = by_type(api.history(career))

    assert {t: f["type_label"] for t, f in facts.items()} == {
        "Hired": "入职",
        "Appraised": "年度考核",
        "Transferred": "调动",
        "PostChanged": "岗位变动",
        "Dismissed": "解聘",
    }
    hired = facts["Hired"]["data"]
    assert (hired["post"], hired["post_label"]) == ("assistant", "助理")
    assert (hired["education_label"], hired["channel_label"], hired["gender_label"]) == (
        "本科",
        "公开招聘",
        "女",
    )
    assert facts["Appraised"]["data"]["rating_label"] == "不称职"
    assert facts["PostChanged"]["data"]["reason_label"] == "晋升"
    assert facts["Dismissed"]["data"]["reason_label"] == "辞职"


def test_each_fact_names_the_unit_the_worker_was_in(api: Api, tree: Tree, career: str) -> None:
    facts = by_type(api.history(career))

    assert (facts["Hired"]["unit_id"], facts["Hired"]["unit_name"]) == (
        tree.community,
        "南薰门社区",
    )
    assert facts["Appraised"]["unit_name"] == "南薰门社区"
    assert (facts["PostChanged"]["unit_id"], facts["PostChanged"]["unit_name"]) == (
        tree.street,
        "望湖街道",
    )
    assert "from_unit_id" not in facts["Hired"], "only a transfer has a unit left"


def test_a_transfer_names_both_the_unit_left_and_the_unit_joined(
    api: Api, tree: Tree, career: str
) -> None:
    moved = by_type(api.history(career))["Transferred"]

    assert (moved["from_unit_id"], moved["from_unit_name"]) == (tree.community, "南薰门社区")
    assert (moved["unit_id"], moved["unit_name"]) == (tree.street, "望湖街道")


def test_the_history_as_csv_is_one_row_per_fact_with_bilingual_headers(
    api: Api, career: str
) -> None:
    response = fetch(api, career, "text/csv")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "事项(中文) type_label" in lines[0] and "原单位名称 from_unit_name" in lines[0]
    codes = [h.rsplit(" ", 1)[-1] for h in lines[0]]
    rows = [dict(zip(codes, line, strict=True)) for line in lines[1:]]
    assert [r["type"] for r in rows] == [i["type"] for i in api.history(career)]
    moved = next(r for r in rows if r["type"] == "Transferred")
    assert (moved["type_label"], moved["from_unit_name"], moved["unit_name"]) == (
        "调动",
        "南薰门社区",
        "望湖街道",
    )
    assert next(r for r in rows if r["type"] == "Appraised")["rating_label"] == "不称职"


def test_the_history_as_xlsx_reads_back_with_the_csv_rows(api: Api, career: str) -> None:
    as_csv = fetch(api, career, "text/csv")
    as_xlsx = fetch(api, career, XLSX_MEDIA_TYPE)

    assert as_xlsx.status_code == 200, as_xlsx.text
    assert as_xlsx.headers["content-type"] == XLSX_MEDIA_TYPE
    assert as_xlsx.headers["content-disposition"] == f'attachment; filename="history-{career}.xlsx"'
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    sheet = list(load_workbook(io.BytesIO(as_xlsx.content), read_only=True).worksheets[0].values)
    assert list(sheet[0]) == lines[0]
    type_label = lines[0].index("事项(中文) type_label")
    assert [row[type_label] for row in sheet[1:]] == [line[type_label] for line in lines[1:]]
    assert sheet[1][type_label] == "入职"


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.ADMIN, ID_NUMBER),
        (Role.AUDITOR, ID_NUMBER),
        (Role.CLERK, "340***********1234"),
        (Role.REPORTER, None),
    ],
)
def test_the_hires_id_number_is_shown_as_the_role_may_see_it_in_every_format(
    api: Api, tree: Tree, career: str, role: Role, shown: str | None
) -> None:
    reader = api.with_role(role, tree.street if role is Role.CLERK else None)

    hired = by_type(reader.history(career))["Hired"]["data"]
    assert hired["id_number"] == shown
    assert hired["name"] == "赵敏"
    lines = list(csv.reader(io.StringIO(fetch(reader, career, "text/csv").text.lstrip("\ufeff"))))
    column = lines[0].index("身份证号 id_number")
    assert lines[1][column] == (shown or "")
    if shown != ID_NUMBER:
        assert ID_NUMBER not in fetch(reader, career, "text/csv").text
        sheet = load_workbook(io.BytesIO(fetch(reader, career, XLSX_MEDIA_TYPE).content))
        assert ID_NUMBER not in {str(c) for row in sheet.worksheets[0].values for c in row}
