"""/workers (人员查询): the search form, its results as the API answers them, the pages,
the downloads, the clerk's scope and the masking of ID numbers."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

from console.routes import search
from domain.vocabulary import Role
from projections.queries.roster import COLUMNS
from tests.console.conftest import Console
from tests.e2e.conftest import V1, Tree, hire

ZHANG = "340104199005011234"


def seed(console: Console, tree: Tree, other_street: str) -> dict[str, str]:
    api = console.api
    return {
        "张三丰": hire(api, tree.community, name="张三丰", id_number=ZHANG)["worker_id"],
        "李张": hire(api, tree.street, name="李张", id_number=None, post="officer")["worker_id"],
        "王五": hire(api, tree.street, name="王五", id_number=None)["worker_id"],
        "张外": hire(api, other_street, name="张外", id_number=None)["worker_id"],
    }


def linked(html: str) -> list[str]:
    """The people the results table links to, in its order."""
    return re.findall(r'href="/workers/([0-9a-f-]{36})\?', html)


def test_a_search_by_part_of_a_name_lists_what_the_api_answers(
    console: Console, tree: Tree, other_street: str
) -> None:
    seed(console, tree, other_street)
    for params in (
        {"q": "张"},
        {"q": "张", "unit_id": tree.street},
        {"q": "", "post": "officer"},
        {"q": "张", "as_of": "2020-01-01", "status": "not_yet_hired"},
    ):
        page = console.client.get("/workers", params=params)
        assert page.status_code == 200, page.text
        api = console.api.ok("/workers", **params)["items"]
        assert linked(page.text) == [item["worker_id"] for item in api]
        for item in api:
            assert item["name"] in page.text
    page = console.client.get("/workers", params={"q": "张"}).text
    assert "人员查询" in page and "望湖街道" in page and "助理" in page and "2021年3月1日" in page


def test_the_form_keeps_its_values_so_the_url_can_be_shared(console: Console, tree: Tree) -> None:
    page = console.client.get(
        "/workers", params={"q": "三丰", "post": "officer", "grade": "5", "as_of": "2023-02-01"}
    ).text
    assert 'method="get" action="/workers"' in page
    assert 'name="q" value="三丰"' in page
    assert '<option value="officer" selected>' in page
    assert 'name="grade" min="1" max="99" value="5"' in page
    assert 'name="as_of" value="2023-02-01"' in page
    for field in ("q", "unit_id", "post", "grade", "status", "as_of"):
        assert re.search(rf"<label>[^<]+\s*<(input|select)[^>]* name=\"{field}\"", page), field


def test_results_come_a_page_at_a_time_with_working_links(
    console: Console, tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    hired = sorted(hire(console.api, tree.street, name=f"张{n}")["worker_id"] for n in range(5))
    seen: list[str] = []
    url = "/workers?q=%E5%BC%A0"
    while url:
        page = console.client.get(url).text
        seen += linked(page)
        found = re.search(r'<a href="(/workers\?[^"]*cursor=[^"]+)"', page)
        url = found[1].replace("&amp;", "&") if found else ""
        if url:
            assert "q=%E5%BC%A0" in url, "the next page keeps the filters"
    assert seen == hired
    fragment = console.client.get(
        "/workers?q=%E5%BC%A0", headers={"HX-Request": "true", "HX-Target": "results"}
    ).text
    assert "<html" not in fragment and "<table>" in fragment, "htmx gets the results alone"


def test_the_downloads_are_the_current_filter_as_the_api_roster_gives_it(
    console: Console, tree: Tree, other_street: str
) -> None:
    seed(console, tree, other_street)
    params = {"q": "张", "unit_id": tree.district}
    page = console.client.get("/workers", params=params).text
    [xlsx_link] = re.findall(r'href="(/workers\.xlsx\?[^"]*)"', page)
    [csv_link] = re.findall(r'href="(/workers\.csv\?[^"]*)"', page)
    as_csv = console.client.get(csv_link.replace("&amp;", "&"))
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_csv.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    api_csv = console.api.client.get(
        V1 + "/workers", params=params, headers=console.api.headers({"Accept": "text/csv"})
    )
    assert rows == list(csv.reader(io.StringIO(api_csv.content.decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS) and len(rows) == 4
    workbook = console.client.get(xlsx_link.replace("&amp;", "&")).content
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    sheet = list(book.active.values)
    assert sheet[0][1] == "姓名 name"
    assert sorted(r[1] for r in sheet[1:]) == sorted(r[1] for r in rows[1:])


def test_a_clerk_searches_only_their_own_subtree(
    console: Console, tree: Tree, other_street: str
) -> None:
    hired = seed(console, tree, other_street)
    console.as_person(Role.CLERK, tree.street)
    page = console.client.get("/workers", params={"q": "张"})
    assert set(linked(page.text)) == {hired["张三丰"], hired["李张"]}
    assert "骆岗街道" not in page.text, "the unit picker offers only their subtree"
    refused = console.client.get("/workers", params={"unit_id": other_street})
    assert refused.status_code == 403
    assert "<h1>" in refused.text and "Traceback" not in refused.text
    assert console.client.get("/workers.csv", params={"unit_id": other_street}).status_code == 403


def test_a_clerk_finds_a_person_by_id_number_but_never_sees_it_whole(
    console: Console, tree: Tree, other_street: str
) -> None:
    hired = seed(console, tree, other_street)
    console.as_person(Role.CLERK, tree.community)
    page = console.client.get("/workers", params={"q": ZHANG}).text
    assert linked(page) == [hired["张三丰"]]
    # The number they typed stays in their own form and in the links keeping the filter;
    # nothing the ledger answers shows it whole.
    answered = page.replace(f'value="{ZHANG}"', "").replace(f"q={ZHANG}", "")
    assert ZHANG not in answered
    assert "<td>340***********1234</td>" in page
    assert ZHANG not in console.client.get("/workers").text
    assert ZHANG not in console.client.get("/workers.csv").text


def test_an_admin_sees_the_whole_id_number_and_a_reporter_none(
    console: Console, tree: Tree, other_street: str
) -> None:
    seed(console, tree, other_street)
    assert ZHANG in console.client.get("/workers").text
    console.as_person(Role.REPORTER)
    page = console.client.get("/workers").text
    assert "340***" not in page and ZHANG not in page and "身份证号</th>" not in page
    refused = console.client.get("/workers", params={"q": ZHANG})
    assert refused.status_code == 403


def test_bad_filters_give_a_refusal_page_not_a_trace(console: Console, tree: Tree) -> None:
    for params in ({"grade": "x"}, {"as_of": "2021-02-30"}, {"post": "chief"}, {"q": "3401"}):
        page = console.client.get("/workers", params=params)
        assert page.status_code == 422, params
        assert 'role="alert"' in page.text and "Traceback" not in page.text
