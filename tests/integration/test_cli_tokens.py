"""``ledger tokens create --expires-in/--expires-at``, ``ledger tokens revoke`` and
``ledger tokens list`` on a store that outlives each command (an SQLite file)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import main as cli
from domain.access import token_hash, token_id
from domain.errors import Unauthorized
from ledger.adapters.stores import store_environment
from ledger.application import Ledger

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledger = Ledger(env=store_environment(url))
    ledger.bootstrap("baohe-2020")
    ledger.close()
    return url


def invoke(url: str, *args: str) -> Any:
    return runner.invoke(cli.app, list(args), env={"LEDGER_DATABASE_URL": url})


def created(url: str, *args: str) -> str:
    result = invoke(url, "tokens", "create", *args)
    assert result.exit_code == 0, result.stderr
    secret: str = result.stdout.strip()
    return secret


def listed(url: str) -> dict[str, dict[str, Any]]:
    result = invoke(url, "tokens", "list", "--json")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    return {row["name"]: row for row in rows}


def authenticate(url: str, secret: str, now: datetime | None = None) -> str:
    ledger = Ledger(env=store_environment(url))
    try:
        return ledger.authenticate(secret, now=now).name
    finally:
        ledger.close()


def test_a_token_made_to_expire_in_90_days_works_until_then(url: str) -> None:
    before = datetime.now(UTC)
    secret = created(url, "临时审计", "--role", "auditor", "--expires-in", "90d")

    expiry = datetime.fromisoformat(listed(url)["临时审计"]["expires_at"])
    assert before + timedelta(days=90) <= expiry <= datetime.now(UTC) + timedelta(days=90)
    assert authenticate(url, secret, now=expiry - timedelta(seconds=1)) == "临时审计"
    with pytest.raises(Unauthorized, match="expired"):
        authenticate(url, secret, now=expiry)


def test_a_token_made_to_expire_at_a_moment_keeps_that_moment_in_utc(url: str) -> None:
    created(url, "年度报表", "--role", "reporter", "--expires-at", "2099-12-31T23:59:59+08:00")

    assert listed(url)["年度报表"]["expires_at"] == "2099-12-31T15:59:59+00:00"


def test_a_token_made_without_an_expiry_never_expires(url: str) -> None:
    secret = created(url, "长期", "--role", "reporter")

    assert listed(url)["长期"]["expires_at"] is None
    assert authenticate(url, secret, now=datetime(2199, 1, 1, tzinfo=UTC)) == "长期"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--expires-in", "90"], "not a duration"),
        (["--expires-in", "0d"], "not a duration"),
        (["--expires-at", "2099-12-31T23:59:59"], "time zone"),
        (["--expires-at", "next year"], "not a time"),
        (["--expires-at", "2020-01-01T00:00:00Z"], "future"),
        (["--expires-in", "1d", "--expires-at", "2099-01-01T00:00:00Z"], "not both"),
    ],
)
def test_a_bad_expiry_is_refused_with_a_message_and_no_token(
    url: str, options: list[str], message: str
) -> None:
    result = invoke(url, "tokens", "create", "x", "--role", "reporter", *options)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert message in result.stderr
    assert "x" not in listed(url)


def test_a_revoked_token_is_refused_and_listed_as_revoked(url: str) -> None:
    secret = created(url, "王会计", "--role", "reporter")

    result = invoke(url, "tokens", "revoke", str(token_id(secret)), "--reason", "调离 left")

    assert result.exit_code == 0, result.stderr
    assert "Revoked" in result.stderr
    with pytest.raises(Unauthorized, match="revoked"):
        authenticate(url, secret)
    row = listed(url)["王会计"]
    assert (row["revoked"], row["revocation_reason"]) == (True, "调离 left")


def test_revoking_twice_fails_and_keeps_the_first_reason(url: str) -> None:
    secret = created(url, "王会计", "--role", "reporter")
    invoke(url, "tokens", "revoke", str(token_id(secret)), "--reason", "first")

    again = invoke(url, "tokens", "revoke", str(token_id(secret)), "--reason", "second")

    assert again.exit_code == 1
    assert "already revoked" in again.stderr
    assert listed(url)["王会计"]["revocation_reason"] == "first"


@pytest.mark.parametrize("ref", ["not-a-uuid", "7b0c3cf4-9f3e-4b1e-9a43-3d2f6d3c2a10"])
def test_revoking_what_is_not_a_token_fails_with_a_message(url: str, ref: str) -> None:
    result = invoke(url, "tokens", "revoke", ref)

    assert result.exit_code == 1
    assert "error:" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_list_shows_each_token_once_and_never_a_secret_or_its_hash(url: str) -> None:
    secrets = [created(url, name, "--role", "reporter") for name in ("甲", "乙")]

    table = invoke(url, "tokens", "list")
    as_json = invoke(url, "tokens", "list", "--json")

    assert table.exit_code == 0 and as_json.exit_code == 0
    for name in ("first-admin", "甲", "乙"):
        assert name in table.stdout
    assert len(as_json.stdout.splitlines()) == 3
    for secret in secrets:
        for output in (table.stdout, as_json.stdout):
            assert secret not in output
            assert token_hash(secret) not in output
