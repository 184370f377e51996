"""Posts are the policy's: on a ledger whose policy has three posts of its own (head
社区正职, deputy 社区副职, staff 其他工作人员), every page shows, offers and checks those,
named in the reader's language by the version in force on the date the page shows."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from console.app import create_app
from domain.vocabulary import Rating
from ledger.settings import Settings
from tests.console.pages_support import ADMIN, Console, chart, row_cells, text_of
from tests.integration.application_support import (
    HIRE_DATE,
    Tree,
    appraise,
    as_,
    build_tree,
    hire,
    worker_id,
)
from tests.unit.test_policy_posts import MAPPING, three_posts

THREE = ["社区正职", "社区副职", "其他工作人员"]
DAY = date(2025, 1, 1)
QUOTAS = {"district": 10, "street_a": 5, "community_a": 3}


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    """The console over a ledger that first adopted the three-post policy."""
    document = tmp_path / "three-posts.json"
    document.write_text(json.dumps(three_posts(), ensure_ascii=False), encoding="utf-8")
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/l.db", policy=str(document)))
    with TestClient(app) as client:
        yield Console(client).as_(ADMIN)


@pytest.fixture
def tree(console: Console) -> Tree:
    """A head and a member of staff in community A1."""
    tree = build_tree(console.ledger, QUOTAS)
    hire(console.ledger, tree.community_a, name="张正职", post="head")  # type: ignore[arg-type]
    hire(console.ledger, tree.community_a, name="李员工", post="staff")  # type: ignore[arg-type]
    return tree


def column_heads(html: str) -> list[str]:
    """The right-aligned column heads of the unit's own table (after the four figures)."""
    head = re.search(r"<thead>(.*?)</thead>", html, re.S)
    assert head, "no table head"
    return re.findall(r'<th scope="col" class="num">(.*?)</th>', head.group(1))[4:]


def post_options(html: str) -> list[tuple[str, str]]:
    found = re.search(r'<select name="post">(.*?)</select>', html, re.S)
    assert found, "no post filter"
    options = re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', found.group(1))
    return [(value, label) for value, label in options if value]


def card_post(html: str) -> str:
    found = re.search(r'<dd class="post">(.*?)</dd>', html, re.S)
    assert found, "no post on the card"
    return found.group(1).strip()


def test_the_units_page_s_post_columns_are_the_policy_s_three_posts_in_chinese(
    console: Console, tree: Tree
) -> None:
    html = console.page(f"/units/{tree.street_a}", as_of=DAY.isoformat())
    _, community = row_cells(html, "data-unit", tree.community_a)

    assert column_heads(html) == THREE
    assert community[4:7] == ["1", "0", "1"]  # the head, no deputy, the member of staff


def test_the_search_filter_offers_the_three_posts_and_finds_the_head(
    console: Console, tree: Tree
) -> None:
    offered = post_options(console.page("/workers"))
    found = text_of(console.page("/workers", post="head", as_of=DAY.isoformat()))

    assert offered == list(zip(["head", "deputy", "staff"], THREE, strict=True))
    assert "张正职" in found and "社区正职" in found
    assert "李员工" not in found


def test_a_post_the_policy_does_not_have_is_refused_in_the_filter_naming_its_posts(
    console: Console, tree: Tree
) -> None:
    refused = text_of(console.page("/workers", status=422, post="director"))

    assert "director" in refused and "社区正职" in refused


def test_the_person_page_shows_the_head_post_in_chinese_and_in_english_after_the_switch(
    console: Console, tree: Tree
) -> None:
    worker = worker_id(hire(console.ledger, tree.street_a, name="王正职", post="head"))  # type: ignore[arg-type]
    chinese = console.page(f"/workers/{worker}", as_of=DAY.isoformat())
    console.client.cookies.set("ledger_lang", "en")
    english = console.page(f"/workers/{worker}", as_of=DAY.isoformat())

    assert card_post(chinese) == "社区正职"
    assert card_post(english) == "Community head"
    assert "Community head" in text_of(english.split('class="timeline"')[-1])


def test_the_payroll_chart_and_totals_name_the_policy_s_posts_top_first(
    console: Console, tree: Tree
) -> None:
    html = console.page("/payroll", month="2025-01")

    assert chart(html, "payroll-by-post")["xAxis"]["data"] == ["社区正职", "其他工作人员"]


def test_the_audit_feed_names_a_hire_s_post_by_the_policy_s_label(
    console: Console, tree: Tree
) -> None:
    feed = text_of(console.page("/audit"))

    assert "社区正职" in feed and "其他工作人员" in feed


def test_the_policies_page_lists_the_version_s_own_posts_with_their_bands(
    console: Console,
) -> None:
    shown = text_of(console.page("/policies"))

    assert "社区正职 7 18" in shown and "其他工作人员 1 12" in shown


@pytest.fixture
def remapped(tmp_path: Path) -> Iterator[Console]:
    """The four posts of the seed until 2023, then the three posts, 主管 becoming 社区正职."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/l.db", policy="baohe-2020"))
    with TestClient(app) as client:
        found = Console(client).as_(ADMIN)
        yield found


def test_a_hire_is_named_as_recorded_then_and_the_card_by_the_version_in_force_later(
    remapped: Console,
) -> None:
    ledger = remapped.ledger
    tree = build_tree(ledger, QUOTAS)
    worker = worker_id(hire(ledger, tree.community_a, name="赵主管", post="director"))  # type: ignore[arg-type]
    ledger.adopt_policy(as_(), three_posts(MAPPING), date(2023, 1, 1), "三岗〔2023〕1号")

    before = remapped.page(f"/workers/{worker}", as_of=HIRE_DATE.isoformat())
    after = remapped.page(f"/workers/{worker}", as_of=DAY.isoformat())
    timeline = text_of(after.split('class="timeline"')[-1])

    assert card_post(before) == "主管"
    assert card_post(after) == "社区正职"
    assert "主管" in timeline and "社区正职" not in timeline


def test_in_english_the_search_rows_name_the_head_by_the_roster_s_english_label(
    console: Console, tree: Tree
) -> None:
    console.client.cookies.set("ledger_lang", "en")
    rows = text_of(console.page("/workers", post="head", as_of=DAY.isoformat()))

    assert "Community head" in rows and "社区正职" not in rows


def test_a_roster_download_from_an_english_page_labels_the_head_in_chinese_as_the_api_does(
    console: Console, tree: Tree
) -> None:
    console.client.cookies.set("ledger_lang", "en")
    download = console.client.get("/workers.csv", params={"as_of": DAY.isoformat()})
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))

    assert {(row["post"], row["post_label"]) for row in rows} == {
        ("head", "社区正职"),
        ("staff", "其他工作人员"),
    }


def test_the_rules_page_names_a_step_s_post_by_the_policy_in_the_reader_s_language(
    console: Console, tree: Tree
) -> None:
    head = worker_id(hire(console.ledger, tree.street_a, name="晋档正职", post="head"))  # type: ignore[arg-type]
    for year in (2021, 2022, 2023):
        appraise(console.ledger, head, year, Rating.COMPETENT)
    chinese = console.page("/rules", as_of="2024-03-01")
    console.client.cookies.set("ledger_lang", "en")
    english = console.page("/rules", as_of="2024-03-01")

    steps = [
        page.split('id="steps-title"', 1)[1].split("</section>", 1)[0]
        for page in (chinese, english)
    ]
    assert "晋档正职" in steps[0] and "社区正职" in text_of(steps[0])
    assert "Community head" in text_of(steps[1])
