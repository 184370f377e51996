"""The what-if page (政策模拟): the policy in force today with a few parameters changed,
replayed through the API's own simulation and shown as counts, totals, a monthly chart
and the workers who differ; a clerk within their own subtree; nothing recorded."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.vocabulary import Role
from seed.generate import generate
from tests.console.conftest import Console
from tests.console.pages_support import chart, text_of
from tests.e2e.conftest import Tree

WINDOW = {"from_month": "2016-01", "to_month": "2019-12"}
HTMX = {"HX-Request": "true", "HX-Target": "what-if-result"}


def asked(**changes: str) -> dict[str, str]:
    """The form as a browser sends it: every field, the empty ones as ""."""
    return {
        "step_years": "3",
        "wage_year": "",
        "wage_amount": "",
        "unit_id": "",
        **WINDOW,
        **changes,
    }


@pytest.fixture
def history(console: Console) -> Console:
    generate(console.api.ledger, workers=20, years=4, seed=11)
    return console


def figure(html: str, name: str) -> int:
    found = re.search(rf'data-figure="{name}">(\d+)<', html)
    assert found, f"no figure {name}"
    return int(found.group(1))


def money(shown: str) -> Decimal:
    return Decimal(shown.replace(",", ""))


def side(html: str, name: str) -> list[str]:
    found = re.search(rf'<tr data-side="{name}">(.*?)</tr>', html, re.S)
    assert found, f"no row {name}"
    return re.findall(r'<td class="num">(.*?)</td>', found.group(1))


@pytest.mark.parametrize("role", [Role.ADMIN, Role.CLERK, Role.AUDITOR, Role.REPORTER])
def test_the_form_shows_the_policy_in_force_for_every_role_that_may_simulate(
    console: Console, tree: Tree, role: Role
) -> None:
    console.as_person(role, tree.street if role is Role.CLERK else None)

    page = console.client.get("/what-if")

    assert page.status_code == 200, page.text[:2000]
    text = text_of(page.text)
    assert "政策模拟" in text and "晋档年限(年)" in text and "学历多计一档" in text
    assert 'name="step_years" min="1" max="10" value="3"' in page.text  # the pack's three years
    assert 'hx-get="/what-if"' in page.text and 'hx-indicator="#calculating"' in page.text
    assert "正在计算…" in text
    assert 'href="/what-if" aria-current="page"' in page.text
    assert "data-chart" not in page.text  # the form alone: nothing is simulated on a load
    assert "style=" not in page.text


def test_two_year_steps_show_the_workers_who_gain_and_the_difference_the_api_answers(
    history: Console,
) -> None:
    response = history.client.get("/what-if", params=asked(step_years="2"), headers=HTMX)

    assert response.status_code == 200, response.text[:2000]
    html = response.text
    assert "<html" not in html  # the partial, for htmx to swap in
    affected = figure(html, "affected")
    assert affected > 0 and figure(html, "gaining") == affected and figure(html, "losing") == 0
    assert figure(html, "compared") >= affected
    adopted, draft, difference = (
        side(html, "adopted"),
        side(html, "draft"),
        side(html, "difference"),
    )
    assert difference[0] != "0.00" and not difference[0].startswith("-")
    assert money(draft[0]) - money(adopted[0]) == money(difference[0])
    assert re.fullmatch(r"\d{1,3}(,\d{3})+\.\d\d", adopted[0])  # yuan, thousands separated

    option = chart(html, "what-if-months")
    assert [s["name"] for s in option["series"]] == ["现行政策", "模拟政策"]
    assert len(option["xAxis"]["data"]) == 48 and option["xAxis"]["data"][0] == "2016-01"
    assert sum(option["series"][1]["data"]) > sum(option["series"][0]["data"])

    rows = re.findall(r'<tr data-worker="([^"]+)">', html)
    assert len(rows) == min(affected, 50)
    assert f'<a href="/workers/{rows[0]}">' in html
    assert "多晋档次" in text_of(html) and "首个不同月份" in text_of(html)

    # The very figures the API answers for the same draft.
    document = history.api.ledger.policy_document(date.today())
    api = history.api.post("/simulations", {"policy": _two_year(document), **WINDOW}).json()
    assert api["totals"]["workers_affected"] == affected
    assert api["totals"]["difference"]["total"] == difference[0].replace(",", "")
    assert [w["worker_id"] for w in api["items"]][: len(rows)] == rows


def _two_year(document: dict[str, Any]) -> dict[str, Any]:
    document = {**document, "id": "two-year"}
    document.pop("effective_from", None)
    document["parameters"] = {
        **document["parameters"],
        "step_years": {**document["parameters"]["step_years"], "value": 2},
    }
    return document


def test_the_page_in_english_and_without_htmx_is_the_whole_page_with_its_result(
    history: Console,
) -> None:
    history.client.cookies.set("ledger_lang", "en")
    page = history.client.get("/what-if", params=asked(step_years="2", education="1"))

    assert page.status_code == 200
    text = text_of(page.text)
    assert "What-if" in text and "Workers who differ" in text and "Calculating…" in text
    assert 'name="education" value="1" checked' in page.text
    assert chart(page.text, "what-if-months")["series"][0]["name"] == "Adopted"


def test_a_clerk_simulates_only_their_own_subtree_and_is_refused_another_unit(
    history: Console,
) -> None:
    (district,) = history.api.ok("/units")["items"]
    (street,) = history.api.ok("/units", parent_id=district["unit_id"])["items"]
    mine, other = history.api.ok("/units", parent_id=street["unit_id"])["items"]
    everyone = figure(history.client.get("/what-if", params=asked(), headers=HTMX).text, "compared")
    history.as_person(Role.CLERK, mine["unit_id"])

    form = history.client.get("/what-if").text
    offered = re.findall(r'<option value="([0-9a-f-]{36})"', form)
    assert mine["unit_id"] in offered
    assert other["unit_id"] not in offered and street["unit_id"] not in offered

    own = history.client.get("/what-if", params=asked(step_years="2"), headers=HTMX)
    assert own.status_code == 200
    assert figure(own.text, "compared") < everyone
    shown = re.findall(r"<td><a [^>]+>[^<]*</a></td><td>([^<]*)</td>", own.text)
    assert shown and set(shown) == {mine["name"]}

    refused = history.client.get("/what-if", params=asked(unit_id=other["unit_id"]), headers=HTMX)
    assert refused.status_code == 403
    assert 'class="problem"' in refused.text and "Traceback" not in refused.text


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"step_years": "0"}, "晋档年限 须在 1–10 之间"),
        ({"step_years": "两年"}, "不是整数"),
        ({"from_month": "2019-13"}, "不是 YYYY-MM 形式的月份"),
        ({"from_month": "2019-06", "to_month": "2019-01"}, "起始月份 2019-06 晚于截止月份 2019-01"),
        ({"wage_year": "2019", "wage_amount": "四万"}, "不是有效金额"),
        ({"wage_year": "2019"}, "平均工资须同时填写年份和金额"),
        ({"unit_id": "not-a-unit"}, "不是单位编号"),
    ],
)
def test_bad_input_is_refused_in_chinese_without_a_trace(
    console: Console, changes: dict[str, str], words: str
) -> None:
    console.client.get("/what-if")  # a first console page makes the session key (an event)
    before = console.api.events_recorded()

    response = console.client.get("/what-if", params=asked(**changes), headers=HTMX)

    assert response.status_code == 422, response.text
    assert 'class="problem"' in response.text and words in text_of(response.text)
    assert "Traceback" not in response.text and "<html" not in response.text
    assert console.api.events_recorded() == before


def test_an_invalid_draft_is_refused_with_its_problems_in_chinese(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.routes import what_if

    def broken(*args: Any) -> dict[str, Any]:
        document = real(*args)
        document["parameters"]["step_years"]["value"] = "三"
        return document

    real = what_if.draft_document
    monkeypatch.setattr(what_if, "draft_document", broken)

    response = console.client.get("/what-if", params=asked(), headers=HTMX)

    assert response.status_code == 422
    assert "政策文件无效" in text_of(response.text) and "step_years" in text_of(response.text)
    assert "Traceback" not in response.text


def test_simulating_records_nothing(history: Console) -> None:
    history.client.get("/what-if")  # a first console page makes the session key (an event)
    before = history.api.events_recorded()

    for changes in ({"step_years": "2"}, {"wage_year": "2018", "wage_amount": "90,000"}):
        response = history.client.get("/what-if", params=asked(**changes), headers=HTMX)
        assert response.status_code == 200
        assert figure(response.text, "affected") > 0

    assert history.api.events_recorded() == before
