"""The ``ledger`` command line: tokens, the demo, and serve's first-admin bootstrap.

Secrets go to standard output alone; messages go to standard error; a user's
mistake ends with a message and a non-zero status, never a traceback. The CLI
opens a new ledger per command, so these tests use stores that outlive a
process: the embedded SQLite file and PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from typer.testing import CliRunner

from cli import common, serve
from cli.main import app
from domain.access import TOKEN_PREFIX, Actor
from domain.errors import Unauthorized
from domain.vocabulary import Role, UnitKind
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from ledger.commands import Context
from ledger.settings import Settings
from tests.stores import store_url

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def durable_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh store that keeps its facts between two processes."""
    with store_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


def invoke(url: str, *args: str) -> Any:
    return runner.invoke(app, list(args), env={"LEDGER_DATABASE_URL": url})


def open_store(url: str) -> Ledger:
    return Ledger(env=store_environment(url))


def only_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, f"expected one line on standard output, got {lines!r}"
    return lines[0]


def register_street(url: str) -> UUID:
    ledger = open_store(url)
    try:
        ledger.bootstrap("baohe-2020")
        ctx = Context(Actor("admin", Role.ADMIN), "test")
        district = ledger.register_unit(
            ctx,
            name="包河区",
            kind=UnitKind.DISTRICT,
            parent_id=None,
            unit_class=None,
            households=None,
            population=None,
        )
        street = ledger.register_unit(
            ctx,
            name="望湖街道",
            kind=UnitKind.STREET_OFFICE,
            parent_id=UUID(district["unit_id"]),
            unit_class=1,
            households=None,
            population=None,
        )
        return UUID(street["unit_id"])
    finally:
        ledger.close()


def authenticate(url: str, token: str) -> Actor:
    """Who the token says its bearer is (name, role and unit; not the token's own id)."""
    ledger = open_store(url)
    try:
        actor = ledger.authenticate(token)
    finally:
        ledger.close()
    return Actor(actor.name, actor.role, actor.unit_id)


def event_count(url: str) -> int:
    ledger = open_store(url)
    try:
        return ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()


# -- tokens create ---------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR, Role.REPORTER])
def test_tokens_create_prints_one_token_line_that_authenticates_with_that_role(
    durable_store: str, role: Role
) -> None:
    result = invoke(durable_store, "tokens", "create", "finance-bureau", "--role", role.value)

    assert result.exit_code == 0, result.stderr
    token = only_line(result.stdout)
    assert token.startswith(TOKEN_PREFIX)
    actor = authenticate(durable_store, token)
    assert actor == Actor("finance-bureau", role, None)
    assert "shown only this once" in result.stderr


def test_a_clerk_token_is_scoped_to_the_unit_it_was_made_for(durable_store: str) -> None:
    street = register_street(durable_store)

    result = invoke(
        durable_store, "tokens", "create", "望湖人事", "--role", "clerk", "--unit", str(street)
    )

    assert result.exit_code == 0, result.stderr
    assert authenticate(durable_store, only_line(result.stdout)) == Actor(
        "望湖人事", Role.CLERK, street
    )


def test_the_role_may_be_given_in_capitals(sqlite_url: str) -> None:
    result = invoke(sqlite_url, "tokens", "create", "ops", "--role", "ADMIN")

    assert result.exit_code == 0, result.stderr
    assert authenticate(sqlite_url, only_line(result.stdout)).role is Role.ADMIN


def test_an_unknown_role_fails_with_a_message_naming_the_roles_and_prints_no_token(
    sqlite_url: str,
) -> None:
    result = invoke(sqlite_url, "tokens", "create", "bob", "--role", "wizard")

    assert result.exit_code == 2
    assert result.stdout == ""
    for role in Role:
        assert role.value in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "clerk"], "a clerk's token needs the unit it works for"),
        (["--role", "clerk", "--unit", "not-a-uuid"], "is not a unit id"),
        (["--role", "clerk", "--unit", str(uuid4())], "no unit"),
    ],
    ids=["clerk-without-unit", "malformed-unit", "unknown-unit"],
)
def test_a_bad_unit_fails_with_a_clear_message_and_records_nothing(
    sqlite_url: str, args: list[str], message: str
) -> None:
    register_street(sqlite_url)
    before = event_count(sqlite_url)

    result = invoke(sqlite_url, "tokens", "create", "bob", *args)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert event_count(sqlite_url) == before


def test_an_unsupported_database_url_is_reported_without_a_traceback() -> None:
    result = invoke("mysql://localhost/ledger", "tokens", "create", "bob", "--role", "admin")

    assert result.exit_code == 1
    assert "unsupported database URL" in result.stderr
    assert "Traceback" not in result.output


def test_a_store_that_cannot_be_opened_is_reported_without_a_traceback(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'ledger.db'}"

    result = invoke(url, "tokens", "create", "bob", "--role", "admin")

    assert result.exit_code == 1
    assert "cannot use the store at" in result.stderr
    assert "Traceback" not in result.output


def test_invalid_settings_are_reported_by_their_variable_name(sqlite_url: str) -> None:
    result = runner.invoke(
        app,
        ["tokens", "create", "bob", "--role", "admin"],
        env={"LEDGER_DATABASE_URL": sqlite_url, "LEDGER_POSTGRES_POOL_SIZE": "many"},
    )

    assert result.exit_code == 1
    assert "LEDGER_POSTGRES_POOL_SIZE" in result.stderr


def test_an_unknown_policy_for_a_new_ledger_is_reported_as_written(sqlite_url: str) -> None:
    result = runner.invoke(
        app,
        ["demo", "--workers", "5"],
        env={"LEDGER_DATABASE_URL": sqlite_url, "LEDGER_POLICY": "no-such-policy"},
    )

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "'no-such-policy' is neither a shipped pack [" in result.stderr


def test_a_password_in_the_database_url_is_never_shown() -> None:
    assert (
        common.redact("postgresql://ledger:s3cret@db:5432/ledger")
        == "postgresql://ledger:***@db:5432/ledger"
    )
    assert common.redact("sqlite:///./ledger.db") == "sqlite:///./ledger.db"


@pytest.mark.parametrize("module", ["cli.main", "cli"])
def test_the_installed_command_prints_only_the_token_on_standard_output(
    sqlite_url: str, module: str
) -> None:
    env = {**os.environ, "LEDGER_DATABASE_URL": sqlite_url}
    done = subprocess.run(
        [sys.executable, "-m", module, "tokens", "create", "ops", "--role", "admin"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert authenticate(sqlite_url, only_line(done.stdout)).role is Role.ADMIN


# -- serve -------------------------------------------------------------------------------------
def test_serve_bootstrap_prints_the_first_admin_token_alone_on_an_empty_ledger(
    durable_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(database_url=durable_store)

    ledger = common.open_for_serving(settings)
    ledger.close()
    first = capsys.readouterr()

    token = only_line(first.out)
    assert authenticate(durable_store, token).role is Role.ADMIN
    assert "first admin token" in first.err

    ledger = common.open_for_serving(settings)  # not empty any more: nothing to announce
    ledger.close()
    again = capsys.readouterr()
    assert again.out == ""


def test_serve_announces_the_token_and_then_serves_with_the_given_host_and_port(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[tuple[Settings, bool]] = []

    def run_server(settings: Settings, ledger: Ledger) -> None:
        served.append((settings, ledger.is_empty()))

    monkeypatch.setattr(serve, "run_server", run_server)

    result = invoke(sqlite_url, "serve", "--host", "192.0.2.1", "--port", "8123")

    assert result.exit_code == 0, result.stderr
    token = only_line(result.stdout)
    assert authenticate(sqlite_url, token).role is Role.ADMIN
    [(settings, empty)] = served
    assert (settings.host, settings.port) == ("192.0.2.1", 8123)
    assert settings.database_url == sqlite_url
    assert not empty  # bootstrapped before serving


def test_serve_on_a_ledger_in_use_prints_nothing_on_standard_output(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serve, "run_server", lambda settings, ledger: None)
    invoke(sqlite_url, "serve")

    result = invoke(sqlite_url, "serve")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""


# -- demo ----------------------------------------------------------------------------------------
def test_demo_if_empty_twice_loads_the_district_once(durable_store: str) -> None:
    first = invoke(durable_store, "demo", "--if-empty", "--workers", "30", "--seed", "3")

    assert first.exit_code == 0, first.stderr
    token = only_line(first.stdout)
    assert authenticate(durable_store, token) == Actor("demo-admin", Role.ADMIN, None)
    assert "包河区" in first.stderr
    loaded = event_count(durable_store)
    assert loaded > 30

    second = invoke(durable_store, "demo", "--if-empty", "--workers", "30", "--seed", "3")

    assert second.exit_code == 0, second.stderr
    assert second.stdout == ""
    assert "already holds units" in second.stderr
    assert event_count(durable_store) == loaded


def test_demo_without_if_empty_refuses_a_ledger_that_holds_units(sqlite_url: str) -> None:
    register_street(sqlite_url)
    before = event_count(sqlite_url)

    result = invoke(sqlite_url, "demo", "--workers", "10")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "already holds units" in result.stderr
    assert event_count(sqlite_url) == before


def test_the_demo_summary_goes_to_standard_error_and_its_token_works(sqlite_url: str) -> None:
    result = invoke(sqlite_url, "demo", "--workers", "40")

    assert result.exit_code == 0, result.stderr
    assert authenticate(sqlite_url, only_line(result.stdout)).role is Role.ADMIN
    for row in ("approved quota", "workers hired", "left for you", "events from"):
        assert row in result.stderr
    with pytest.raises(Unauthorized):
        authenticate(sqlite_url, TOKEN_PREFIX + "not-a-token")
