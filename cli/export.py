"""``ledger export roster|payroll``: the reports as .xlsx or CSV files, for clerks to check
an import against their old spreadsheet.

The roster's .xlsx also holds the units and workers sheets of the import format (the
whole recorded history of its units' workers): it imports into a fresh ledger as the
same units and workers, with the same ids.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer

from cli.common import CliError, load_settings, parse_unit, stderr, user_errors
from ledger.adapters import spreadsheets
from ledger.adapters.spreadsheets import Table
from ledger.application import Ledger
from ledger.importing.export import history_tables
from ledger.runtime import build_ledger
from projections.projector import Projector
from projections.queries import payroll, roster
from projections.sql import ReadStore

export_app = typer.Typer(help="Reports as .xlsx or CSV files.", no_args_is_help=True)

Unit = Annotated[
    str | None, typer.Option("--unit", help="A unit id: its subtree only [default: every unit]")
]
Xlsx = Annotated[Path | None, typer.Option("--xlsx", help="Write an .xlsx workbook here.")]
Csv = Annotated[Path | None, typer.Option("--csv", help="Write a CSV file (UTF-8, BOM) here.")]


@contextmanager
def _reading() -> Iterator[tuple[Ledger, ReadStore]]:
    """The ledger and its read models, caught up with every recorded event."""
    settings = load_settings()
    with user_errors(settings):
        ledger = build_ledger(settings)
        store = ReadStore(settings.database_url)
        try:
            Projector(ledger, store).catch_up()
            yield ledger, store
        finally:
            store.close()
            ledger.close()


@export_app.command("roster")
def export_roster(
    as_of: Annotated[
        str | None, typer.Option(help="The roster on this date, YYYY-MM-DD [default: today]")
    ] = None,
    unit: Unit = None,
    xlsx: Xlsx = None,
    csv_file: Csv = None,
) -> None:
    """Every worker's state on a date; the .xlsx adds the import sheets of their history."""
    with _reading() as (ledger, store):
        day, root = _date(as_of), _unit(unit)
        _targets(xlsx, csv_file)
        where = roster.RosterFilter(as_of=day, root=root, schedule=ledger.schedule())
        rows = roster.every(store, where)
        if xlsx is not None:
            roots = [UUID(root)] if root else ledger.directory().roots
            tables = [Table.report("花名册 roster", roster.COLUMNS, rows)]
            spreadsheets.write([*tables, *history_tables(ledger, roots)], xlsx)
            _wrote(xlsx)
        if csv_file is not None:
            _write_csv(csv_file, roster.COLUMNS, roster.every(store, where))
            _wrote(csv_file)


@export_app.command("payroll")
def export_payroll(
    month: Annotated[str, typer.Option(help="The month paid, YYYY-MM")],
    unit: Unit = None,
    xlsx: Xlsx = None,
    csv_file: Csv = None,
) -> None:
    """A month's payroll lines with their city and local shares."""
    with _reading() as (ledger, store):
        root = _unit(unit)
        _targets(xlsx, csv_file)
        paid = payroll.parse_month(month)
        lines = payroll.lines(store, root, paid, ledger.schedule())
        if xlsx is not None:
            spreadsheets.write([Table.report(f"工资 payroll {paid}", payroll.COLUMNS, lines)], xlsx)
            _wrote(xlsx)
        if csv_file is not None:
            _write_csv(csv_file, payroll.COLUMNS, lines)
            _wrote(csv_file)


def _targets(xlsx: Path | None, csv_file: Path | None) -> None:
    if xlsx is None and csv_file is None:
        raise CliError("say where to write: --xlsx FILE, --csv FILE or both")


def _date(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--as-of {text!r} is not a date (YYYY-MM-DD)") from None


def _unit(text: str | None) -> str | None:
    found = parse_unit(text)
    return str(found) if found else None


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows([_text(r.get(c)) for c in columns] for r in rows)


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    # As api/csv.py: a cell starting like a formula would be run by a spreadsheet program.
    if text[:1] in ("=", "+", "-", "@") and not text.lstrip("+-").replace(".", "", 1).isdigit():
        return "'" + text
    return text


def _wrote(path: Path) -> None:
    stderr().print(f"wrote {path}", soft_wrap=True)
