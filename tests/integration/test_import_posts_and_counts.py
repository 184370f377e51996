"""Importing under a policy's own posts, and a unit's dated counts (issue 13).

A post cell is read against the policy version in force on its row's date; the units
sheet's counts (统计日期 counts_date) are what the policy's quota formula reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from domain.access import Actor
from domain.vocabulary import Role
from domain.worker import Worker
from ledger.adapters import spreadsheets
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from ledger.commands import Context
from ledger.importing import import_files, keys
from ledger.importing.export import history_tables
from ledger.importing.template import write_template
from tests.integration.import_support import events
from tests.unit.test_policy_posts import MAPPING, three_posts

ADMIN = Actor("admin", Role.ADMIN)
THREE_POSTS_FROM = date(2021, 1, 1)
UNIT_HEADERS = ["单位编号", "单位名称", "单位类型", "上级单位编号", "户数", "网格数", "统计日期"]
UNITS: list[list[Any]] = [
    [*UNIT_HEADERS, "核定员额", "员额生效日期", "批准文号"],
    ["BH", "包河区", "区", None, None, None, None, None, None, None],
    ["BH-WH", "望湖街道", "街道(镇、大社区)机关", "BH", None, None, None, 5, "2019-01-01", "编1"],
    ["BH-WH-01", "南薰门社区", "城市社区", "BH-WH", 3000, None, None, 20, "2019-01-01", "编1"],
]
WORKER_HEADERS = ["人员编号", "事项", "生效日期", "姓名", "性别", "出生日期", "学历"]
WORKER_HEADERS += ["单位编号", "岗位", "进入方式", "原因"]


def hire(key: str, when: str, name: str, post: str) -> list[Any]:
    return [key, "入职", when, name, "女", "1985-04-02", "本科", "BH-WH-01", post, "老人老办法"]


def workbook(path: Path, workers: list[list[Any]], units: list[list[Any]] = UNITS) -> Path:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "单位"
    for row in units:
        first.append(row)
    second = book.create_sheet("人员履历")
    second.append(WORKER_HEADERS)
    for row in workers:
        second.append(row)
    book.save(path)
    return path


@pytest.fixture
def three(ledger: Ledger) -> Ledger:
    """The seed's four posts until 2021, then 社区正职 head, 社区副职 deputy, 其他工作人员 staff."""
    ledger.adopt_policy(
        Context(ADMIN, "adopt"), three_posts(MAPPING), THREE_POSTS_FROM, "三岗十八级"
    )
    return ledger


def post_of(ledger: Ledger, key: str, on: date) -> str:
    worker = ledger.get(keys.worker_id("BH", key), Worker)
    return worker.state(ledger.schedule(), on).post


WORKERS: list[list[Any]] = [
    hire("T1", "2021-03-01", "王芳", "社区正职"),
    hire("T2", "2021-03-01", "李强", "staff"),
    # Before the three posts' version: read against the seed's four.
    hire("T3", "2020-03-01", "张敏", "主办"),
    ["T3", "岗位变动", "2022-01-01", None, None, None, None, None, "社区副职", None, "选举"],
]


def test_posts_are_read_as_code_or_label_of_the_version_in_force_on_the_rows_date(
    three: Ledger, tmp_path: Path
) -> None:
    result = import_files(three, [workbook(tmp_path / "posts.xlsx", WORKERS)])

    assert result.ok, [p.line() for p in result.problems]
    assert post_of(three, "T1", date(2021, 6, 1)) == "head"
    assert post_of(three, "T2", date(2021, 6, 1)) == "staff"
    assert post_of(three, "T3", date(2020, 6, 1)) == "officer"
    assert post_of(three, "T3", date(2021, 6, 1)) == "staff"  # 主办 maps to 其他工作人员
    assert post_of(three, "T3", date(2022, 6, 1)) == "deputy"


def test_a_post_the_version_does_not_define_is_refused_on_its_row_naming_its_posts(
    three: Ledger, tmp_path: Path
) -> None:
    workers = [*WORKERS, hire("T4", "2021-03-01", "刘洋", "主办")]
    before = events(three)

    result = import_files(three, [workbook(tmp_path / "bad.xlsx", workers)])

    assert events(three) == before
    (problem,) = result.problems
    assert (problem.sheet, problem.row, problem.column) == ("人员履历", 6, "I 岗位")
    assert problem.what == "'主办' is not a post of policy three-posts, in force on 2021-03-01"
    assert problem.expected == (
        "one of the posts of policy three-posts: 社区正职 head, 社区副职 deputy, 其他工作人员 staff"
    )


def test_the_export_writes_each_posts_label_of_its_dates_version_and_re_imports_as_is(
    three: Ledger, tmp_path: Path
) -> None:
    import_files(three, [workbook(tmp_path / "posts.xlsx", WORKERS)])
    exported = tmp_path / "export.xlsx"
    spreadsheets.write(history_tables(three, three.directory().roots), exported)
    rows = list(load_workbook(exported, read_only=True)["人员履历 workers"].values)
    column = rows[0].index("岗位 post")
    before = events(three)

    again = import_files(three, [exported])

    assert sorted(str(r[column]) for r in rows[1:] if r[column]) == sorted(
        ["社区正职", "其他工作人员", "主办", "社区副职"]
    )
    assert again.ok, [p.line() for p in again.problems]
    assert (events(three), again.counts["facts_known"]) == (before, len(WORKERS))


def test_the_template_offers_the_posts_of_the_version_in_force_today_and_imports(
    three: Ledger, tmp_path: Path
) -> None:
    (path,) = write_template(tmp_path / "template.xlsx", three.schedule().version_on(date.today()))
    book = load_workbook(path)
    offered = [r[1:] for r in book["取值 values"].values if r[0] == "post"]
    workers = book["人员履历 workers"]
    post = next(c.column_letter for c in workers[1] if c.value == "岗位 post")

    result = import_files(three, [path])

    assert offered == [("head", "社区正职"), ("deputy", "社区副职"), ("staff", "其他工作人员")]
    assert workers[f"{post}2"].value == "其他工作人员"
    assert "社区正职 head" in workers[f"{post}1"].comment.text
    (choices,) = workers.data_validations.dataValidation
    assert (choices.type, choices.formula1) == ("list", "'取值 values'!$C$2:$C$4")
    assert result.ok, [p.line() for p in result.problems]


@pytest.fixture
def chibi(store: str) -> Iterator[Ledger]:
    """Chibi's pack: a community's quota is 7 two-committee seats plus one a grid, or one
    per 500 households where no grids are recorded."""
    app = Ledger(env=store_environment(store))
    app.bootstrap("chibi-2020")
    try:
        yield app
    finally:
        app.close()


COUNTED: list[list[Any]] = [
    *UNITS,
    ["BH-WH-01", None, None, None, None, 9, "2022-01-01", None, None, None],
    ["BH-WH-01", None, None, None, 3600, 11, "2024-01-01", None, None, None],
]


def computed(ledger: Ledger, on: date) -> int:
    view = ledger.unit_view(ADMIN, keys.unit_id("BH", "BH-WH-01"), on)
    quota: int = view["computed_quota"]
    return quota


def test_imported_grids_are_what_chibis_quota_formula_reads(chibi: Ledger, tmp_path: Path) -> None:
    path = workbook(tmp_path / "counts.xlsx", [], COUNTED)

    result = import_files(chibi, [path])

    assert result.ok, [p.line() for p in result.problems]
    assert result.counts["counts"] == 2
    assert computed(chibi, date(2021, 6, 1)) == 7 + 3000 // 500  # households at registration
    assert computed(chibi, date(2022, 6, 1)) == 7 + 9
    assert computed(chibi, date(2024, 6, 1)) == 7 + 11


def test_counts_imported_again_or_exported_and_re_imported_record_nothing_new(
    chibi: Ledger, tmp_path: Path
) -> None:
    import_files(chibi, [workbook(tmp_path / "counts.xlsx", [], COUNTED)])
    exported = tmp_path / "export.xlsx"
    spreadsheets.write(history_tables(chibi, chibi.directory().roots), exported)
    before = events(chibi)

    again = import_files(chibi, [workbook(tmp_path / "again.xlsx", [], COUNTED)])
    round_trip = import_files(chibi, [exported])

    assert (again.ok, round_trip.ok) == (True, True), [p.line() for p in round_trip.problems]
    assert (again.counts["counts_known"], round_trip.counts["counts_known"]) == (2, 2)
    assert events(chibi) == before


def test_grids_without_their_counts_date_are_refused_on_their_row(
    chibi: Ledger, tmp_path: Path
) -> None:
    undated = [*UNITS, ["BH-WH-01", None, None, None, None, 9, None, None, None, None]]
    before = events(chibi)

    result = import_files(chibi, [workbook(tmp_path / "undated.xlsx", [], undated)])

    assert events(chibi) == before
    (problem,) = result.problems
    assert (problem.sheet, problem.row, problem.column) == ("单位", 5, "G 统计日期")
