"""单位与员额 — the units page: what a person sees of a unit's quota on a date, its
children, the tree and the chart, checked against the API's answers for the same day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from domain.access import Actor
from domain.vocabulary import Post, Role
from tests.console.pages_support import Console, chart, console_on, row_cells, text_of
from tests.integration.application_support import Tree, approve, build_tree, hire

DAY = date(2025, 1, 1)


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with console_on(tmp_path) as found:
        yield found


@pytest.fixture
def tree(console: Console) -> Tree:
    """District 10, street A 3, community A1 2 then 1 from 2024 (two hired: over quota
    from then), street B without any approval."""
    ledger = console.ledger
    tree = build_tree(ledger, quotas={"district": 10, "street_a": 3, "community_a": 2})
    hire(ledger, tree.community_a, name="张三")
    hire(ledger, tree.community_a, name="李四", post=Post.OFFICER)
    hire(ledger, tree.street_a, name="王五")
    approve(ledger, tree.community_a, 1, on=date(2024, 1, 1))
    return tree


def expected(console: Console, unit: object, day: date) -> list[str]:
    """The figures of a unit's row as the API answers them, in the page's column order."""
    usage = console.api(f"/units/{unit}/quota-usage", as_of=day.isoformat())
    view = console.api(f"/units/{unit}", as_of=day.isoformat())

    def shown(value: object) -> str:
        return "—" if value is None else str(value)

    return [
        shown(usage["approved_quota"]),
        shown(view["computed_quota"]),
        str(usage["headcount"]),
        shown(usage["headroom"]),
        *(str(usage["by_post"][code]) for code in post_codes(console, day)),
    ]


def post_codes(console: Console, day: date) -> list[str]:
    """The posts of the policy version in force on ``day``, top first: the page's columns."""
    policy = console.api("/policies/current", as_of=day.isoformat())
    return [post["code"] for post in policy["posts"]]


def test_a_unit_s_own_figures_are_the_api_s_for_the_chosen_day(
    console: Console, tree: Tree
) -> None:
    for day in (date(2023, 6, 30), DAY):
        html = console.page(f"/units/{tree.street_a}", as_of=day.isoformat())
        _, cells = row_cells(html, "data-unit", tree.street_a)
        assert cells == expected(console, tree.street_a, day)
        subtree = console.api(f"/units/{tree.street_a}/quota-usage", as_of=day.isoformat())
        _, totals = row_cells(html, "data-subtree", tree.street_a)
        assert [totals[0], totals[2], totals[3]] == [
            str(subtree["subtree"][k]) for k in ("approved_quota", "headcount", "headroom")
        ]


def test_children_rows_carry_the_same_figures_with_chinese_post_labels(
    console: Console, tree: Tree
) -> None:
    html = console.page(f"/units/{tree.district}", as_of=DAY.isoformat())
    for child in (tree.street_a, tree.street_b):
        _, cells = row_cells(html, "data-unit", child)
        assert cells[:-1] == expected(console, child, DAY)
    words = text_of(html)
    for label in ("主管", "副主管", "主办", "助理", "核定员额", "测算员额", "在岗人数", "空余员额"):
        assert label in words


def test_units_over_quota_or_without_approval_stand_out_in_words_too(
    console: Console, tree: Tree
) -> None:
    html = console.page(f"/units/{tree.street_a}", as_of=DAY.isoformat())
    standing, cells = row_cells(html, "data-unit", tree.community_a)
    assert standing == "over" and cells[3] == "-1"
    assert "超编" in text_of(html)
    before = console.page(f"/units/{tree.street_a}", as_of="2023-12-31")
    assert row_cells(before, "data-unit", tree.community_a)[0] == ""
    district = console.page(f"/units/{tree.district}", as_of=DAY.isoformat())
    standing, cells = row_cells(district, "data-unit", tree.street_b)
    assert standing == "unapproved" and cells[0] == "—"
    assert "未核定员额" in text_of(district)


def test_the_chart_holds_headcount_against_approved_quota_month_by_month(
    console: Console, tree: Tree
) -> None:
    html = console.page(f"/units/{tree.street_a}", as_of=DAY.isoformat())
    option = chart(html, "quota-chart")
    approved, headcount = option["series"]
    assert (approved["name"], approved["type"], approved["step"]) == ("核定员额", "line", "end")
    assert (headcount["name"], headcount["type"]) == ("在岗人数", "bar")
    months = option["xAxis"]["data"]
    assert months[0] == "2020-01" and months[-1] == "2025-01"
    assert len(months) == len(approved["data"]) == len(headcount["data"]) == 61
    usage = console.api(f"/units/{tree.street_a}/quota-usage", as_of=DAY.isoformat())
    assert approved["data"][-1] == usage["subtree"]["approved_quota"]  # 3 + 1
    assert headcount["data"][-1] == usage["subtree"]["headcount"]  # 3
    assert approved["data"][months.index("2023-12")] == 5  # 3 + 2, before the cut
    assert headcount["data"][months.index("2021-02")] == 0  # hired in March 2021


def test_a_clerk_starts_at_their_unit_and_is_refused_another_street(
    console: Console, tree: Tree
) -> None:
    console.as_(Actor("望湖街道经办人", Role.CLERK, unit_id=tree.street_a))
    html = console.page("/units", as_of=DAY.isoformat())
    words = text_of(html)
    assert "<h1>望湖街道" in html and "南湖社区" in words
    assert "常青街道" not in words and "包河区" not in words
    refused = console.page(f"/units/{tree.street_b}", status=403)
    assert "常青街道" not in text_of(refused)


def test_the_page_links_down_the_tree_and_keeps_the_chosen_day(
    console: Console, tree: Tree
) -> None:
    html = console.page("/units", as_of=DAY.isoformat())
    assert "<h1>包河区" in html
    assert f'href="/units/{tree.street_a}?as_of=2025-01-01"' in html
    assert '<input type="date" name="as_of" value="2025-01-01">' in html
    assert "<label>查看日期" in html


def test_an_english_reader_gets_the_page_in_english(console: Console, tree: Tree) -> None:
    console.client.cookies.set("ledger_lang", "en")
    words = text_of(console.page(f"/units/{tree.street_a}", as_of=DAY.isoformat()))
    assert "Approved quota" in words and "Over quota" in words and "Units below" in words
    assert "核定员额" not in words
