"""``ledger generate``: a deterministic province-sized history for benchmarks."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.console import Console

from cli.common import load_settings, user_errors
from cli.progress import counting
from ledger.runtime import open_ledger
from seed.generate import generate as generate_history


def generate(
    workers: Annotated[int, typer.Option(min=1, help="Headcount to staff (seats filled).")],
    years: Annotated[int, typer.Option(min=1, max=40, help="Years of careers to record.")],
    seed: Annotated[int, typer.Option(help="The history is a function of the seed.")] = 2016,
    start_year: Annotated[int, typer.Option(help="The first year of the history.")] = 2016,
) -> None:
    """Record a generated history through the domain's rules, saved in large batches."""
    settings = load_settings()
    err = Console(stderr=True)
    with user_errors(settings):
        ledger, _ = open_ledger(settings)
        try:
            before = ledger.recorder.max_notification_id() or 0
            with counting(err, "generating", "workers", workers) as bar:
                summary = generate_history(
                    ledger,
                    workers=workers,
                    years=years,
                    seed=seed,
                    start_year=start_year,
                    run_id=f"generate-{uuid.uuid4()}",
                    progress=bar.advance,
                )
            elapsed = bar.elapsed
            events = (ledger.recorder.max_notification_id() or 0) - before
        finally:
            ledger.close()
    err.print(
        f"{events} events ({summary.workers} workers hired, {summary.units} units, "
        f"{events / max(workers * years, 1):.2f} events per worker-year) in {elapsed:.1f} s: "
        f"{events / elapsed:,.0f} events/s"
    )
