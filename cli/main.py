"""The ``ledger`` command: serve the API, load the demo district, make access tokens.

Secrets go to standard output alone, one line, so they can be captured
(``TOKEN=$(ledger tokens create ...)``); everything meant for people (hints,
progress, summaries, errors) goes to standard error. A user's mistake ends with a
one-line message and exit status 1 (2 for a malformed command line), never a
traceback.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import typer
from eventsourcing.persistence import PersistenceError
from eventsourcing.utils import get_topic
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.tokens import ExpiresAt, ExpiresIn, expiry
from domain.errors import LedgerError
from domain.unit import Unit
from domain.vocabulary import Channel, DismissalReason, Role
from ledger.runtime import build_ledger, open_ledger
from ledger.settings import Settings
from seed.demo import DEFAULT_SEED, DEFAULT_WORKERS, DemoSummary, estimated_commands, load_demo

if TYPE_CHECKING:
    from ledger.application import Ledger

app = typer.Typer(
    name="ledger",
    help="The community-worker ledger (社区工作者员额与四岗十八级台账).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
tokens_app = typer.Typer(help="Access tokens for the HTTP API.", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")


def _stderr() -> Console:
    # Made per use so that it writes to whatever sys.stderr is now (tests swap it).
    return Console(stderr=True, highlight=False)


def _secret(text: str) -> None:
    """A secret, alone on its line, on standard output."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class CliError(Exception):
    """A mistake the user can fix; shown as one line, exit status 1."""


def redact(database_url: str) -> str:
    """The database URL without its password, for messages."""
    parts = urlsplit(database_url)
    if parts.password is None:
        return database_url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


@contextmanager
def _user_errors(settings: Settings | None = None) -> Iterator[None]:
    """Turn the refusals and failures a user can cause into a message and exit 1."""
    try:
        yield
    except CliError as error:
        _fail(str(error))
    except LedgerError as error:
        where = f" ({error.field})" if error.field else ""
        _fail(f"{error.detail}{where}")
    except PersistenceError as error:
        url = redact(settings.database_url) if settings else "the database"
        _fail(f"cannot use the store at {url}: {error or type(error).__name__}")


def _fail(message: str) -> None:
    _stderr().print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(1)


def load_settings() -> Settings:
    """The settings from ``LEDGER_*`` variables (and ``.env``), or a clear error."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"LEDGER_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in error.errors()
        )
        _fail(f"invalid settings: {problems}")
        raise  # pragma: no cover - _fail raises


# -- serve ------------------------------------------------------------------------------
def open_for_serving(settings: Settings) -> Ledger:
    """Open the ledger, bootstrapping it if empty, and announce a first admin token.

    On an empty ledger the first admin token is printed alone on standard output
    (with a hint on standard error), so a newcomer can start at once.
    """
    ledger, first_token = open_ledger(settings)
    if first_token is not None:
        _secret(first_token)
        _stderr().print(
            "A new, empty ledger: the line above is its first admin token. It is shown "
            "only this once; keep it and send it as 'Authorization: Bearer <token>'. "
            "Make more with 'ledger tokens create NAME --role ROLE'.",
            soft_wrap=True,
        )
    return ledger


def run_server(settings: Settings, ledger: Ledger) -> None:
    """Serve the HTTP API with uvicorn, in this process, on ``ledger``."""
    import uvicorn

    try:
        from api.app import create_app
    except ImportError as error:
        raise CliError(f"the HTTP API cannot be loaded: {error}") from error
    uvicorn.run(
        create_app(settings=settings, ledger=ledger),
        host=settings.host,
        port=settings.port,
        workers=1,
        log_config=_logs_to_stderr(),
    )


def _logs_to_stderr() -> dict[str, object]:
    """Uvicorn's logging, all on stderr: standard output carries only tokens,
    so ``TOKEN=$(ledger serve | head -1)`` and the demo script's output stay usable."""
    from copy import deepcopy

    from uvicorn.config import LOGGING_CONFIG

    config = deepcopy(LOGGING_CONFIG)
    for handler in config["handlers"].values():
        handler["stream"] = "ext://sys.stderr"
    return config


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface to listen on [default: LEDGER_HOST or 127.0.0.1]")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Port to listen on [default: LEDGER_PORT or 8000]"),
    ] = None,
) -> None:
    """Serve the HTTP API; on an empty ledger, print its first admin token first."""
    settings = load_settings()
    updates = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    settings = settings.model_copy(update=updates)
    with _user_errors(settings):
        ledger = open_for_serving(settings)
        _stderr().print(
            f"Serving the ledger at {redact(settings.database_url)} on "
            f"http://{settings.host}:{settings.port} (API docs at /docs)",
            soft_wrap=True,
        )
        try:
            run_server(settings, ledger)
        finally:
            ledger.close()


# -- demo ---------------------------------------------------------------------------------
def holds_units(ledger: Ledger) -> bool:
    """Whether any unit was ever registered in the ledger."""
    found = ledger.recorder.select_notifications(
        start=None, limit=1, topics=[get_topic(vars(Unit)["Registered"])]
    )
    return bool(found)


@app.command()
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
    fresh admin token on standard output, progress and a summary on standard error.
    """
    settings = load_settings()
    err = _stderr()
    with _user_errors(settings):
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
            events = ledger.recorder.max_notification_id() or 0
        finally:
            ledger.close()
    _secret(token)
    _print_summary(err, summary, events=events, elapsed=elapsed, url=settings.database_url)


def _load_with_progress(
    ledger: Ledger, *, workers: int, seed: int, console: Console
) -> DemoSummary:
    columns = (
        TextColumn("[bold]{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("commands"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        total = estimated_commands(workers)
        task = progress.add_task("units and quotas", total=total)

        def report(done: int, what: str) -> None:
            if what == "done":
                progress.update(task, total=done, completed=done, description="done")
            else:
                progress.update(task, completed=min(done, total - 1), description=what)

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


# -- tokens ---------------------------------------------------------------------------------
@tokens_app.command("create")
def tokens_create(
    name: Annotated[str, typer.Argument(help="Who or what the token is for.")],
    role: Annotated[Role, typer.Option(case_sensitive=False, help="What the token may do.")],
    unit: Annotated[
        str | None,
        typer.Option(help="The unit id a clerk's token works for (required for a clerk)."),
    ] = None,
    expires_in: ExpiresIn = None,
    expires_at: ExpiresAt = None,
) -> None:
    """Create an access token and print it (shown once: only its hash is stored)."""
    settings = load_settings()
    with _user_errors(settings):
        unit_id = _parse_unit(unit)
        until = expiry(expires_in, expires_at, datetime.now(UTC))
        ledger = build_ledger(settings)
        try:
            token = ledger.create_token(name, role, unit_id, expires_at=until)
        finally:
            ledger.close()
    _secret(token)
    scope = f" for unit {unit_id}" if unit_id else ""
    lasts = f" It expires at {until.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}." if until else ""
    _stderr().print(
        f"Created a {role.value} token '{name}'{scope}. It is shown only this once.{lasts}",
        soft_wrap=True,
    )


def _parse_unit(unit: str | None) -> UUID | None:
    if unit is None:
        return None
    try:
        return UUID(unit)
    except ValueError:
        raise CliError(f"--unit {unit!r} is not a unit id (a UUID)") from None


def _register_projection_commands() -> None:
    from cli.projections import project, projections_app

    app.command("project")(project)
    app.add_typer(projections_app, name="projections")


_register_projection_commands()


def _register_generate_command() -> None:
    from cli.generate import generate

    app.command("generate")(generate)


_register_generate_command()


def _register_verify_command() -> None:
    from cli.verify import encryption_key, verify_command

    app.command("verify")(verify_command)
    app.command("encryption-key")(encryption_key)


_register_verify_command()


def _register_token_commands() -> None:
    from cli.tokens import list_tokens, revoke

    tokens_app.command("revoke")(revoke)
    tokens_app.command("list")(list_tokens)


_register_token_commands()


def _register_simulate_command() -> None:
    from cli.simulate import simulate

    app.command("simulate")(simulate)


_register_simulate_command()


def _register_import_command() -> None:
    from cli.export import export_app
    from cli.importer import import_command

    app.command("import")(import_command)
    app.add_typer(export_app, name="export")


_register_import_command()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
