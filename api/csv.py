"""CSV answers for reports: UTF-8 with a BOM, so spreadsheet programs read Chinese text.

Rows are mappings; ``columns`` names the keys to write, in order, and is the
header. Codes and their Chinese labels are simply two columns (``post``,
``post_label``). Nested values (``by_post``) are flattened by the caller.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
_CHUNK_ROWS = 500


def wants_csv(request: Request) -> bool:
    """The client asked for ``Accept: text/csv``."""
    accept = request.headers.get("accept", "")
    return any(part.split(";")[0].strip() == "text/csv" for part in accept.split(","))


def csv_lines(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> Iterator[str]:
    """The BOM and header, then the rows, a few hundred per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
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
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str], filename: str
) -> StreamingResponse:
    """Streamed as the rows come, so a large report never sits whole in memory."""
    return StreamingResponse(
        (chunk.encode("utf-8") for chunk in csv_lines(rows, columns)),
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
