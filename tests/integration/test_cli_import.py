"""``ledger import`` and ``ledger export``: the template, the report of bad rows, the round trip."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cli import main as cli
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from tests.integration import import_support as district
from tests.stores import store_url

runner = CliRunner()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def durable_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with store_url(request.param, tmp_path) as url:
        yield url


def invoke(url: str, *args: str) -> Any:
    return runner.invoke(cli.app, list(args), env={"LEDGER_DATABASE_URL": url})


def events(url: str) -> int:
    ledger = Ledger(env=store_environment(url))
    try:
        return ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()


def test_the_template_is_written_and_imports_with_a_summary_on_standard_error(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    template = tmp_path / "模板.xlsx"

    written = invoke(url, "import", "--template", str(template))
    loaded = invoke(url, "import", str(template))

    assert written.exit_code == 0, written.stderr
    assert loaded.exit_code == 0, loaded.stderr
    assert "3 units, 2 quota approvals, 1 unit counts, 1 workers, 2 facts" in loaded.stderr
    assert "sheet 取值 values: not a units or workers sheet, ignored" in loaded.stderr


def test_bad_rows_are_listed_one_line_each_with_a_csv_copy_and_nothing_is_recorded(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    invoke(url, "import", "--template", str(tmp_path / "t.xlsx"))
    assert invoke(url, "import", str(tmp_path / "t.xlsx")).exit_code == 0
    workers = [list(row) for row in district.WORKERS]
    workers[1][district.WORKER_HEADERS.index("考核等次")] = "良好"
    workers[2][district.WORKER_HEADERS.index("考核年度")] = "二〇二〇"
    path = district.workbook(tmp_path / "bad.xlsx", workers=workers)
    errors = tmp_path / "problems.csv"
    before = events(url)

    result = invoke(url, "import", str(path), "--errors", str(errors))

    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("人员履历, row")]
    assert lines == [
        "人员履历, row 3, column P 考核等次: '良好' is not a rating; expected one of 优秀 "
        "excellent, 称职 competent, 基本称职 basically_competent, 不称职 unqualified",
        "人员履历, row 4, column O 考核年度: '二〇二〇' is not a whole number; expected a year "
        "from 1949 to 2100",
    ]
    assert "2 problem(s) in 2 row(s)" in result.stderr and "nothing was imported" in result.stderr
    with errors.open(encoding="utf-8-sig") as file:
        assert [(r["sheet"], r["row"], r["column"]) for r in csv.DictReader(file)] == [
            ("人员履历", "3", "P 考核等次"),
            ("人员履历", "4", "O 考核年度"),
        ]
    assert events(url) == before


def test_an_exported_roster_re_imported_into_a_fresh_ledger_reproduces_the_roster(
    durable_store: str, tmp_path: Path
) -> None:
    source = district.workbook(tmp_path / "包河区.xlsx")
    assert invoke(durable_store, "import", str(source)).exit_code == 0
    exported = tmp_path / "roster.xlsx"
    first_csv = tmp_path / "roster.csv"
    as_of = ("--as-of", district.AS_OF.isoformat())

    result = invoke(
        durable_store, "export", "roster", *as_of, "--xlsx", str(exported), "--csv", str(first_csv)
    )

    assert result.exit_code == 0, result.stderr
    book = load_workbook(exported, read_only=True)
    assert book.sheetnames == ["花名册 roster", "单位 units", "人员履历 workers"]
    header = [c.value for c in next(book["花名册 roster"].iter_rows(max_row=1))]
    assert header[:3] == ["人员ID worker_id", "姓名 name", "单位ID unit_id"]
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    reloaded = invoke(fresh, "import", str(exported))
    assert reloaded.exit_code == 0, reloaded.stderr
    second_csv = tmp_path / "again.csv"
    assert invoke(fresh, "export", "roster", *as_of, "--csv", str(second_csv)).exit_code == 0
    assert first_csv.read_text("utf-8-sig") == second_csv.read_text("utf-8-sig")
    assert len(first_csv.read_text("utf-8-sig").splitlines()) == 1 + len(district.EXPECTED)


def test_the_payroll_is_exported_as_a_workbook_and_as_csv_with_the_same_lines(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    invoke(url, "import", str(district.workbook(tmp_path / "d.xlsx")))
    xlsx, csv_file = tmp_path / "payroll.xlsx", tmp_path / "payroll.csv"

    result = invoke(
        url,
        "export",
        "payroll",
        "--month",
        district.MONTH,
        "--xlsx",
        str(xlsx),
        "--csv",
        str(csv_file),
    )

    assert result.exit_code == 0, result.stderr
    rows = list(load_workbook(xlsx, read_only=True).worksheets[0].iter_rows(values_only=True))
    with csv_file.open(encoding="utf-8-sig") as file:
        lines = list(csv.reader(file))
    assert len(rows) == len(lines) == 1 + 7  # the header, the seven paid in June 2024
    assert rows[0][:2] == ("人员ID worker_id", "姓名 name") and lines[0][:2] == [
        "worker_id",
        "name",
    ]
    assert sorted(float(r[9]) for r in rows[1:]) == sorted(float(line[9]) for line in lines[1:])


def test_export_without_a_file_to_write_says_so(tmp_path: Path) -> None:
    result = invoke(f"sqlite:///{tmp_path / 'l.db'}", "export", "roster")

    assert result.exit_code == 1
    assert "--xlsx FILE, --csv FILE or both" in result.stderr
