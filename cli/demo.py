"""``ledger demo``: load the demo district through the ledger's own commands."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import typer
from eventsourcing.utils import get_topic
from rich.console import Console
from rich.table import Table

from cli.common import CliError, load_settings, redact, secret, stderr, user_errors
from cli.progress import in_stages
from domain.unit import Unit
from domain.vocabulary import Channel, DismissalReason, Role
from ledger.runtime import open_ledger
from seed.demo import DEFAULT_SEED, DEFAULT_WORKERS, DemoSummary, estimated_commands, load_demo

if TYPE_CHECKING:
    from ledger.application import Ledger


DEMO_PERSON = "admin"  # the first person account, an admin, to sign in to the console


def holds_units(ledger: Ledger) -> bool:
    """Whether any unit was ever registered in the ledger."""
    found = ledger.recorder.select_notifications(
        start=None, limit=1, topics=[get_topic(vars(Unit)["Registered"])]
    )
    return bool(found)


def demo(
    if_empty: Annotated[
        bool,
        typer.Option("--if-empty", help="Do nothing (successfully) if the ledger holds units."),
    ] = False,
    workers: Annotated[
        int, typer.Option(min=1, help="How many community workers to hire.")
    ] = DEFAULT_WORKERS,
    seed: Annotated[int, typer.Option(help="Seed of the generator: same seed, same facts.")] = (
        DEFAULT_SEED
    ),
) -> None:
    """Load the demo district (包河区: 13 street offices, ~3,000 workers, 2020-2025).

    Every fact goes through the ledger's commands, so every rule is checked. Prints a
    fresh admin token on standard output, progress and a summary on standard error, with
    the console's address and a first person account ('admin', a one-time password).
    """
    settings = load_settings()
    err = stderr()
    with user_errors(settings):
        ledger, _ = open_ledger(settings)
        try:
            if holds_units(ledger):
                if if_empty:
                    err.print(
                        f"The ledger at {redact(settings.database_url)} already holds units: "
                        "the demo is not loaded again.",
                        soft_wrap=True,
                    )
                    return
                raise CliError(
                    f"the ledger at {redact(settings.database_url)} already holds units; the "
                    "demo loads only into an empty ledger (point LEDGER_DATABASE_URL at a "
                    "fresh store, or pass --if-empty to skip quietly)"
                )
            started = time.monotonic()
            summary = _load_with_progress(ledger, workers=workers, seed=seed, console=err)
            elapsed = time.monotonic() - started
            token = ledger.create_token("demo-admin", Role.ADMIN)
            person = ledger.create_account(DEMO_PERSON, Role.ADMIN)
            events = ledger.recorder.max_notification_id() or 0
        finally:
            ledger.close()
    secret(token)
    _print_summary(err, summary, events=events, elapsed=elapsed, url=settings.database_url)
    err.print(
        f"Console: http://{settings.host}:{settings.port}/ (after 'ledger serve'); sign in as "
        f"'{DEMO_PERSON}' with the one-time password {person} (shown once; you choose your "
        "own at first sign-in).",
        soft_wrap=True,
    )


def _load_with_progress(
    ledger: Ledger, *, workers: int, seed: int, console: Console
) -> DemoSummary:
    with in_stages(console, width=16, counted="commands") as stages:
        total = estimated_commands(workers)
        stages.start("units and quotas", total)

        def report(done: int, what: str) -> None:
            if what == "done":
                stages.reach(done, "done")
                stages.finish()
            else:
                stages.reach(min(done, total - 1), what)

        return load_demo(ledger, workers=workers, seed=seed, progress=report)


def _print_summary(
    console: Console, summary: DemoSummary, *, events: int, elapsed: float, url: str
) -> None:
    counts = summary.counts
    table = Table(title=f"Demo district 包河区 loaded into {redact(url)}", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    rows = [
        ("units", f"{summary.units} (district, 13 street offices, communities)"),
        (
            "approved quota",
            f"{summary.approved_quota_2020} in 2020 (包编〔2020〕12号), "
            f"{summary.approved_quota_now} after the 2023 review",
        ),
        (
            "workers hired",
            f"{summary.workers}: "
            + ", ".join(
                f"{Channel(k).label} {v}" for k, v in summary.hires_by_channel.most_common()
            ),
        ),
        ("in post at the end", f"{summary.active_at_end} (as of {summary.end_date})"),
        (
            "appraisals",
            f"{counts['appraised']} for 2021-2025, {counts['appraisal_corrected']} corrected",
        ),
        ("three-year steps", f"{counts['grade_stepped']} applied in the January runs 2022-2025"),
        (
            "post changes",
            f"{counts['post_election']} by election (2021 换届 and by-elections), "
            f"{counts['post_promotion']} promotions, {counts['post_reassignment']} reassignments",
        ),
        (
            "other facts",
            f"{counts['transferred']} transfers, {counts['education_upgraded']} education "
            f"upgrades, {counts['certificate_obtained']} certificates",
        ),
        (
            "left",
            ", ".join(
                f"{DismissalReason(k).label} {v}"
                for k, v in summary.dismissals_by_reason.most_common()
            ),
        ),
        (
            "left for you",
            f"{summary.steps_due_at_end} workers with a step due 2026-01-01, "
            f"{summary.promotion_candidates_at_end} promotion candidates, "
            f"{summary.dismissals_required_at_end} dismissals required",
        ),
        ("recorded", f"{events} events from {summary.commands} commands in {elapsed:.1f} s"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    console.print(
        "The line on standard output is a fresh admin token (shown once). "
        "Start the API with 'ledger serve'.",
        soft_wrap=True,
    )
