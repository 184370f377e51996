"""CSV and .xlsx answers for reports: the one place a table's format is negotiated.

``Accept: text/csv`` gives UTF-8 with a BOM, so spreadsheet programs read Chinese
text; ``Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet``
gives a workbook (ledger/adapters/spreadsheets.py) whose headers are bilingual
("岗位 post"). Rows are mappings; ``columns`` names the keys to write, in order, and is
the CSV's header, or with ``bilingual`` the workbook's "岗位 post" form, each column's
Chinese title from the catalogue (``header.<code>``) before its code, which stays the
header's last word. Codes and their Chinese labels are simply two columns (``post``,
``post_label``). Nested values (``by_post``) are flattened by the caller.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from domain.catalogue import ZH
from ledger.adapters.spreadsheets import XLSX_MEDIA_TYPE, Table, header, xlsx_bytes

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
# For an endpoint's OpenAPI ``responses[200]["content"]``: the tables it can answer.
TABLE_CONTENT: dict[str, dict[str, Any]] = {"text/csv": {}, XLSX_MEDIA_TYPE: {}}
BOM = "\ufeff"
_CHUNK_ROWS = 500


def wants_csv(request: Request) -> bool:
    """The client asked for ``Accept: text/csv``."""
    return "text/csv" in _accepted(request)


def wants_xlsx(request: Request) -> bool:
    return XLSX_MEDIA_TYPE in _accepted(request)


def _accepted(request: Request) -> list[str]:
    accept = request.headers.get("accept", "")
    return [part.split(";")[0].strip() for part in accept.split(",")]


def table_response(
    request: Request,
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    name: str,
    *,
    bilingual: bool = False,
    titles: Mapping[str, str] | None = None,
) -> Response | None:
    """The rows as the table the client asked for (.xlsx or CSV, named ``name`` plus
    the extension), or None when it asked for JSON. ``bilingual``: the CSV's header is
    the workbook's "姓名 name". ``titles``: Chinese titles of columns the catalogue does
    not know (``ledger.adapters.spreadsheets.header``)."""
    if wants_xlsx(request):
        return xlsx_response(rows, columns, f"{name}.xlsx", titles)
    if wants_csv(request):
        return csv_response(rows, columns, f"{name}.csv", bilingual=bilingual, titles=titles)
    return None


def xlsx_response(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    filename: str,
    titles: Mapping[str, str] | None = None,
) -> Response:
    """One sheet, written whole: a workbook is a zip file, complete only at its end."""
    sheet = Table.report(filename.rsplit(".", 1)[0], columns, rows, titles)
    return Response(
        xlsx_bytes([sheet]),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def csv_lines(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    bilingual: bool = False,
    titles: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """The BOM and header, then the rows, a few hundred per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header(c, ZH, titles) for c in columns] if bilingual else columns)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow(["" if row.get(c) is None else _cell(row[c]) for c in columns])
        if count % _CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


def csv_response(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    filename: str,
    *,
    bilingual: bool = False,
    titles: Mapping[str, str] | None = None,
) -> StreamingResponse:
    """Streamed as the rows come, so a large report never sits whole in memory."""
    return StreamingResponse(
        (chunk.encode("utf-8") for chunk in csv_lines(rows, columns, bilingual, titles)),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _cell(value: Any) -> str:
    text = str(value)
    # A cell starting like a formula is run by spreadsheet programs: quote it as text.
    if text[:1] in ("=", "+", "-", "@") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
