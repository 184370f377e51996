"""Reading an import file's cells and headers as clerks' spreadsheets write them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

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
