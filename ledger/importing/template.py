"""The published import template: both sheets with bilingual headers and example rows.

Filled with its example rows alone it imports cleanly (a test holds it to that). The
.xlsx also lists every coded column's accepted values, in a third sheet the importer
ignores. Posts are the policy's: the template offers those of the version it is given
(the one in force today), as the post column's drop-down list and in its header's note;
its example hire takes that version's lowest post, dated when the version is in force
(a post is read against the version in force on its row's date).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from domain.policy import AdoptedVersion, Policy
from domain.vocabulary import (
    CertificateLevel,
    Channel,
    DismissalReason,
    Education,
    FactType,
    Gender,
    Labelled,
    PostChangeReason,
    Rating,
    UnitKind,
)
from ledger.importing.columns import COLUMNS, SHEET_TITLES, SheetKind

EXAMPLES: dict[SheetKind, list[dict[str, Any]]] = {
    SheetKind.UNITS: [
        {"unit_key": "EX", "name": "示例区", "kind": "区"},
        {
            "unit_key": "EX-01",
            "name": "示例街道",
            "kind": "街道(镇、大社区)机关",
            "parent_key": "EX",
            "quota": 75,
            "quota_effective_date": "2020-01-01",
            "document_ref": "示编〔2020〕1号",
        },
        {
            "unit_key": "EX-01-01",
            "name": "示例社区",
            "kind": "城市社区",
            "parent_key": "EX-01",
            "class": 1,
            "households": 3200,
            "population": 9100,
            "quota": 19,
            "quota_effective_date": "2020-01-01",
            "document_ref": "示编〔2020〕1号",
        },
        # Counts from a date (统计日期): what a quota formula by grids or households reads.
        {
            "unit_key": "EX-01-01",
            "households": 3350,
            "grids": 7,
            "population": 9300,
            "counts_date": "2024-01-01",
        },
    ],
    SheetKind.WORKERS: [
        {
            "worker_key": "0001",
            "fact": "入职",
            "effective_date": "2020-03-01",
            "name": "张三",
            "gender": "女",
            "birth_date": "1986-05-20",
            "id_number": "110101198605200021",
            "education": "本科",
            "unit_key": "EX-01-01",
            "post": None,  # the version's lowest post, dated in its time (see _rows)
            "channel": "老人老办法",
            "prior_service_years": 6,
        },
        {
            "worker_key": "0001",
            "fact": "年度考核",
            "year": 2020,
            "rating": "称职",
            "document_ref": "示考〔2021〕1号",
        },
    ],
}
VALUES: dict[str, type[Labelled]] = {
    "kind": UnitKind,
    "fact": FactType,
    "gender": Gender,
    "education": Education,
    "channel": Channel,
    "rating": Rating,
    "certificate": CertificateLevel,
    "reason (post_change)": PostChangeReason,
    "reason (dismissal)": DismissalReason,
}


def write_template(path: Path, version: AdoptedVersion) -> list[Path]:
    """An .xlsx at ``path``, or for a .csv path one CSV per sheet beside it, offering
    the posts of ``version`` (the one in force today)."""
    if path.suffix.lower() == ".csv":
        written = []
        for kind in SheetKind:
            target = path.with_name(f"{path.stem}-{kind.value}.csv")
            _csv(target, kind, version)
            written.append(target)
        return written
    _xlsx(path, version)
    return [path]


def _rows(kind: SheetKind, version: AdoptedVersion) -> list[list[Any]]:
    """The examples; the hire in the version's lowest post (as the default scheme's example
    hires a 助理), on a date the version is in force, and appraised that year."""
    codes = [c.code for c in COLUMNS[kind]]
    hired = max(date(2020, 3, 1), version.effective_date)
    dated = {
        "post": version.policy.posts[-1].label_zh,
        "effective_date": hired.isoformat(),
        "year": hired.year,
    }
    rows = []
    for example in EXAMPLES[kind]:
        found = {**example, **{k: v for k, v in dated.items() if k in example}}
        rows.append([found.get(code) for code in codes])
    return rows


def _csv(path: Path, kind: SheetKind, version: AdoptedVersion) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow([c.header for c in COLUMNS[kind]])
        writer.writerows(["" if v is None else v for v in row] for row in _rows(kind, version))


def _xlsx(path: Path, version: AdoptedVersion) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    empty = book.active
    for kind in SheetKind:
        sheet = book.create_sheet(SHEET_TITLES[kind])
        sheet.append([c.header for c in COLUMNS[kind]])
        for row in _rows(kind, version):
            sheet.append(row)
        _text_columns(sheet, kind)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    values = book.create_sheet("取值 values")
    values.append(["列 column", "代码 code", "中文 label"])
    first = values.max_row + 1
    policy = version.policy
    for post in policy.posts:
        values.append(["post", post.code, post.label_zh])
    _post_choices(book[SHEET_TITLES[SheetKind.WORKERS]], policy, first, values.max_row)
    for column, enum in VALUES.items():
        for member in enum:
            values.append([column, member.value, member.label])
    if empty is not None:
        book.remove(empty)
    book.save(path)


def _post_choices(sheet: Any, policy: Policy, first: int, last: int) -> None:
    """The post column: a drop-down of the policy's Chinese labels (rows ``first`` to
    ``last`` of the values sheet), and a note naming the policy. A code typed instead is
    read too, so the list warns rather than refuses."""
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    index = next(n for n, c in enumerate(COLUMNS[SheetKind.WORKERS], 1) if c.code == "post")
    letter = get_column_letter(index)
    listed = ", ".join(f"{p.label_zh} {p.code}" for p in policy.posts)
    note = f"岗位 posts of policy {policy.policy_id}: {listed}"
    sheet[f"{letter}1"].comment = Comment(note, "ledger")
    choices = DataValidation(
        type="list",
        formula1=f"'取值 values'!$C${first}:$C${last}",
        allow_blank=True,
        errorStyle="warning",
        error=f"not a post of policy {policy.policy_id} ({listed})",
        prompt=listed,
    )
    choices.add(f"{letter}2:{letter}10000")
    sheet.add_data_validation(choices)


def _text_columns(sheet: Any, kind: SheetKind) -> None:
    """Keys and ID numbers as text: Excel would turn 0001 into 1 and round 18 digits."""
    from openpyxl.utils import get_column_letter

    text: Sequence[str] = ("unit_key", "parent_key", "worker_key", "id_number")
    for index, column in enumerate(COLUMNS[kind], start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column.header) + 4)
        if column.code in text:
            for (cell,) in sheet.iter_rows(min_col=index, max_col=index, min_row=2):
                cell.number_format = "@"
