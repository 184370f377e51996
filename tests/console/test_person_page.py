"""人员档案 — a person's page: the card on 查看日期 as known at 知情时间, the flags with
their causes, the timeline in Chinese with corrections beside what they correct, the
"changed since" marks, the grade chart, the print view, refusals and masking."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import pytest

from domain.access import Actor
from domain.vocabulary import Rating, Role
from ledger.commands import CorrectAppraisal
from tests.console.pages_support import Console, chart, console_on, text_of
from tests.integration.application_support import (
    Tree,
    appraise,
    as_,
    build_tree,
    change_grade,
    hire,
    worker_id,
)

DAY = date(2025, 1, 1)


@dataclass
class Story:
    tree: Tree
    worker: UUID
    before_arrears: datetime  # after the first facts, before the backdated grade change
    after_arrears: datetime


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    with console_on(tmp_path) as found:
        yield found


@pytest.fixture
def story(console: Console) -> Story:
    """张三, hired 2021-03-01 in 南湖社区; competent 2021-2023 (a step due in 2024), the
    2022 rating corrected to excellent; later, a grade change backdated to 2022-06-01."""
    ledger = console.ledger
    tree = build_tree(ledger, quotas={"district": 10, "street_a": 3, "community_a": 2})
    worker = worker_id(hire(ledger, tree.community_a))
    for year in (2021, 2022, 2023):
        appraise(ledger, worker, year, Rating.COMPETENT)
    ledger.correct_appraisal(as_(), CorrectAppraisal(worker, 2022, Rating.EXCELLENT, "复核后更正"))
    before = datetime.now(UTC)
    change_grade(ledger, worker, 3, date(2022, 6, 1))
    after = datetime.now(UTC)
    return Story(tree, worker, before, after)


def test_the_card_shows_what_the_api_answers_for_the_day(console: Console, story: Story) -> None:
    html = console.page(f"/workers/{story.worker}", as_of=DAY.isoformat())
    view = console.api(f"/workers/{story.worker}", as_of=DAY.isoformat())
    words = text_of(html)
    assert "包河区 › 望湖街道 › 南湖社区" in words
    assert f"岗位 {view['post_label']}" in words and view["post_label"] == "助理"
    assert f"岗位等级 {view['grade']}档" in words
    pay = view["pay"]
    assert f"薪酬系数 {pay['coefficient']}" in words
    figures = re.findall(r'<td class="num">([\d,.]+)</td>', html)
    assert figures == [
        f"{float(pay[k]):,.2f}" for k in ("base", "allowance", "total", "city_share", "local_share")
    ]
    assert "2025年1月工资" in words and f"政策第{pay['policy_version']}版" in words
    assert f"学历 {view['education_label']}" in words


def test_a_step_due_names_the_appraisals_that_cause_it_and_the_policy(
    console: Console, story: Story
) -> None:
    view = console.api(f"/workers/{story.worker}", as_of=DAY.isoformat())
    (due,) = view["steps_due"]
    html = console.page(f"/workers/{story.worker}", as_of=DAY.isoformat())
    flag = re.search(r'<li data-flag="step_due">(.*?)</li>', html, re.S)
    assert flag, "no step-due flag"
    words = text_of(flag.group(1))
    assert "晋档到期" in words and "2024年" in words
    assert "2021年度称职、2022年度优秀、2023年度称职" in words
    assert "每满三年考核称职及以上晋升一档" in words
    assert f"政策第{due['policy_version']}版" in words


def test_the_timeline_tells_each_fact_in_chinese_with_who_and_when(
    console: Console, story: Story
) -> None:
    words = text_of(console.page(f"/workers/{story.worker}", as_of=DAY.isoformat()))
    assert "入职南湖社区，任助理，1档" in words
    assert "2021年度考核：称职" in words
    assert "岗位等级调整为3档" in words and "原因：奖励" in words
    assert "Hired" not in words and "competent" not in words
    assert "记录：" in words and "admin" in words


def test_a_correction_sits_beside_the_appraisal_it_corrects_with_the_old_rating_kept(
    console: Console, story: Story
) -> None:
    html = console.page(f"/workers/{story.worker}", as_of=DAY.isoformat())
    corrected = re.search(
        r'<li class="fact corrected" data-type="Appraised".*?</ol>\s*</li>', html, re.S
    )
    assert corrected, "the corrected appraisal is not marked"
    words = text_of(corrected.group(0))
    assert "2022年度考核：称职" in words  # the first rating, still there (struck through)
    assert "已更正" in words
    assert "2022年度考核由称职更正为优秀" in words and "复核后更正" in words


def test_a_backdated_fact_shows_only_as_known_after_it_was_recorded(
    console: Console, story: Story
) -> None:
    path = f"/workers/{story.worker}"
    then = console.page(path, as_of=DAY.isoformat(), known_at=story.before_arrears.isoformat())
    now = console.page(path, as_of=DAY.isoformat(), known_at=story.after_arrears.isoformat())
    assert "岗位等级 1档" in text_of(then) and 'data-type="GradeChanged"' not in then
    assert "按" in text_of(then) and "时所知" in text_of(then)
    assert "岗位等级 3档" in text_of(now) and 'data-type="GradeChanged"' in now
    # The datetime-local field shows the moment asked for, in China's time, to the second.
    shown = re.search(r'name="known_at" value="([^"]+)"', then)
    assert shown is not None
    asked = story.before_arrears.replace(microsecond=0)
    assert datetime.fromisoformat(shown.group(1) + "+08:00") == asked


def test_facts_recorded_after_since_are_marked_new(console: Console, story: Story) -> None:
    html = console.page(
        f"/workers/{story.worker}", as_of=DAY.isoformat(), since=story.before_arrears.isoformat()
    )
    marked = re.findall(r'<li class="fact new[^"]*" data-type="(\w+)"', html)
    assert marked == ["GradeChanged"]
    assert "新记录" in text_of(html)
    unmarked = console.page(f"/workers/{story.worker}", as_of=DAY.isoformat())
    assert "fact new" not in unmarked


def test_the_card_follows_the_chosen_day(console: Console, story: Story) -> None:
    early = text_of(console.page(f"/workers/{story.worker}", as_of="2022-01-01"))
    assert "岗位等级 1档" in early and "2022年1月1日的情况" in early


def test_the_grade_chart_is_a_step_line_of_the_grade_over_time(
    console: Console, story: Story
) -> None:
    option = chart(console.page(f"/workers/{story.worker}", as_of=DAY.isoformat()), "grade-chart")
    (series,) = option["series"]
    assert (series["type"], series["step"], option["xAxis"]["type"]) == ("line", "end", "time")
    assert series["data"] == [["2021-03-01", 1], ["2022-06-01", 3], ["2025-01-01", 3]]


def test_the_print_view_is_the_card_and_timeline_without_controls(
    console: Console, story: Story
) -> None:
    for html in (
        console.page(f"/workers/{story.worker}/print", as_of=DAY.isoformat()),
        console.page(f"/workers/{story.worker}", as_of=DAY.isoformat(), print="1"),
    ):
        assert "data-print" in html
        assert 'name="known_at"' not in html and 'data-chart="grade-chart"' not in html
        assert "2021年度考核：称职" in text_of(html)
    full = console.page(f"/workers/{story.worker}", as_of="2025-01-01")
    assert f'href="/workers/{story.worker}/print?as_of=2025-01-01"' in full


def test_a_clerk_of_another_street_gets_the_refusal_page_not_the_card(
    console: Console, story: Story
) -> None:
    console.as_(Actor("常青街道经办人", Role.CLERK, unit_id=story.tree.street_b))
    html = console.page(f"/workers/{story.worker}", status=403)
    assert 'class="problem"' in html
    assert "张三" not in html and "340104" not in html
    # The refusal says why, in Chinese: the clerk's own unit bounds what they may see.
    assert f"您只能在单位 {story.tree.street_b} 及其下级单位范围内" in text_of(html)


def test_a_clerk_sees_the_id_number_masked_and_a_reporter_not_at_all(
    console: Console, story: Story
) -> None:
    console.as_(Actor("望湖街道经办人", Role.CLERK, unit_id=story.tree.street_a))
    html = console.page(f"/workers/{story.worker}", as_of=DAY.isoformat())
    assert "340***********1234" in html and "340104198808081234" not in html
    assert "1988年8月8日" in text_of(html)
    # Links up the path stop at the clerk's street: the district would refuse them.
    assert f'href="/units/{story.tree.street_a}' in html
    assert f'href="/units/{story.tree.district}' not in html
    console.as_(Actor("报表员", Role.REPORTER))
    html = console.page(f"/workers/{story.worker}", as_of=DAY.isoformat())
    assert "340" not in re.sub(r"<[^>]+>", "", html.split('class="id-number">')[1])[:20]
    assert "1988" not in html and "不显示" in text_of(html)


def test_a_moment_that_is_not_one_is_refused_in_words(console: Console, story: Story) -> None:
    html = console.page(f"/workers/{story.worker}", status=422, known_at="yesterday")
    assert 'class="problem"' in html


def test_an_english_reader_gets_the_page_in_english(console: Console, story: Story) -> None:
    console.client.cookies.set("ledger_lang", "en")
    words = text_of(console.page(f"/workers/{story.worker}", as_of=DAY.isoformat()))
    assert "Grade changed to 3" in words and "Appraisal 2022 corrected from" in words
    assert "As of 2025-01-01" in words and "Step due" in words
    assert "岗位" not in words
