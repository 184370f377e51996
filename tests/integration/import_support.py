"""A small district as a clerk's spreadsheet would hold it: Chinese headers, Chinese values.

``UNITS`` and ``WORKERS`` are the sheets' rows (Chinese header -> cell). ``EXPECTED``
is each worker's state on ``AS_OF``, worked out by hand from those rows (the comments
say how), so a test compares the ledger's reports with the spreadsheet, not with itself.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from ledger.application import Ledger
from projections.projector import Projector
from projections.queries import payroll, roster
from projections.sql import ReadStore

AS_OF = date(2024, 6, 1)
MONTH = "2024-06"

UNIT_HEADERS = [
    "单位编号",
    "单位名称",
    "单位类型",
    "上级单位编号",
    "类别",
    "户数",
    "核定员额",
    "员额生效日期",
    "批准文号",
    "派遣人数年度",
    "劳务派遣人数",
]
UNITS: list[list[Any]] = [
    ["BH", "包河区", "区", None, None, None, None, None, None, None, None],
    [
        "BH-WH",
        "望湖街道",
        "街道(镇、大社区)机关",
        "BH",
        1,
        None,
        2,
        date(2019, 1, 1),
        "包编〔2019〕3号",
        None,
        None,
    ],
    [
        "BH-WH-01",
        "南薰门社区",
        "城市社区",
        "BH-WH",
        2,
        3200,
        3,
        date(2019, 1, 1),
        "包编〔2019〕3号",
        None,
        None,
    ],
    [
        "BH-WH-02",
        "红星村",
        "行政村",
        "BH-WH",
        3,
        900,
        3,
        date(2019, 1, 1),
        "包编〔2019〕3号",
        None,
        None,
    ],
    [
        "BH-WH-03",
        "大圩村改社区",
        "村改社区",
        "BH-WH",
        1,
        2100,
        2,
        date(2019, 1, 1),
        "包编〔2019〕3号",
        2020,
        20,
    ],
    # A second approval of the same unit: a later row of the same key.
    ["BH-WH-03", None, None, None, None, None, 3, date(2023, 1, 1), "包编〔2023〕7号", None, None],
]

WORKER_HEADERS = [
    "人员编号",
    "事项",
    "生效日期",
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "学历",
    "单位编号",
    "岗位",
    "等级",
    "进入方式",
    "此前社区工作年限",
    "劳务派遣工作年限",
    "考核年度",
    "考核等次",
    "证书等级",
    "原因",
    "文号",
]
_COLUMNS = {name: n for n, name in enumerate(WORKER_HEADERS)}


def _fact(key: str, fact: str, when: date | None = None, **cells: Any) -> list[Any]:
    row: list[Any] = [None] * len(WORKER_HEADERS)
    row[0], row[1], row[2] = key, fact, when
    names = {
        "name": "姓名",
        "gender": "性别",
        "birth": "出生日期",
        "id": "身份证号",
        "education": "学历",
        "unit": "单位编号",
        "post": "岗位",
        "grade": "等级",
        "channel": "进入方式",
        "prior": "此前社区工作年限",
        "dispatch": "劳务派遣工作年限",
        "year": "考核年度",
        "rating": "考核等次",
        "certificate": "证书等级",
        "reason": "原因",
        "ref": "文号",
    }
    for name, value in cells.items():
        row[_COLUMNS[names[name]]] = value
    return row


def _hire(
    key: str,
    when: date,
    name: str,
    gender: str,
    unit: str,
    post: str,
    grade: int,
    education: str,
    channel: str = "老人老办法",
    **more: Any,
) -> list[Any]:
    return _fact(
        key,
        "入职",
        when,
        name=name,
        gender=gender,
        birth=date(1985, 4, 2),
        education=education,
        unit=unit,
        post=post,
        grade=grade,
        channel=channel,
        **more,
    )


def _appraisals(key: str, ratings: dict[int, str]) -> list[list[Any]]:
    return [
        _fact(key, "年度考核", year=y, rating=r, ref=f"考核〔{y}〕") for y, r in ratings.items()
    ]


WORKERS: list[list[Any]] = [
    # W01: assistant, grade 2; three competent years 2019-2021 -> a step on 2022-01-01 (3);
    # a social worker certificate (200 a month) from May 2022.
    _hire(
        "W01",
        date(2019, 3, 1),
        "王芳",
        "女",
        "BH-WH-01",
        "助理",
        2,
        "本科",
        id="34010419850402002X",
    ),
    *_appraisals("W01", {2019: "称职", 2020: "称职", 2021: "称职", 2022: "优秀", 2023: "称职"}),
    _fact("W01", "三年晋档", date(2022, 1, 1)),
    _fact("W01", "取得证书", date(2022, 5, 1), certificate="社会工作师"),
    # W02: officer, grade 5, associate; elected deputy director 2021-01-01 (5 fits 5-16);
    # a bachelor's degree 2021-06-01 raises the grade by the bonus difference 2-1: 6.
    _hire("W02", date(2019, 1, 1), "李强", "男", "BH-WH-01", "主办", 5, "大专"),
    _fact("W02", "岗位变动", date(2021, 1, 1), post="副主管", reason="选举"),
    _fact("W02", "学历提升", date(2021, 6, 1), education="本科"),
    # W03: assistant, grade 3 in 南薰门, transferred to 红星村 2021-07-01.
    _hire("W03", date(2019, 5, 1), "张敏", "女", "BH-WH-01", "助理", 3, "大专"),
    _fact("W03", "调动", date(2021, 7, 1), unit="BH-WH-02"),
    # W04: resigned 2023-06-30: dismissed on AS_OF, not paid.
    _hire("W04", date(2019, 2, 1), "刘洋", "男", "BH-WH-02", "助理", 4, "高中及以下"),
    _fact("W04", "解聘", date(2023, 6, 30), reason="辞职", ref="红人〔2023〕2号"),
    # W05: 2020 rated 基本称职, corrected to 称职; a reward grade change to 6 in 2022.
    _hire("W05", date(2019, 4, 1), "陈静", "女", "BH-WH-02", "助理", 4, "本科"),
    *_appraisals("W05", {2019: "基本称职", 2020: "基本称职"}),
    _fact("W05", "考核更正", year=2020, rating="称职", reason="复核更正"),
    _fact("W05", "等级调整", date(2022, 3, 1), grade=6, reason="奖励"),
    # W06: a dispatch worker converted in 2020 (4 years' dispatch service; 10% of 20 = 2).
    _hire(
        "W06",
        date(2020, 4, 1),
        "杨丽",
        "女",
        "BH-WH-03",
        "助理",
        1,
        "大专",
        channel="劳务派遣转岗",
        dispatch=4,
    ),
    # W07: director of the street office, grade 10, a senior social worker (300) since 2020.
    _hire("W07", date(2019, 1, 1), "赵军", "男", "BH-WH", "主管", 10, "硕士", prior=8),
    _fact("W07", "取得证书", date(2020, 9, 1), certificate="高级社会工作师"),
    # W08: hired after AS_OF, into the third seat of 大圩 approved in 2023.
    _hire("W08", date(2024, 9, 1), "周涛", "男", "BH-WH-03", "助理", 2, "本科", channel="公开招聘"),
    # W09: the initial grade left to the policy: assistant minimum 1 + 6 prior years // 3
    # = 2, + bachelor bonus 2 = 5.
    _fact(
        "W09",
        "入职",
        date(2023, 1, 1),
        name="吴超",
        gender="男",
        birth=date(1990, 1, 1),
        education="本科",
        unit="BH-WH-03",
        post="助理",
        channel="老人老办法",
        prior=6,
    ),
]

# On AS_OF: unit key, post, grade, education, certificate, status.
EXPECTED = {
    "W01": ("BH-WH-01", "assistant", 3, "bachelor", "social_worker", "active"),
    "W02": ("BH-WH-01", "deputy_director", 6, "bachelor", None, "active"),
    "W03": ("BH-WH-02", "assistant", 3, "associate", None, "active"),
    "W04": ("BH-WH-02", "assistant", 4, "below_associate", None, "dismissed"),
    "W05": ("BH-WH-02", "assistant", 6, "bachelor", None, "active"),
    "W06": ("BH-WH-03", "assistant", 1, "associate", None, "active"),
    "W07": ("BH-WH", "director", 10, "master", "senior_social_worker", "active"),
    "W08": ("BH-WH-03", "assistant", 2, "bachelor", None, "not_yet_hired"),
    "W09": ("BH-WH-03", "assistant", 5, "bachelor", None, "active"),
}
NAMES = {
    "W01": "王芳",
    "W02": "李强",
    "W03": "张敏",
    "W04": "刘洋",
    "W05": "陈静",
    "W06": "杨丽",
    "W07": "赵军",
    "W08": "周涛",
    "W09": "吴超",
}
UNIT_NAMES = {row[0]: row[1] for row in UNITS if row[1]}


def workbook(
    path: Path, units: list[list[Any]] = UNITS, workers: list[list[Any]] = WORKERS
) -> Path:
    """The district as an .xlsx: two sheets named as a clerk might, Chinese headers."""
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "单位及员额"
    first.append(UNIT_HEADERS)
    for row in units:
        first.append(row)
    second = book.create_sheet("人员履历")
    second.append(WORKER_HEADERS)
    for row in workers:
        second.append(row)
    book.save(path)
    return path


def gb18030_csvs(folder: Path) -> list[Path]:
    """The district as two CSV files in GB18030, as Chinese spreadsheet programs save them."""
    written = []
    for name, header, rows in (
        ("单位.csv", UNIT_HEADERS, UNITS),
        ("人员.csv", WORKER_HEADERS, WORKERS),
    ):
        path = folder / name
        with path.open("w", encoding="gb18030", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(header)
            writer.writerows([_text(cell) for cell in row] for row in rows)
        written.append(path)
    return written


def _text(cell: Any) -> str:
    if isinstance(cell, date):
        return f"{cell.year}/{cell.month}/{cell.day}"  # as a spreadsheet program writes it
    return "" if cell is None else str(cell)


def events(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def reports(ledger: Ledger, store: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The roster on AS_OF and the payroll of MONTH, from the read models caught up."""
    read_store = ReadStore(store)
    try:
        Projector(ledger, read_store).catch_up()
        rows = list(
            roster.every(read_store, roster.RosterFilter(as_of=AS_OF, schedule=ledger.schedule()))
        )
        lines = payroll.lines(read_store, None, MONTH, ledger.schedule())
    finally:
        read_store.close()
    return rows, lines
