"""Reading an import file's cells and headers as clerks' spreadsheets write them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from domain.policy import AdoptedVersion, Policy, PolicySchedule, following
from domain.vocabulary import FactType, Post, Rating, UnitKind
from ledger.importing import cells
from ledger.importing.cells import CellError
from ledger.importing.columns import (
    UNIT_COLUMNS,
    WORKER_COLUMNS,
    SheetKind,
    match_header,
    sheet_kind,
)
from ledger.importing.reading import FileProblem, detect_encoding, sheets
from ledger.importing.rows import Header, Posts, fact_problems, unit_problems
from tests.unit.builders import LONG_AGO, document
from tests.unit.test_policy_posts import MAPPING, three_posts


@pytest.mark.parametrize(
    "written",
    [
        "考核等次",
        "rating",
        "RATING",
        "考核等次 rating",
        "考核等次(rating)",
        "考核等次（rating）",
        " 考核等次 ",
    ],
)
def test_a_header_may_be_the_chinese_title_the_code_or_both(written: str) -> None:
    column = match_header(written, WORKER_COLUMNS)

    assert column is not None and column.code == "rating"


def test_an_unknown_header_matches_no_column() -> None:
    assert match_header("考核结果", WORKER_COLUMNS) is None
    assert match_header(None, WORKER_COLUMNS) is None


def test_a_sheet_is_told_by_its_key_column_workers_before_units() -> None:
    assert sheet_kind(["人员编号", "事项", "单位编号"]) is SheetKind.WORKERS
    assert sheet_kind(["单位编号 unit_key", "单位名称"]) is SheetKind.UNITS
    assert sheet_kind(["列 column", "代码 code"]) is None


@pytest.mark.parametrize(
    "written",
    [
        "2020-03-01",
        "2020/3/1",
        "2020.3.1",
        "2020年3月1日",
        " 2020-03-01 ",
        datetime(2020, 3, 1),
        date(2020, 3, 1),
        43891,
    ],
)
def test_dates_are_read_as_spreadsheets_write_them(written: object) -> None:
    assert cells.day()(written) == date(2020, 3, 1)


@pytest.mark.parametrize("written", ["2021-13-01", "01/03/2020", "昨天", 3.5, 2020, "1900-01-01"])
def test_a_bad_date_says_what_a_date_looks_like(written: object) -> None:
    with pytest.raises(CellError) as refused:
        cells.day()(written)

    assert "2020-01-01" in refused.value.expected


def test_codes_and_chinese_labels_read_as_the_same_member() -> None:
    assert cells.coded(Post)("主管") is Post.DIRECTOR
    assert cells.coded(Post)("Director") is Post.DIRECTOR
    assert cells.coded(Rating)("称职") is Rating.COMPETENT
    assert cells.coded(UnitKind)("城市社区") is UnitKind.URBAN_COMMUNITY
    assert cells.coded(FactType)("三年晋档") is FactType.GRADE_STEP


def test_an_unknown_value_lists_every_accepted_one_in_both_languages() -> None:
    with pytest.raises(CellError) as refused:
        cells.coded(Rating)("良好")

    assert refused.value.what == "'良好' is not a rating"
    assert (
        "优秀 excellent" in refused.value.expected
        and "不称职 unqualified" in refused.value.expected
    )


def test_an_id_number_stored_as_a_number_is_refused_because_digits_may_be_lost() -> None:
    with pytest.raises(CellError, match="stored as a number"):
        cells.id_number(340104198504020031)

    assert cells.id_number("34010419850402002x") == "34010419850402002X"


def test_whole_numbers_from_number_cells_or_text() -> None:
    year = cells.whole(1949, 2100, "a year")

    assert year(2020) == year(2020.0) == year("2020") == year("2020年") == 2020
    for bad in (2020.5, "二〇二〇", True, 1900):
        with pytest.raises(CellError):
            year(bad)


def test_a_numeric_key_typed_into_a_number_cell_reads_as_its_digits() -> None:
    key = next(c for c in UNIT_COLUMNS if c.code == "unit_key")

    assert key.parse(1001.0) == "1001"


def test_csv_encodings_utf8_with_or_without_bom_else_gb18030(tmp_path: Path) -> None:
    text = "人员编号,事项\r\nW1,入职\r\n"
    for encoding, expected in (
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gb18030", "gb18030"),
    ):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        assert detect_encoding(path) == expected
        (sheet,) = sheets(path)
        assert sheet.header == ("人员编号", "事项")
        assert list(sheet.rows) == [(2, ("W1", "入职"))]


def test_an_old_binary_xls_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)

    with pytest.raises(FileProblem, match=r"save it as \.xlsx or CSV"):
        list(sheets(path))


def three_posts_from_2023() -> PolicySchedule:
    """The seed's four posts, then 三岗 (社区正职, 社区副职, 其他工作人员) from 2023."""
    first = AdoptedVersion(1, LONG_AGO, "赤壁", Policy.from_document(document()))
    later = Policy.from_document(three_posts(MAPPING))
    return PolicySchedule([first, following(first, 2, date(2023, 1, 1), "三岗", later)])


def test_a_post_reads_as_its_code_or_its_chinese_or_english_label_of_the_policy() -> None:
    read = cells.post(Policy.from_document(three_posts()))

    assert [read(v) for v in ("社区正职", "staff", " 社区副职 ", "Staff")] == [
        "head",
        "staff",
        "deputy",
        "staff",
    ]


def test_a_post_the_policy_does_not_define_is_refused_naming_the_posts_it_has() -> None:
    with pytest.raises(CellError) as refused:
        cells.post(Policy.from_document(three_posts()))("主办")

    assert refused.value.what == "'主办' is not a post of policy three-posts"
    assert refused.value.expected == (
        "one of the posts of policy three-posts: 社区正职 head, 社区副职 deputy, 其他工作人员 staff"
    )


def test_a_rows_post_is_read_against_the_version_in_force_on_the_rows_date() -> None:
    posts = Posts(three_posts_from_2023())

    assert posts.read("主办", date(2022, 12, 31)) == Post.OFFICER
    assert posts.read("社区正职", date(2023, 1, 1)) == "head"
    with pytest.raises(CellError) as refused:
        posts.read("主办", date(2023, 1, 1))
    assert refused.value.what.endswith("in force on 2023-01-01")
    assert "社区正职 head" in refused.value.expected


def test_a_post_change_row_with_an_unknown_post_is_a_problem_of_its_post_column() -> None:
    columns = ["人员编号", "事项", "生效日期", "岗位", "原因"]
    header = Header.read("人员履历", SheetKind.WORKERS, columns)
    values, _ = header.values(7, ["W1", "岗位变动", "2024-03-01", "主办", "选举"])

    (problem,) = fact_problems(header, 7, values, Posts(three_posts_from_2023()))

    assert (problem.row, problem.column) == (7, "D 岗位")
    assert "其他工作人员 staff" in problem.expected


def _unit_row(cells_: dict[str, object]) -> list[str]:
    header = Header.read("单位", SheetKind.UNITS, ["单位编号", *cells_])
    values, problems = header.values(3, ["C1", *cells_.values()])
    assert problems == []
    return [p.what for p in unit_problems(header, 3, values, {"C1"})]


def test_grids_are_counted_from_a_date_and_a_counts_date_counts_something() -> None:
    assert _unit_row({"网格数": 6, "统计日期": "2024-01-01"}) == []
    assert _unit_row({"户数": 3100, "统计日期": "2024-01-01"}) == []
    assert _unit_row({"网格数": 6}) == ["empty"]
    assert _unit_row({"统计日期": "2024-01-01"}) == ["a date without counts"]
