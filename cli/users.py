"""``ledger users create|list|reset-password|revoke-sessions``: people's console accounts.

A new account (or a reset) gets a one-time password, printed alone on standard output
and shown only this once; the person must change it at first sign-in. Accounts are
named by their name, which is how a person signs in.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.common import (
    AsJson,
    json_lines,
    ledger_for,
    load_settings,
    parse_unit,
    secret,
    stderr,
    user_errors,
)
from domain.vocabulary import Role

users_app = typer.Typer(help="People's accounts for the console.", no_args_is_help=True)

Name = Annotated[str, typer.Argument(help="The account's name, as the person signs in with it.")]


@users_app.command("create")
def create(
    name: Name,
    role: Annotated[Role, typer.Option(case_sensitive=False, help="What the person may do.")],
    unit: Annotated[
        str | None,
        typer.Option(help="The unit id a clerk works for (required for a clerk)."),
    ] = None,
) -> None:
    """Create an account and print its one-time password (to change at first sign-in)."""
    settings = load_settings()
    with user_errors(settings):
        unit_id = parse_unit(unit)
        with ledger_for(settings) as ledger:
            password = ledger.create_account(name, role, unit_id)
    secret(password)
    scope = f" for unit {unit_id}" if unit_id else ""
    stderr().print(
        f"Created the {role.value} account '{name}'{scope}. The line above is its one-time "
        "password, shown only this once: the person signs in with it and must then choose "
        "their own.",
        soft_wrap=True,
    )


@users_app.command("reset-password")
def reset_password(name: Name) -> None:
    """Give the account a new one-time password (its sessions end, any lock lifts)."""
    settings = load_settings()
    with user_errors(settings), ledger_for(settings) as ledger:
        password = ledger.reset_password(name)
    secret(password)
    stderr().print(
        f"Reset the password of '{name}'. The line above is a one-time password, shown only "
        "this once; every session of the account was ended.",
        soft_wrap=True,
    )


@users_app.command("revoke-sessions")
def revoke_sessions(name: Name) -> None:
    """End every session of the account: the person must sign in again."""
    settings = load_settings()
    with user_errors(settings), ledger_for(settings) as ledger:
        closed = ledger.revoke_sessions(name)
    stderr().print(f"Ended {closed} open session(s) of '{name}'.", soft_wrap=True)


@users_app.command("list")
def list_users(
    as_json: AsJson = False,
) -> None:
    """Every account: name, role, unit, state. Never a password or its hash."""
    settings = load_settings()
    with user_errors(settings), ledger_for(settings) as ledger:
        accounts = ledger.accounts()
    if as_json:
        json_lines(accounts)
        return
    _print_table(accounts)


def _print_table(accounts: list[dict[str, Any]]) -> None:
    table = Table(show_lines=False)
    for column in ("name", "role", "unit", "state", "last sign-in"):
        table.add_column(column, overflow="fold")
    for account in accounts:
        if account["disabled"]:
            state = "disabled"
        elif account["locked_until"]:
            state = f"locked until {account['locked_until'][:19]}Z"
        elif account["must_change_password"]:
            state = "one-time password"
        else:
            state = "active"
        last = account["last_signed_in_at"]
        table.add_row(
            account["name"],
            f"{account['role']} {account['role_label']}",
            account["unit_id"] or "",
            state,
            last[:19] + "Z" if last else "never",
        )
    Console(highlight=False, width=200).print(table)
