"""What every command of ``ledger`` shares: its error handling, its streams, its settings.

Secrets go to standard output alone, one line, so they can be captured
(``TOKEN=$(ledger tokens create ...)``); everything meant for people (hints,
progress, summaries, errors) goes to standard error. A user's mistake ends with a
one-line message and exit status 1 (2 for a malformed command line), never a
traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, NoReturn
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import typer
from eventsourcing.persistence import PersistenceError
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from domain.errors import LedgerError
from ledger.runtime import build_ledger, open_ledger
from ledger.settings import Settings

if TYPE_CHECKING:
    from ledger.application import Ledger


class CliError(Exception):
    """A mistake the user can fix; shown as one line, exit status 1."""


def stderr() -> Console:
    """A console on standard error, for people."""
    # Made per use so that it writes to whatever sys.stderr is now (tests swap it).
    return Console(stderr=True, highlight=False)


def secret(text: str) -> None:
    """A secret, alone on its line, on standard output."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def redact(database_url: str) -> str:
    """The database URL without its password, for messages."""
    parts = urlsplit(database_url)
    if parts.password is None:
        return database_url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def fail(message: str) -> NoReturn:
    """Show ``message`` as an error on standard error and exit with status 1."""
    stderr().print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(1)


@contextmanager
def user_errors(settings: Settings | None = None) -> Iterator[None]:
    """Turn the refusals and failures a user can cause into a message and exit 1."""
    try:
        yield
    except CliError as error:
        fail(str(error))
    except LedgerError as error:
        where = f" ({error.field})" if error.field else ""
        fail(f"{error.detail}{where}")
    except PersistenceError as error:
        url = redact(settings.database_url) if settings else "the database"
        fail(f"cannot use the store at {url}: {error or type(error).__name__}")


@contextmanager
def ledger_for(settings: Settings) -> Iterator[Ledger]:
    """The ledger of ``settings`` for one command, closed after it; never bootstrapped
    (the first admin token is for whoever serves the API)."""
    ledger = build_ledger(settings)
    try:
        yield ledger
    finally:
        ledger.close()


# The ``--json`` option of every list command: one JSON object per line instead of a table.
AsJson = Annotated[bool, typer.Option("--json", help="One JSON object per line.")]


def json_lines(items: Iterable[Mapping[str, Any]]) -> None:
    """One JSON object per line on standard output, Chinese unescaped."""
    for item in items:
        typer.echo(json.dumps(item, ensure_ascii=False, default=str))


def load_settings() -> Settings:
    """The settings from ``LEDGER_*`` variables (and ``.env``), or a clear error."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"LEDGER_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in error.errors()
        )
        fail(f"invalid settings: {problems}")


def parse_unit(unit: str | None) -> UUID | None:
    """The unit id given as ``--unit``, or a user error naming the option."""
    if unit is None:
        return None
    try:
        return UUID(unit)
    except ValueError:
        raise CliError(f"--unit {unit!r} is not a unit id (a UUID)") from None


def open_for_serving(settings: Settings) -> Ledger:
    """Open the ledger, bootstrapping it if empty, and announce a first admin token.

    On an empty ledger the first admin token is printed alone on standard output
    (with a hint on standard error), so a newcomer can start at once.
    """
    ledger, first_token = open_ledger(settings)
    if first_token is not None:
        secret(first_token)
        stderr().print(
            "A new, empty ledger: the line above is its first admin token. It is shown "
            "only this once; keep it and send it as 'Authorization: Bearer <token>'. "
            "Make more with 'ledger tokens create NAME --role ROLE'.",
            soft_wrap=True,
        )
    return ledger
