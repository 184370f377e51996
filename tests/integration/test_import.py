"""Importing a district from spreadsheets: all of it or nothing, and never twice."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

import ledger.importing as importing
from domain.access import Actor
from domain.pay import price
from domain.vocabulary import CertificateLevel, Post, Role
from ledger.adapters import spreadsheets
from ledger.application import Ledger
from ledger.commands import Context
from ledger.importing import import_files, keys, loader
from ledger.importing.export import history_tables
from ledger.importing.template import write_template
from projections.projector import Projector
from projections.queries import payroll, roster
from projections.sql import ReadStore
from seed.generate import generate
from tests.integration import import_support as district
from tests.integration.import_support import EXPECTED, MONTH, events


def imported(ledger: Ledger, *paths: Path, **options: Any) -> Any:
    result = import_files(ledger, list(paths), **options)
    assert result.ok, [p.line() for p in result.problems]
    return result


def unit_id(key: str) -> str:
    return str(keys.unit_id("BH", key))


def test_a_district_with_chinese_headers_loads_completely_and_its_roster_and_payroll_match(
    ledger: Ledger, store: str, tmp_path: Path
) -> None:
    result = imported(ledger, district.workbook(tmp_path / "包河区.xlsx"))

    assert (result.counts["units"], result.counts["workers"]) == (5, 9)
    assert result.counts["facts"] == len(district.WORKERS)
    rows, lines = district.reports(ledger, store)
    found = {r["name"]: r for r in rows}
    assert set(found) == set(district.NAMES.values())
    for key, (unit, post, grade, education, certificate, status) in EXPECTED.items():
        row = found[district.NAMES[key]]
        assert row["worker_id"] == str(keys.worker_id("BH", key))
        assert (row["unit_id"], row["unit_name"]) == (unit_id(unit), district.UNIT_NAMES[unit])
        assert (row["post"], row["grade"], row["education"]) == (post, grade, education), key
        assert (row["certificate"], row["status"]) == (certificate, status), key
    schedule = ledger.schedule()
    paid = {k: e for k, e in EXPECTED.items() if e[5] == "active"}
    assert {line["name"] for line in lines} == {district.NAMES[k] for k in paid}
    for line in lines:
        key = next(k for k, n in district.NAMES.items() if n == line["name"])
        _, post, grade, _, certificate, _ = EXPECTED[key]
        wanted = price(
            schedule,
            MONTH,
            Post(post),
            grade,
            CertificateLevel(certificate) if certificate else None,
        )
        assert (line["total"], line["allowance"]) == (wanted.total, wanted.allowance), key


def test_the_same_district_as_gb18030_csv_files_gives_the_same_roster(
    ledger: Ledger, store: str, tmp_path: Path
) -> None:
    imported(ledger, *district.gb18030_csvs(tmp_path))

    rows, _ = district.reports(ledger, store)
    found = {r["name"]: (r["unit_id"], r["post"], r["grade"], r["status"]) for r in rows}
    assert found == {
        district.NAMES[k]: (unit_id(e[0]), e[1], e[2], e[5]) for k, e in EXPECTED.items()
    }


def test_re_importing_the_same_file_records_nothing_new(ledger: Ledger, tmp_path: Path) -> None:
    path = district.workbook(tmp_path / "district.xlsx")
    imported(ledger, path)
    before = events(ledger)

    again = imported(ledger, path)

    assert events(ledger) == before
    assert again.counts["events"] == 0
    assert again.counts["facts_known"] == len(district.WORKERS)
    assert (again.counts["workers_known"], again.counts["units_known"]) == (9, 5)


def test_a_dry_run_checks_everything_and_records_nothing(ledger: Ledger, tmp_path: Path) -> None:
    before = events(ledger)

    result = imported(ledger, district.workbook(tmp_path / "d.xlsx"), dry_run=True)

    assert events(ledger) == before
    assert not result.recorded
    assert result.counts["facts"] == len(district.WORKERS)


def test_the_template_filled_with_its_example_rows_imports_cleanly(
    ledger: Ledger, tmp_path: Path
) -> None:
    for template in (tmp_path / "template.xlsx", tmp_path / "template.csv"):
        paths = write_template(template, ledger.schedule().version_on(date.today()))
        result = imported(ledger, *paths)
        assert result.counts["facts"] + result.counts["facts_known"] == 2
    book = load_workbook(tmp_path / "template.xlsx", read_only=True)
    headers = [c.value for c in next(book["人员履历 workers"].iter_rows(max_row=1))]
    assert headers[:3] == ["人员编号 worker_key", "事项 fact", "生效日期 effective_date"]


def _row(rows: list[list[Any]], key: str, fact: str, **match: Any) -> int:
    """The spreadsheet row number (header = 1) of the first matching row."""
    columns = {"year": district.WORKER_HEADERS.index("考核年度")}
    for index, row in enumerate(rows):
        if row[0] == key and row[1] == fact and all(row[columns[k]] == v for k, v in match.items()):
            return index + 2
    raise AssertionError((key, fact))


def test_a_file_with_bad_rows_imports_nothing_and_names_each_bad_row_sheet_row_and_column(
    ledger: Ledger, tmp_path: Path
) -> None:
    units = [
        *district.UNITS,
        [
            "BH-WH-04",
            "新社区",
            "小区",
            "BH-WH",
            1,
            None,
            2,
            district.date(2019, 1, 1),
            "包编〔2019〕3号",
            None,
            None,
        ],
    ]
    workers = [list(r) for r in district.WORKERS]
    col = {name: n for n, name in enumerate(district.WORKER_HEADERS)}
    workers[_row(workers, "W01", "年度考核", year=2021) - 2][col["考核等次"]] = "良好"
    workers[_row(workers, "W03", "调动") - 2][col["生效日期"]] = "2021-13-01"
    workers[_row(workers, "W05", "等级调整") - 2][col["等级"]] = 13
    workers[_row(workers, "W07", "入职") - 2][col["身份证号"]] = 340104198504020031
    workers += [
        district._fact("W02", "年度考核", year=2019, rating="称职"),
        district._fact("W02", "年度考核", year=2019, rating="优秀"),
        district._hire(
            "W10", district.date(2021, 1, 1), "孙伟", "男", "BH-WH-03", "助理", 1, "本科"
        ),
        district._fact("W10", "解聘", district.date(2022, 12, 31), reason="合同期满"),
        district._hire(
            "W12", district.date(2021, 2, 1), "马娜", "女", "BH-WH-03", "助理", 1, "本科"
        ),
        district._fact("W11", "年度考核", year=2020, rating="称职"),
    ]
    expected = {
        ("单位及员额", len(units) + 1, "C 单位类型"),
        ("人员履历", _row(workers, "W01", "年度考核", year=2021), "P 考核等次"),
        ("人员履历", _row(workers, "W03", "调动"), "C 生效日期"),
        ("人员履历", _row(workers, "W05", "等级调整"), "K 等级"),
        ("人员履历", _row(workers, "W07", "入职"), "G 身份证号"),
        # W02's second 2019 appraisal; W12: 大圩 has no free seat left by W06 and W10 in
        # 2021; W11: never hired.
        ("人员履历", _row(workers, "W02", "年度考核") + 1, "O 考核年度"),
        ("人员履历", _row(workers, "W12", "入职"), "I 单位编号"),
        ("人员履历", _row(workers, "W11", "年度考核"), "A 人员编号"),
    }
    before = events(ledger)

    result = import_files(ledger, [district.workbook(tmp_path / "bad.xlsx", units, workers)])

    assert events(ledger) == before, "nothing is recorded"
    assert {(p.sheet, p.row, p.column) for p in result.problems} == expected
    assert len(result.problems) == len(expected), [p.line() for p in result.problems]
    for problem in result.problems:
        assert problem.what and problem.expected
        assert problem.line().startswith(f"{problem.sheet}, row {problem.row}, column ")


def test_an_import_that_dies_half_way_is_completed_by_running_it_again_without_duplicates(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = district.workbook(tmp_path / "district.xlsx")
    monkeypatch.setattr(loader, "BATCH_WORKERS", 2)
    saves = 0
    real_insert = ledger.recorder.insert_events

    def dies_on_the_third_save(*args: Any, **kwargs: Any) -> Any:
        nonlocal saves
        saves += 1
        if saves == 3:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or the machine going down
        return real_insert(*args, **kwargs)

    monkeypatch.setattr(ledger.recorder, "insert_events", dies_on_the_third_save)
    with pytest.raises(KeyboardInterrupt):
        import_files(ledger, [path])
    monkeypatch.setattr(ledger.recorder, "insert_events", real_insert)
    assert events(ledger) > 0

    second = imported(ledger, path)

    assert second.counts["workers_known"] > 0 and second.counts["workers"] > 0
    clean = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    clean.bootstrap("baohe-2020")
    imported(clean, path)
    every = [w for w in EXPECTED]
    for key in every:
        worker_id = keys.worker_id("BH", key)
        assert [type(e).__name__ for e in ledger.events.get(worker_id)] == [
            type(e).__name__ for e in clean.events.get(worker_id)
        ], key


def test_a_worker_imported_before_keeps_their_hire_a_different_one_is_refused(
    ledger: Ledger, tmp_path: Path
) -> None:
    imported(ledger, district.workbook(tmp_path / "first.xlsx"))
    workers = [list(r) for r in district.WORKERS]
    post = district.WORKER_HEADERS.index("岗位")
    workers[_row(workers, "W03", "入职") - 2][post] = "主办"
    before = events(ledger)

    result = import_files(ledger, [district.workbook(tmp_path / "again.xlsx", workers=workers)])

    assert events(ledger) == before
    assert [(p.row, p.column) for p in result.problems] == [
        (_row(workers, "W03", "入职"), "J 岗位")
    ]
    assert "助理 assistant" in result.problems[0].what


def test_later_facts_for_workers_imported_before_are_added_by_a_workers_only_file(
    ledger: Ledger, tmp_path: Path
) -> None:
    imported(ledger, district.workbook(tmp_path / "first.xlsx"))
    more = [district._fact("W03", "年度考核", year=2021, rating="优秀")]
    path = district.workbook(tmp_path / "2021.xlsx", units=[], workers=more)

    refused = import_files(ledger, [path])
    result = imported(ledger, path, district="BH")

    assert "district" in refused.problems[0].expected
    assert (result.counts["facts"], result.counts["workers_known"]) == (1, 1)
    worker = ledger.repository.get(keys.worker_id("BH", "W03"))
    assert worker.appraisal_years == {2021: district.date(2021, 12, 31)}


def test_imported_events_are_recorded_by_the_import_and_its_file(
    ledger: Ledger, tmp_path: Path
) -> None:
    imported(ledger, district.workbook(tmp_path / "包河区.xlsx"))

    hired = next(iter(ledger.events.get(keys.worker_id("BH", "W01"))))

    assert hired.recorded_by == "import:包河区.xlsx"
    assert hired.request_id.startswith("import-")


def test_a_generated_history_exported_and_re_imported_gives_the_same_roster_and_payroll(
    ledger: Ledger, store: str, tmp_path: Path
) -> None:
    generate(ledger, workers=60, years=4, start_year=2020)
    path = tmp_path / "history.xlsx"
    spreadsheets.write(history_tables(ledger, ledger.directory().roots), path)
    fresh = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    fresh.bootstrap("baohe-2020")

    result = imported(fresh, path)

    assert result.counts["facts"] > 300  # hires, appraisals, steps, moves, departures
    answers = []
    for source, url in ((ledger, store), (fresh, "memory://")):
        read_store = ReadStore(url)
        try:
            Projector(source, read_store).catch_up()
            answers.append(
                (
                    [
                        list(
                            roster.every(
                                read_store,
                                roster.RosterFilter(as_of=day, schedule=source.schedule()),
                            )
                        )
                        for day in (district.date(2021, 7, 1), district.date(2023, 12, 31))
                    ],
                    payroll.lines(read_store, None, "2023-06", source.schedule()),
                )
            )
        finally:
            read_store.close()
    assert answers[0] == answers[1]
    assert answers[0][0][1], "someone is on the roster"


def test_a_clerk_writing_to_the_same_unit_between_check_and_write_stops_the_import_safely(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    imported(ledger, district.workbook(tmp_path / "first.xlsx"))
    newcomer = district._hire(
        "W20", district.date(2025, 1, 1), "郭静", "女", "BH-WH-01", "助理", 1, "本科"
    )
    path = district.workbook(tmp_path / "2025.xlsx", units=[], workers=[newcomer])
    real_write = importing.write

    def a_clerk_first(*args: Any, **kwargs: Any) -> Any:
        admin = Context(Actor("admin", Role.ADMIN), "meanwhile")
        ledger.approve_quota(
            admin,
            keys.unit_id("BH", "BH-WH-01"),
            quota=4,
            effective_date=district.date(2024, 1, 1),
            document_ref="包编〔2024〕1号",
        )
        return real_write(*args, **kwargs)

    monkeypatch.setattr(importing, "write", a_clerk_first)
    with pytest.raises(importing.Aborted, match="run the import again"):
        import_files(ledger, [path], district="BH")
    monkeypatch.setattr(importing, "write", real_write)
    worker_id = keys.worker_id("BH", "W20")
    assert not list(ledger.events.get(worker_id)), "nothing of the stopped batch was written"

    imported(ledger, path, district="BH")

    assert [type(e).__name__ for e in ledger.events.get(worker_id)] == ["Hired"]


def test_a_seat_freed_by_a_later_row_of_the_file_is_free_for_an_earlier_one(
    ledger: Ledger, tmp_path: Path
) -> None:
    """Seats are set once per worker, from the whole career: a worker whose rows come
    first (key A0) takes the only seat from 2021, freed by one who leaves it in 2020."""
    one_seat = list(district.UNITS[2])
    one_seat[0], one_seat[6] = "BH-WH-09", 1
    workers = [
        district._hire(
            "A0", district.date(2021, 1, 1), "郭静", "女", "BH-WH-09", "助理", 1, "本科"
        ),
        district._hire(
            "A1", district.date(2019, 1, 1), "王芳", "女", "BH-WH-09", "助理", 1, "本科"
        ),
        district._fact(
            "A1", "解聘", district.date(2020, 6, 30), reason="辞职", ref="人〔2020〕1号"
        ),
    ]
    path = district.workbook(tmp_path / "one-seat.xlsx", [*district.UNITS[:2], one_seat], workers)

    result = imported(ledger, path)

    assert (result.counts["workers"], result.counts["facts"]) == (2, 3)
    usage = ledger.quota_usage(
        Actor("admin", Role.ADMIN), keys.unit_id("BH", "BH-WH-09"), district.date(2021, 6, 1)
    )
    assert usage["headcount"] == 1, usage


def test_a_hire_the_channels_eligibility_refuses_is_reported_on_its_row(tmp_path: Path) -> None:
    chibi = Ledger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    chibi.bootstrap("chibi-2020")  # open recruitment: under 40, 大专 or higher
    workers = [
        *(list(r) for r in district.WORKERS),
        district._fact(
            "W20",
            "入职",
            district.date(2021, 3, 1),
            name="周强",
            gender="男",
            birth=district.date(1976, 1, 5),
            education="高中及以下",
            unit="BH-WH-03",
            post="助理",
            grade=1,
            channel="公开招聘",
        ),
    ]
    before = events(chibi)

    result = import_files(chibi, [district.workbook(tmp_path / "w.xlsx", district.UNITS, workers)])

    assert events(chibi) == before
    (problem,) = result.problems
    assert (problem.sheet, problem.row) == ("人员履历", len(workers) + 1)
    assert problem.column.endswith("出生日期")
    assert "under 40 on the hire date, not 45" in problem.what
    assert "age limit and minimum education" in problem.expected
