"""/payroll (工资): the month's totals, lines and chart as the API answers them, the
downloads with bilingual headers, and the arrears between as known then and now."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pytest

from console.routes import payroll as payroll_page
from console.web import fmt_money
from domain.vocabulary import Role
from tests.console.conftest import Console
from tests.console.pages_support import chart
from tests.e2e.conftest import Tree, hire


def seed(console: Console, tree: Tree, other_street: str) -> dict[str, str]:
    api = console.api
    return {
        "张三": hire(api, tree.community, name="张三", grade=2, hire_date="2023-03-01")[
            "worker_id"
        ],
        "李主办": hire(api, tree.street, name="李主办", post="officer", hire_date="2023-03-01")[
            "worker_id"
        ],
        "外街": hire(api, other_street, name="外街", hire_date="2023-03-01")["worker_id"],
    }


def money(value: str) -> str:
    return fmt_money(Decimal(value))


def test_totals_and_lines_are_the_apis_for_the_same_month_and_subtree(
    console: Console, tree: Tree, other_street: str
) -> None:
    seed(console, tree, other_street)
    params = {"month": "2024-01", "unit_id": tree.street}
    page = console.client.get("/payroll", params=params)
    assert page.status_code == 200, page.text
    report = console.api.ok("/reports/payroll", **params)
    totals = report["totals"]
    html = page.text
    footer = html.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    for key in ("total", "city_share", "local_share"):
        assert money(totals[key]) in footer, key
    assert f'<td class="num">{totals["workers"]}</td>' in footer
    for line in report["lines"]:
        assert f'href="/workers/{line["worker_id"]}"' in html
        assert money(line["total"]) in html and line["coefficient"] in html
    assert "外街" not in html.split('id="lines-title"', 1)[1]
    assert "南薰门社区" in html and "主办" in html and "市级承担" in html
    for post in ("assistant", "officer"):
        posted = [line for line in report["lines"] if line["post"] == post]
        total = sum((Decimal(line["total"]) for line in posted), Decimal(0))
        assert money(str(total)) in html.split('id="totals-title"', 1)[1]


def test_the_chart_is_the_totals_by_post_as_json_for_echarts(
    console: Console, tree: Tree, other_street: str
) -> None:
    seed(console, tree, other_street)
    html = console.client.get("/payroll", params={"month": "2024-01"}).text
    assert "/static/vendor/echarts-6.1.0/echarts.min.js" in html
    option = chart(html, "payroll-by-post")
    assert option["xAxis"]["data"] == ["主办", "助理"]
    report = console.api.ok("/reports/payroll", month="2024-01")
    officer = sum(Decimal(x["total"]) for x in report["lines"] if x["post"] == "officer")
    assert Decimal(str(option["series"][0]["data"][0])) == officer


def test_the_downloads_read_back_with_chinese_headers_beside_the_codes(
    console: Console, tree: Tree, other_street: str
) -> None:
    seed(console, tree, other_street)
    report = console.api.ok("/reports/payroll", month="2024-01")
    as_csv = console.client.get("/payroll.csv", params={"month": "2024-01"})
    assert as_csv.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    heads = ("人员ID worker_id", "姓名 name", "单位ID unit_id", "单位名称 unit_name")
    assert tuple(rows[0])[:4] == heads
    assert [(r["姓名 name"], r["月应发 total"]) for r in rows] == [
        (x["name"], x["total"]) for x in report["lines"]
    ]
    assert {r["单位名称 unit_name"] for r in rows} == {"南薰门社区", "望湖街道", "骆岗街道"}
    xlsx = console.client.get("/payroll.xlsx", params={"month": "2024-01"})
    sheet = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert sheet[0][:4] == heads
    assert [row[1] for row in sheet[1:]] == [x["name"] for x in report["lines"]]


def test_the_arrears_are_the_months_pay_as_known_now_less_as_known_then(
    console: Console, tree: Tree, other_street: str
) -> None:
    hired = seed(console, tree, other_street)
    known_then = datetime.now(UTC).isoformat()
    console.api.created(
        f"/workers/{hired['张三']}/grade-changes",
        {"grade": 4, "effective_date": "2024-01-01", "reason": "correction"},
    )
    then = console.api.ok("/reports/payroll", month="2024-01", known_at=known_then)
    now = console.api.ok("/reports/payroll", month="2024-01")
    owed = Decimal(now["totals"]["total"]) - Decimal(then["totals"]["total"])
    assert owed == Decimal("256.76")
    html = console.client.get("/payroll", params={"month": "2024-01", "known_at": known_then}).text
    arrears = html.split('id="arrears-title"', 1)[1].split("</section>", 1)[0]
    assert f'href="/workers/{hired["张三"]}"' in arrears
    assert "李主办" not in arrears, "only those whose pay differs"
    assert arrears.count(money("256.76")) == 2, "the person's line and the total"


def test_a_clerk_sees_only_their_streets_payroll(
    console: Console, tree: Tree, other_street: str
) -> None:
    seed(console, tree, other_street)
    console.as_person(Role.CLERK, tree.street)
    html = console.client.get("/payroll", params={"month": "2024-01"}).text
    assert "李主办" in html and "外街" not in html
    refused = console.client.get("/payroll", params={"month": "2024-01", "unit_id": other_street})
    assert refused.status_code == 403 and "Traceback" not in refused.text
    assert console.client.get("/payroll.csv", params={"unit_id": other_street}).status_code == 403


def test_a_bad_month_is_a_refusal_page(console: Console, tree: Tree) -> None:
    page = console.client.get("/payroll", params={"month": "2024-13"})
    assert page.status_code == 422 and 'role="alert"' in page.text


def test_the_lines_come_a_page_at_a_time_and_the_totals_cover_them_all(
    console: Console, tree: Tree, other_street: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(payroll_page, "LINES_PER_PAGE", 2)
    seed(console, tree, other_street)
    report = console.api.ok("/reports/payroll", month="2024-01")
    url = "/payroll?month=2024-01"
    seen: list[str] = []
    while url:
        html = console.client.get(url).text
        assert money(report["totals"]["total"]) in html
        lines = html.split('id="lines-title"', 1)[1]
        seen += re.findall(r'href="/workers/([0-9a-f-]{36})"', lines)
        found = re.search(r'<a href="(/payroll\?[^"]*cursor=[^"#]+)', lines)
        url = found[1].replace("&amp;", "&") if found else ""
    assert seen == [line["worker_id"] for line in report["lines"]]
