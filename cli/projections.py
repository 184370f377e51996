"""``ledger project`` and ``ledger projections status|rebuild``: the read models' commands."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Annotated

import psycopg
import typer
from eventsourcing import persistence
from rich.console import Console

from cli.common import load_settings, user_errors
from cli.progress import counting
from ledger.runtime import build_ledger
from projections.projector import Projector
from projections.sql import ReadStore
from projections.wakeup import Wakeup

# What a database restart or outage raises; anything else is a bug and stops the process.
STORE_ERRORS: tuple[type[Exception], ...] = (
    persistence.OperationalError,
    persistence.InterfaceError,
    psycopg.OperationalError,
    sqlite3.OperationalError,
)
RETRY_SECONDS = 2.0

projections_app = typer.Typer(
    help="The read models projected from the events.", no_args_is_help=True
)


@contextmanager
def _projector(batch_size: int = 2000) -> Iterator[Projector]:
    settings = load_settings()
    with user_errors(settings):
        # Never bootstrap here: the first admin token is for whoever serves the API,
        # and a projector starting first would swallow it.
        ledger = build_ledger(settings)
        store = ReadStore(settings.database_url)
        try:
            yield Projector(ledger, store, batch_size=batch_size)
        finally:
            store.close()
            ledger.close()


def _stderr() -> Console:
    return Console(stderr=True)


@projections_app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Answer as JSON.")] = False,
) -> None:
    """Where the projector is in the event log, and how far behind."""
    with _projector() as projector:
        found = projector.status()
    fields = {
        "position": found.position,
        "head": found.head,
        "lag_events": found.lag_events,
        "lag_seconds": round(found.lag_seconds, 3),
    }
    if as_json:
        typer.echo(json.dumps(fields))
    else:
        for name, value in fields.items():
            typer.echo(f"{name:<12} {value}")


@projections_app.command("rebuild")
def rebuild() -> None:
    """Project every event again from scratch; readers keep the old tables until it commits."""
    err = _stderr()
    with _projector() as projector:
        if projector.ledger.is_empty():
            err.print("the ledger is empty: nothing to rebuild")
            return
        head = projector.status().head
        with counting(err, "rebuilding", "events", head) as bar:
            total = projector.rebuild(bar.advance)
        elapsed = bar.elapsed
    err.print(f"{total} events in {elapsed:.1f} s: {total / elapsed:,.0f} events/s")


def project(
    interval: Annotated[
        float, typer.Option(min=0.05, help="Seconds between polls when caught up.")
    ] = 0.5,
    once: Annotated[bool, typer.Option("--once", help="Catch up once and stop.")] = False,
    batch_size: Annotated[
        int,
        typer.Option(
            min=1,
            help="Events per transaction; smaller batches keep each transaction short.",
        ),
    ] = 2000,
) -> None:
    """Run the projector: follow the event log and keep the read models up to date.

    One projector per ledger (PostgreSQL deployments run it as its own process). On
    PostgreSQL it wakes on the event store's notifications, polling at most every
    ``--interval``; on SQLite it polls.
    """
    err = _stderr()
    with _projector(batch_size) as projector:
        while projector.ledger.is_empty():  # the API bootstraps the ledger; wait for it
            if once:
                err.print("the ledger is empty: nothing to project yet")
                return
            time.sleep(interval)
        # Its own single-threaded process: a policy adoption's full re-derivation may fork.
        projector.rederive_processes = os.cpu_count() or 1
        err.print(f"projecting from position {projector.position()}")
        if projector.store.dialect == "postgres" and _autovacuum_off(projector.store):
            err.print(
                "warning: PostgreSQL runs with autovacuum off; the read models replace rows on "
                "every change, so their tables bloat and the reports slow down. Turn it on, or "
                "VACUUM the rm_* tables regularly."
            )
        with closing(Wakeup(projector.ledger, interval)) as wakeup:
            _follow(projector, wakeup, once=once, err=err)


def _autovacuum_off(store: ReadStore) -> bool:
    return str(store.query("SHOW autovacuum")[0][0]).lower() == "off"


REPORT_SECONDS = 10.0  # one line per this many seconds of work, not one per batch


def _follow(projector: Projector, wakeup: Wakeup, *, once: bool, err: Console) -> None:
    projected, reported = 0, time.monotonic()
    while True:
        try:
            projected += projector.catch_up()
        except STORE_ERRORS as error:
            if once:
                raise
            # The database restarted or is away: the batch rolled back. Keep the
            # process (its connections reconnect) and go on from the committed position.
            err.print(f"the store did not answer ({error}); retrying in {RETRY_SECONDS:g} s")
            time.sleep(RETRY_SECONDS)
            continue
        if projected and (once or time.monotonic() - reported >= REPORT_SECONDS):
            err.print(f"projected {projected} events, at {projector.position()}")
            projected, reported = 0, time.monotonic()
        if once:
            return
        wakeup.wait()
