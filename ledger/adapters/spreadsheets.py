"""Tables as .xlsx workbooks, with bilingual headers ("姓名 name"), for clerks' spreadsheets.

The HTTP API's reports (api/csv.py negotiates the format) and ``ledger export`` both
write through here. A header is the column's Chinese title and its code, the form the
importer also reads; code and label columns (``post``, ``post_label``) stay side by
side as in CSV. Workbooks are written in openpyxl's write-only mode, row by row.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import IO, Any
from uuid import UUID

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The Chinese title of each report column; a code without one is shown alone.
TITLES = {
    "worker_id": "人员ID",
    "name": "姓名",
    "unit_id": "单位ID",
    "unit_name": "单位名称",
    "parent_id": "上级单位ID",
    "kind": "单位类型",
    "class": "类别",
    "post": "岗位",
    "grade": "等级",
    "new_grade": "晋档后等级",
    "education": "学历",
    "certificate": "证书等级",
    "status": "状态",
    "hire_date": "入职日期",
    "coefficient": "岗位等级系数",
    "base": "基数",
    "allowance": "证书津贴",
    "total": "月应发",
    "city_share": "市级承担",
    "local_share": "街道社区承担",
    "policy_version": "政策版本",
    "performance_rating": "绩效考核等次",
    "basic": "基本报酬",
    "performance": "绩效报酬",
    "approved_quota": "核定员额",
    "headcount": "在岗人数",
    "headroom": "空余员额",
    "director_headcount": "主管人数",
    "deputy_director_headcount": "副主管人数",
    "officer_headcount": "主办人数",
    "assistant_headcount": "助理人数",
    "quota_review_due": "员额复核到期",
    "subtree_units": "下辖单位数",
    "subtree_approved_quota": "下辖核定员额",
    "subtree_headcount": "下辖在岗人数",
    "subtree_headroom": "下辖空余员额",
    "effective_date": "生效日期",
    "caused_by": "依据考核",
    "since": "起始日期",
    "excellent_years": "优秀年度",
    "due_date": "应办日期",
    "overdue": "已逾期",
    "unqualified_years": "不称职年度",
}


def header(code: str) -> str:
    if code.endswith("_label"):
        base = TITLES.get(code.removesuffix("_label"))
        return f"{base}(中文) {code}" if base else code
    return f"{TITLES[code]} {code}" if code in TITLES else code


@dataclass(frozen=True)
class Table:
    title: str  # the sheet's name (Excel allows 31 characters)
    headers: Sequence[str]
    columns: Sequence[str]  # the row keys, in the headers' order
    rows: Iterable[Mapping[str, Any]]

    @classmethod
    def report(cls, title: str, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Table:
        return cls(title, [header(c) for c in columns], columns, rows)


def write(tables: Iterable[Table], target: Path | IO[bytes]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(table.title[:31])
        bold = []
        for text in table.headers:
            cell = _cell(sheet, text)
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        sheet.freeze_panes = "A2"
        for row in table.rows:
            sheet.append([_cell(sheet, row.get(c)) for c in table.columns])
    book.save(target)


def xlsx_bytes(tables: Iterable[Table]) -> bytes:
    buffer = io.BytesIO()
    write(tables, buffer)
    return buffer.getvalue()


def _cell(sheet: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, Enum):
        value = value.value
    elif isinstance(value, UUID):
        value = str(value)
    elif isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    elif value is not None and not isinstance(value, str | int | float | Decimal | date | datetime):
        value = str(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # Text, never a formula: a cell starting with "=" would be run by the program.
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    elif isinstance(value, date) and not isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd"
    return cell
