"""``ledger import``: load a district's units and workers' history from .xlsx or .csv files.

Problems go to standard error, one line each (sheet, row, column, what is wrong, what
was expected), and with ``--errors FILE`` also to a CSV a clerk can open; then the
command exits 1 having recorded nothing. See docs/import.md.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from cli.common import CliError, load_settings, open_for_serving, user_errors
from cli.progress import in_stages
from ledger.importing import Aborted, FileProblem, ImportResult, Problem, import_files
from ledger.importing.template import write_template
from ledger.settings import Settings


def import_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="The .xlsx workbook, or .csv files (one sheet each).", show_default=False
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row; record nothing.")
    ] = False,
    template: Annotated[
        Path | None,
        typer.Option(help="Write the template (.xlsx, or two .csv for a .csv name) and stop."),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(help="The CSV files' encoding [default: UTF-8 if it reads, else GB18030]"),
    ] = None,
    district: Annotated[
        str | None,
        typer.Option(help="The district's key, when the file has no 区 district row."),
    ] = None,
    errors: Annotated[
        Path | None, typer.Option(help="Also write the problems to this CSV file.")
    ] = None,
) -> None:
    """Import units with their quotas and workers with their history, all or nothing."""
    err = Console(stderr=True, highlight=False)
    settings = load_settings()
    if template is not None:
        _template(err, settings, template)
        return
    if not files:
        raise typer.BadParameter("give the file(s) to import, or --template FILE")
    with user_errors(settings):
        ledger = open_for_serving(settings)
        try:
            # One bar per stage: reading each sheet, checking, recording.
            with in_stages(err, width=24) as stages:
                result = import_files(
                    ledger,
                    files,
                    dry_run=dry_run,
                    encoding=encoding,
                    district=district,
                    progress=stages,
                )
        except (FileProblem, Aborted) as error:
            raise CliError(str(error)) from None
        finally:
            ledger.close()
    _report(err, result, dry_run, errors)


def _template(err: Console, settings: Settings, path: Path) -> None:
    """The template offers the posts of the ledger's policy in force today."""
    with user_errors(settings):
        ledger = open_for_serving(settings)
        try:
            version = ledger.schedule().version_on(date.today())
        finally:
            ledger.close()
        for written in write_template(path, version):
            err.print(f"wrote the import template {escape(str(written))}", soft_wrap=True)


def _report(err: Console, result: ImportResult, dry_run: bool, errors: Path | None) -> None:
    for sheet in result.ignored_sheets:
        err.print(f"sheet {escape(sheet)}: not a units or workers sheet, ignored", soft_wrap=True)
    if errors is not None:
        _write_problems(errors, result.problems)
    if result.problems:
        for problem in result.problems:
            err.print(escape(problem.line()), soft_wrap=True)
        rows = len({(p.sheet, p.row) for p in result.problems})
        err.print(
            f"[bold red]{len(result.problems)} problem(s) in {rows} row(s) of "
            f"{result.rows}: nothing was imported.[/]",
            soft_wrap=True,
        )
        raise typer.Exit(1)
    counts = result.counts
    verb = "would record" if dry_run else "recorded"
    err.print(
        f"{result.rows} rows: {counts['units']} units, {counts['approvals']} quota approvals, "
        f"{counts['counts']} unit counts, "
        f"{counts['workers']} workers, {counts['facts']} facts; {counts['units_known']} units, "
        f"{counts['workers_known']} workers and {counts['facts_known']} facts were already "
        f"recorded. {verb.capitalize()} {counts['events']} events"
        + (" (dry run: nothing recorded)." if dry_run else f" in {counts['saves']} saves."),
        soft_wrap=True,
    )


def _write_problems(path: Path, problems: list[Problem]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(
            file, ["sheet", "row", "column", "problem", "expected"], lineterminator="\r\n"
        )
        writer.writeheader()
        writer.writerows(p.as_row() for p in problems)
