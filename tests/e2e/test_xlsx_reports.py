"""Every report and the roster as an .xlsx workbook beside CSV: same rows, bilingual headers."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from ledger.adapters.spreadsheets import XLSX_MEDIA_TYPE
from tests.e2e.conftest import V1, Api, Tree, hire

REPORTS = [
    ("/workers", {"as_of": "2024-06-01"}),
    ("/reports/quota-usage", {"as_of": "2024-06-01"}),
    ("/reports/payroll", {"month": "2024-06"}),
    ("/rules/grade-steps", {"as_of": "2025-01-01"}),
    ("/reports/promotion-candidates", {"as_of": "2025-01-01"}),
    ("/reports/dismissals-required", {"as_of": "2025-01-01"}),
]


def fetch(api: Api, path: str, params: dict[str, str], accept: str) -> Any:
    return api.client.get(V1 + path, params=params, headers=api.headers({"Accept": accept}))


@pytest.fixture
def staffed(api: Api, tree: Tree) -> Tree:
    """Three workers; one rated excellent and one unqualified for years, so every report
    has a row."""
    steady = hire(api, tree.community, name="王芳", hire_date="2020-03-01")["worker_id"]
    weak = hire(api, tree.community, name='=HYPERLINK("x")', hire_date="2020-03-01")
    hire(api, tree.street, name="李强", post="director", hire_date="2020-01-01")
    for year in (2020, 2021, 2022, 2023):
        api.created(f"/workers/{steady}/appraisals", {"year": year, "rating": "excellent"})
        api.created(
            f"/workers/{weak['worker_id']}/appraisals", {"year": year, "rating": "unqualified"}
        )
    return tree


@pytest.mark.parametrize(("path", "params"), REPORTS)
def test_each_report_answers_a_workbook_with_the_csv_rows_under_bilingual_headers(
    api: Api, staffed: Tree, path: str, params: dict[str, str]
) -> None:
    as_csv = fetch(api, path, params, "text/csv")
    as_xlsx = fetch(api, path, params, XLSX_MEDIA_TYPE)

    assert as_xlsx.status_code == 200, as_xlsx.text
    assert as_xlsx.headers["content-type"] == XLSX_MEDIA_TYPE
    assert as_xlsx.headers["content-disposition"].endswith('.xlsx"')
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    book = load_workbook(io.BytesIO(as_xlsx.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == len(lines) > 1, "the same rows, and at least one"
    codes = [h.rsplit(" ", 1)[-1] for h in rows[0]]
    # The CSV's header is the codes, or (the payroll's) the workbook's bilingual one.
    assert lines[0] in (codes, list(rows[0])), "each header ends with its code"
    assert any(" " in h and not h.isascii() for h in rows[0]), "and Chinese titles lead"
    for row, line in zip(rows[1:], lines[1:], strict=True):
        for code, cell, text in zip(codes, row, line, strict=True):
            if code in ("worker_id", "name", "post", "post_label", "unit_id", "status"):
                assert (cell or "") == text.removeprefix("'"), code


def test_a_name_that_looks_like_a_formula_is_text_in_the_workbook(api: Api, staffed: Tree) -> None:
    response = fetch(api, "/workers", {"as_of": "2024-06-01"}, XLSX_MEDIA_TYPE)

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = [row[1] for row in sheet.iter_rows(min_row=2)]
    cell = next(c for c in names if str(c.value).startswith("="))
    assert cell.data_type == "s", "a string, never run as a formula"
