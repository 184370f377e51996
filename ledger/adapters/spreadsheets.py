"""Tables as .xlsx workbooks, with bilingual headers ("姓名 name"), for clerks' spreadsheets.

The HTTP API's reports (api/csv.py negotiates the format) and ``ledger export`` both
write through here. A header is the column's Chinese title (the catalogue's
``header.<code>``, domain/locales) and its code, the form the
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

from domain import catalogue
from domain.catalogue import ZH

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def header(code: str, locale: str = ZH, titles: Mapping[str, str] | None = None) -> str:
    """A column's header: its title in the catalogue (``header.<code>``) and its code,
    "姓名 name"; a label column is its code's title marked as the Chinese one,
    "岗位(中文) post_label". In English, and for a code without a title, the code alone.
    ``titles``: the Chinese titles of columns the catalogue cannot know (a post's
    headcount, named by the policy in force: "社区正职人数 head_headcount")."""
    if locale != ZH:
        return code
    if titles and code in titles:
        return f"{titles[code]} {code}"
    titles = catalogue.entries(ZH)
    if code.endswith("_label"):
        base = titles.get(f"header.{code.removesuffix('_label')}")
        return f"{base}(中文) {code}" if base else code
    title = titles.get(f"header.{code}")
    return f"{title} {code}" if title else code


@dataclass(frozen=True)
class Table:
    title: str  # the sheet's name (Excel allows 31 characters)
    headers: Sequence[str]
    columns: Sequence[str]  # the row keys, in the headers' order
    rows: Iterable[Mapping[str, Any]]

    @classmethod
    def report(
        cls,
        title: str,
        columns: Sequence[str],
        rows: Iterable[Mapping[str, Any]],
        titles: Mapping[str, str] | None = None,
    ) -> Table:
        return cls(title, [header(c, ZH, titles) for c in columns], columns, rows)


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
