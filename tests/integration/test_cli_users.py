"""``ledger users create|list|reset-password|revoke-sessions`` on a store that outlives
each command (an SQLite file); and the demo's first person account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import main as cli
from domain.errors import SignInRefused, Unauthorized
from ledger.adapters.stores import store_environment
from ledger.application import Ledger

runner = CliRunner()
CHOSEN = "my-own-password-2026"


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledger = Ledger(env=store_environment(url))
    ledger.bootstrap("baohe-2020")
    ledger.close()
    return url


def invoke(url: str, *args: str) -> Any:
    return runner.invoke(cli.app, list(args), env={"LEDGER_DATABASE_URL": url})


def opened(url: str) -> Ledger:
    return Ledger(env=store_environment(url))


def test_users_create_prints_a_one_time_password_to_change_at_first_sign_in(url: str) -> None:
    result = invoke(url, "users", "create", "王芳", "--role", "auditor")

    assert result.exit_code == 0, result.stderr
    once = result.stdout.strip()
    assert len(result.stdout.splitlines()) == 1 and "one-time" in result.stderr
    ledger = opened(url)
    try:
        secret, actor = ledger.sign_in("王芳", once)
        assert actor.role.value == "auditor"
        assert ledger.session_person(secret).must_change_password
    finally:
        ledger.close()


def test_users_list_shows_every_account_without_a_password(url: str) -> None:
    invoke(url, "users", "create", "王芳", "--role", "admin")
    invoke(url, "users", "create", "李强", "--role", "reporter")

    result = invoke(url, "users", "list", "--json")

    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["name"], r["role"]) for r in rows] == [("王芳", "admin"), ("李强", "reporter")]
    assert all("password_hash" not in r for r in rows)
    table = invoke(url, "users", "list")
    assert "王芳" in table.stdout and "one-time password" in table.stdout


def test_a_clerk_needs_a_unit_and_a_bad_unit_is_a_one_line_error(url: str) -> None:
    missing = invoke(url, "users", "create", "街道", "--role", "clerk")
    bad = invoke(url, "users", "create", "街道", "--role", "clerk", "--unit", "nope")

    assert missing.exit_code == 1 and "unit" in missing.stderr
    assert bad.exit_code == 1 and "--unit" in bad.stderr


def test_reset_password_gives_a_new_one_time_password_and_ends_sessions(url: str) -> None:
    first = invoke(url, "users", "create", "王芳", "--role", "admin").stdout.strip()
    ledger = opened(url)
    try:
        secret, _ = ledger.sign_in("王芳", first)
    finally:
        ledger.close()

    result = invoke(url, "users", "reset-password", "王芳")

    assert result.exit_code == 0, result.stderr
    ledger = opened(url)
    try:
        with pytest.raises(Unauthorized):
            ledger.session_actor(secret)
        with pytest.raises(SignInRefused):
            ledger.sign_in("王芳", first)
        assert ledger.sign_in("王芳", result.stdout.strip())[1].name == "王芳"
    finally:
        ledger.close()


def test_revoke_sessions_ends_them_and_an_unknown_name_is_an_error(url: str) -> None:
    once = invoke(url, "users", "create", "王芳", "--role", "admin").stdout.strip()
    ledger = opened(url)
    try:
        secret, _ = ledger.sign_in("王芳", once)
    finally:
        ledger.close()

    result = invoke(url, "users", "revoke-sessions", "王芳")
    unknown = invoke(url, "users", "revoke-sessions", "nobody")

    assert result.exit_code == 0 and "Ended 1" in result.stderr
    assert unknown.exit_code == 1 and "no account" in unknown.stderr
    ledger = opened(url)
    try:
        with pytest.raises(Unauthorized):
            ledger.session_actor(secret)
    finally:
        ledger.close()


def test_the_demo_prints_the_console_and_a_first_person_account(url: str, tmp_path: Path) -> None:
    fresh = f"sqlite:///{tmp_path / 'demo.db'}"
    result = invoke(fresh, "demo", "--workers", "5")

    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1  # the admin token alone, as before
    assert "Console: http://127.0.0.1:8000/" in result.stderr
    once = result.stderr.split("one-time password ", 1)[1].split(" ", 1)[0]
    ledger = opened(fresh)
    try:
        assert ledger.sign_in("admin", once)[1].role.value == "admin"
    finally:
        ledger.close()
