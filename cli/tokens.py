"""``ledger tokens create|revoke|list``: the access tokens of the HTTP API.

Tokens are named by their id (a UUID, as listed), never by their secret: a
secret typed on a command line ends up in shell history.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

from cli.common import (
    AsJson,
    CliError,
    json_lines,
    ledger_for,
    load_settings,
    parse_unit,
    secret,
    stderr,
    user_errors,
)
from domain.vocabulary import Role

tokens_app = typer.Typer(help="Access tokens for the HTTP API.", no_args_is_help=True)

EXPIRES_IN = re.compile(r"^(\d{1,6})([hdw])$")
UNIT_HOURS = {"h": 1, "d": 24, "w": 24 * 7}

ExpiresIn = Annotated[
    str | None,
    typer.Option(
        "--expires-in",
        help="Expire after this long: a number and h, d or w (90d, 12h, 2w). "
        "Default: the token never expires.",
    ),
]
ExpiresAt = Annotated[
    str | None,
    typer.Option(
        "--expires-at",
        help="Expire at this moment, with its zone: 2026-12-31T23:59:59+08:00.",
    ),
]


def expiry(expires_in: str | None, expires_at: str | None, now: datetime) -> datetime | None:
    """The moment a new token expires, from at most one of the two options."""
    if expires_in and expires_at:
        raise CliError("give --expires-in or --expires-at, not both")
    if expires_in:
        match = EXPIRES_IN.match(expires_in.strip())
        if not match or int(match[1]) == 0:
            raise CliError(f"--expires-in {expires_in!r} is not a duration such as 90d, 12h or 2w")
        return now + timedelta(hours=int(match[1]) * UNIT_HOURS[match[2]])
    if expires_at:
        try:
            moment = datetime.fromisoformat(expires_at.strip())
        except ValueError:
            raise CliError(
                f"--expires-at {expires_at!r} is not a time such as 2026-12-31T23:59:59+08:00"
            ) from None
        if moment.tzinfo is None:
            raise CliError(f"--expires-at {expires_at!r} needs its time zone, e.g. +08:00 or Z")
        return moment
    return None


@tokens_app.command("create")
def create(
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
    with user_errors(settings):
        unit_id = parse_unit(unit)
        until = expiry(expires_in, expires_at, datetime.now(UTC))
        with ledger_for(settings) as ledger:
            token = ledger.create_token(name, role, unit_id, expires_at=until)
    secret(token)
    scope = f" for unit {unit_id}" if unit_id else ""
    lasts = f" It expires at {until.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}." if until else ""
    stderr().print(
        f"Created the token '{name}' with the role {role.value}{scope}. "
        f"It is shown only this once.{lasts}",
        soft_wrap=True,
    )


@tokens_app.command("revoke")
def revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id, as 'ledger tokens list' shows.")],
    reason: Annotated[
        str, typer.Option(help="Why, kept on record for auditors.")
    ] = "revoked with ledger tokens revoke",
) -> None:
    """Revoke a token: from now on it is refused (401). It stays listed, marked revoked."""
    settings = load_settings()
    with user_errors(settings):
        try:
            wanted = UUID(token_id)
        except ValueError:
            raise CliError(f"{token_id!r} is not a token id (a UUID)") from None
        with ledger_for(settings) as ledger:
            listed = ledger.revoke_token(wanted, reason)
    stderr().print(
        f"Revoked the {listed['role']} token '{listed['name']}' ({listed['token_id']}).",
        soft_wrap=True,
    )


@tokens_app.command("list")
def list_tokens(
    as_json: AsJson = False,
) -> None:
    """Every token issued: id, name, role, unit, expiry, revocation. Never a secret."""
    settings = load_settings()
    with user_errors(settings), ledger_for(settings) as ledger:
        tokens = ledger.tokens()
    if as_json:
        json_lines(tokens)
        return
    _print_table(tokens, datetime.now(UTC))


def _print_table(tokens: list[dict[str, Any]], now: datetime) -> None:
    table = Table(show_lines=False)
    for column in ("id", "name", "role", "unit", "expires", "state"):
        table.add_column(column, overflow="fold")
    for token in tokens:
        expires = token["expires_at"]
        if token["revoked"]:
            state = f"revoked {token['revoked_at'][:19]}Z"
        elif expires and datetime.fromisoformat(expires) <= now:
            state = "expired"
        else:
            state = "valid"
        table.add_row(
            token["token_id"],
            token["name"],
            f"{token['role']} {token['role_label']}",
            token["unit_id"] or "",
            expires[:19] + "Z" if expires else "never",
            state,
        )
    Console(highlight=False, width=200).print(table)
