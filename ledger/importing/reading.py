"""Streaming the rows of .xlsx and .csv files, one sheet at a time.

An .xlsx file is read by openpyxl in read-only mode (rows are parsed as they are
asked for, so a large workbook never sits whole in memory). A .csv file is one
sheet, named after the file; its encoding is UTF-8 (with or without a BOM) or
GB18030, the encoding Chinese spreadsheet programs save "CSV" in, found by trying
UTF-8 over the whole file first (GB18030 decodes almost any bytes, UTF-8 does not).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.importing.cells import blank

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # the binary .xls of Excel 97-2003
_CHUNK = 1 << 20


class FileProblem(Exception):
    """The file cannot be read at all: one message, nothing imported."""


@dataclass
class Sheet:
    name: str
    header: tuple[Any, ...]
    rows: Iterator[tuple[int, tuple[Any, ...]]]  # (row number as the user sees it, cells)
    total: int | None  # data rows, when the file says


def sheets(path: Path, encoding: str | None = None) -> Iterator[Sheet]:
    """Every sheet of ``path`` in file order; rows stream as they are consumed."""
    try:
        with path.open("rb") as file:
            magic = file.read(4)
    except OSError as error:
        raise FileProblem(f"cannot read {path}: {error.strerror or error}") from None
    if magic == _OLE:
        raise FileProblem(f"{path.name} is an Excel 97-2003 .xls file: save it as .xlsx or CSV")
    if magic == _ZIP:
        yield from _workbook(path)
    else:
        yield _csv(path, encoding or detect_encoding(path))


def _workbook(path: Path) -> Iterator[Sheet]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise FileProblem(f"{path.name} is not a readable .xlsx workbook: {error}") from None
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            total = sheet.max_row - 1 if sheet.max_row else None
            yield Sheet(sheet.title, tuple(header), _numbered(rows), total)
    finally:
        book.close()


def _numbered(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for number, row in enumerate(rows, start=2):
        if not all(blank(cell) for cell in row):
            yield number, row


def detect_encoding(path: Path) -> str:
    """utf-8-sig with a BOM; utf-8 if every byte decodes as UTF-8; else gb18030."""
    with path.open("rb") as file:
        if file.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
        file.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := file.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _csv(path: Path, encoding: str) -> Sheet:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise FileProblem(f"unknown encoding {encoding!r}: use utf-8 or gb18030") from None
    file = path.open(encoding=encoding, newline="", errors="strict")
    try:
        first = file.readline()
    except UnicodeDecodeError:
        file.close()
        raise FileProblem(f"{path.name} is not {encoding}: pass --encoding") from None
    # Some programs save "CSV" separated by tabs; a header tells which.
    delimiter = "\t" if "\t" in first and "," not in first else ","
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    return Sheet(path.name, tuple(header), _csv_rows(file, delimiter, path.name, encoding), None)


def _csv_rows(
    file: io.TextIOWrapper, delimiter: str, name: str, encoding: str
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    with file:
        try:
            for number, row in enumerate(csv.reader(file, delimiter=delimiter), start=2):
                if not all(blank(cell) for cell in row):
                    yield number, tuple(row)
        except UnicodeDecodeError:
            raise FileProblem(f"{name} is not {encoding}: pass --encoding") from None
        except csv.Error as error:
            raise FileProblem(f"{name} is not a readable CSV file: {error}") from None
