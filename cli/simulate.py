"""``ledger simulate``: replay the history under a draft policy and compare with the adopted one.

Progress and the summary table go to standard error (they are for people); ``--json``
prints the whole answer on standard output and ``--csv`` writes one line per differing
worker. Every differing worker is spooled to a temporary folder while the history is
replayed, so memory stays bounded whatever the size of the province.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.csv import csv_lines
from cli.common import CliError, fail, load_settings, parse_unit, user_errors
from cli.progress import counting
from domain.errors import PolicyInvalid
from domain.policy import load_document
from ledger.runtime import build_ledger
from projections.simulation import Draft, Outcome, report, spool_folder, subtree
from projections.simulation import simulate as run_simulation
from projections.sql import ReadStore

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
TOP_UNITS = 10


def simulate(
    policy_file: Annotated[
        str,
        typer.Argument(
            metavar="POLICY_FILE",
            help="The draft: a policy document (JSON), or a shipped pack's id.",
        ),
    ],
    from_month: Annotated[str, typer.Option("--from", help="The first month compared, YYYY-MM.")],
    to_month: Annotated[str, typer.Option("--to", help="The last month compared, YYYY-MM.")],
    unit: Annotated[
        str | None, typer.Option("--unit", help="Only this unit's subtree (a unit id).")
    ] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="Write one line per differing worker (UTF-8 with BOM)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole answer as JSON on standard output.")
    ] = False,
    processes: Annotated[
        int | None, typer.Option(min=1, help="Processes to replay in; default one per core.")
    ] = None,
) -> None:
    """Replay every worker's history under a draft policy and compare it with the adopted one.

    Recorded facts stay; the three-year steps, a grade the policy gave at hire and everything
    computed (grades, flags, pay, funding, computed quota) are derived again under each.
    Nothing is recorded.
    """
    err = Console(stderr=True, highlight=False)
    for name, month in (("--from", from_month), ("--to", to_month)):
        if not _MONTH.fullmatch(month):
            fail(f"{name} {month!r} is not a month written YYYY-MM")
    if to_month < from_month:
        fail(f"--to {to_month} comes before --from {from_month}")
    settings = load_settings()
    with user_errors(settings):
        unit_id = parse_unit(unit)
        try:
            draft = Draft.from_document(load_document(policy_file))
        except PolicyInvalid as error:
            err.print(f"[bold red]error:[/] {escape(policy_file)} is not a valid policy:")
            for problem in error.problems:
                err.print(f"  - {escape(problem)}", soft_wrap=True)
            raise typer.Exit(1) from None
        ledger = build_ledger(settings)
        store = _read_models(settings.database_url)
        folder = spool_folder()
        try:
            if ledger.is_empty():
                raise CliError("the ledger is empty: there is no history to replay")
            scope = subtree(ledger, unit_id) if unit_id else None  # an unknown unit: refused
            head = ledger.recorder.max_notification_id() or 0
            with counting(err, "simulating", "events", head) as bar:
                outcome = run_simulation(
                    ledger,
                    draft,
                    from_month,
                    to_month,
                    scope=scope,
                    spool_dir=Path(folder.name),
                    processes=processes or os.cpu_count() or 1,
                    progress=bar.advance,
                    store=store,
                )
            elapsed = bar.elapsed
            summary = {**report.summary(outcome, draft.describe()), "unit_id": unit}
            _print_summary(err, summary)
            if outcome.setwise:
                err.print(
                    f"a pay-only draft, priced from the stored careers in {elapsed:.1f} s; "
                    "nothing was recorded"
                )
            elif outcome.career_facts:
                err.print(
                    f"{outcome.events_read} events' careers replayed from the recorded facts the "
                    f"read models keep in {elapsed:.1f} s; nothing was recorded"
                )
            else:
                err.print(
                    f"{outcome.events_read} events replayed in {elapsed:.1f} s "
                    f"({outcome.events_read / elapsed:,.0f} events/s); nothing was recorded"
                )
            if csv_file is not None:
                with csv_file.open("w", encoding="utf-8", newline="") as out:
                    rows = (report.csv_row(found) for found in outcome.workers())
                    for chunk in csv_lines(rows, report.CSV_COLUMNS):
                        out.write(chunk)
                err.print(f"wrote {summary['totals']['workers_affected']} workers to {csv_file}")
            if as_json:
                _write_json(sys.stdout, summary, outcome)
        finally:
            folder.cleanup()
            if store is not None:
                store.close()
            ledger.close()


def _read_models(database_url: str) -> ReadStore | None:
    """The read models beside the events (a pay-only draft is priced from them when they
    hold every event); none for the in-memory store, whose read models live in a server."""
    if not database_url.startswith(("sqlite", "postgres")):
        return None
    return ReadStore(database_url)


def _print_summary(err: Console, summary: dict[str, Any]) -> None:
    totals = summary["totals"]
    policy = summary["policy"]
    since = policy["in_force_from"] or "the start"
    table = Table(
        title=f"{policy['id']} (in force from {since}) against the adopted policy, "
        f"{summary['from_month']} to {summary['to_month']}",
        title_justify="left",
    )
    for heading in ("", "adopted", "draft", "difference"):
        table.add_column(heading, justify="left" if not heading else "right")
    for key, label in (
        ("total", "pay 工资"),
        ("city_share", "city 市级"),
        ("local_share", "local 区级"),
    ):
        table.add_row(
            label, totals["adopted"][key], totals["draft"][key], totals["difference"][key]
        )
    quota = totals["quota"]
    table.add_row(
        "computed quota 核定员额",
        str(quota["computed_adopted"] or "-"),
        str(quota["computed_draft"] or "-"),
        str((quota["computed_draft"] or 0) - (quota["computed_adopted"] or 0)),
    )
    err.print(table)
    err.print(
        f"workers compared {totals['workers_compared']}, affected {totals['workers_affected']} "
        f"(gaining {totals['workers_gaining']}, losing {totals['workers_losing']})"
    )
    moved = [u for u in summary["units"] if u["workers_affected"]]
    moved.sort(key=lambda u: -abs(float(u["difference"]["total"])))
    if moved:
        units = Table(title=f"units with the largest differences (of {len(moved)})")
        for heading in ("unit", "workers affected", "adopted", "draft", "difference"):
            units.add_column(heading, justify="left" if heading == "unit" else "right")
        for u in moved[:TOP_UNITS]:
            units.add_row(
                u["name"],
                str(u["workers_affected"]),
                u["adopted"]["total"],
                u["draft"]["total"],
                u["difference"]["total"],
            )
        err.print(units)


def _write_json(out: IO[str], summary: dict[str, Any], outcome: Outcome) -> None:
    """The summary, then the workers one at a time: the answer is never whole in memory."""
    head = json.dumps(summary, ensure_ascii=False)
    out.write(head[:-1] + ', "items": [')
    for index, found in enumerate(outcome.workers()):
        out.write(("," if index else "") + json.dumps(report.worker(found), ensure_ascii=False))
    out.write("]}\n")
    out.flush()
