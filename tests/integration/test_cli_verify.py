"""``ledger verify`` and ``ledger encryption-key`` on the command line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner

from cli import main as cli
from domain.access import Actor
from domain.vocabulary import Role
from ledger.adapters.encryption import cipher_environment
from ledger.runtime import build_ledger
from ledger.settings import Settings

runner = CliRunner()


def invoke(url: str, *args: str, key: str | None = None) -> Any:
    env = {"LEDGER_DATABASE_URL": url}
    if key is not None:
        env["LEDGER_ENCRYPTION_KEY"] = key
    return runner.invoke(cli.app, list(args), env=env)


@pytest.fixture
def demo_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    loaded = invoke(url, "demo", "--workers", "20", "--seed", "3")
    assert loaded.exit_code == 0, loaded.stderr
    return url


def tamper(url: str) -> tuple[str, int, int]:
    """Change a stored worker event's bytes; answer its aggregate id, version, rowid."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        rowid, originator, version, state = conn.execute(
            "SELECT rowid, originator_id, originator_version, state FROM stored_events "
            "WHERE topic LIKE '%Worker.Hired' ORDER BY rowid LIMIT 1"
        ).fetchone()
        fields = json.loads(state)
        fields["name"] = "伪造"
        conn.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?",
            (json.dumps(fields).encode(), rowid),
        )
    return str(UUID(originator)), version, rowid


def test_an_intact_ledger_prints_its_anchor_alone_and_exits_0(demo_url: str) -> None:
    result = invoke(demo_url, "verify")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    position, count, digest = lines[0].split(":")
    assert int(position) == int(count) > 300 and len(digest) == 64
    assert "intact" in result.stderr


def test_a_tampered_record_is_named_and_the_exit_status_is_1(demo_url: str) -> None:
    aggregate, version, rowid = tamper(demo_url)
    result = invoke(demo_url, "verify")
    assert result.exit_code == 1
    assert "NOT INTACT" in result.stderr
    assert result.stdout == ""  # no anchor that would vouch for a damaged log
    assert "Traceback" not in result.stderr
    for named in ("altered", aggregate, f"version {version}", f"notification {rowid}"):
        assert named in result.stderr


def test_json_output_names_the_first_problem(demo_url: str) -> None:
    aggregate, version, rowid = tamper(demo_url)
    result = invoke(demo_url, "verify", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["intact"] is False
    assert report["problem_count"] == 1
    first = report["problems"][0]
    assert (first["kind"], first["aggregate_id"], first["version"], first["notification_id"]) == (
        "altered",
        aggregate,
        version,
        rowid,
    )
    assert first["kind_label"] == "记录被篡改"


def test_a_deletion_after_the_anchor_fails_the_check_against_it(demo_url: str) -> None:
    anchor = invoke(demo_url, "verify").stdout.strip()
    # The last event the anchor covers (the run's own record comes after it).
    last_covered = int(anchor.split(":")[0])
    with sqlite3.connect(demo_url.removeprefix("sqlite:///")) as conn:
        conn.execute("DELETE FROM stored_events WHERE rowid = ?", (last_covered,))
    assert invoke(demo_url, "verify").exit_code == 0  # a shorter chain is still a chain
    result = invoke(demo_url, "verify", "--against", anchor)
    assert result.exit_code == 1
    assert "anchor" in result.stderr and "1 fewer events" in result.stderr


def test_a_malformed_anchor_is_a_usage_error_naming_the_option(demo_url: str) -> None:
    result = invoke(demo_url, "verify", "--against", "yesterday")
    assert result.exit_code == 2
    assert "--against" in result.stderr
    assert "Traceback" not in result.stderr


def test_encryption_key_prints_one_usable_key() -> None:
    result = runner.invoke(cli.app, ["encryption-key"])
    assert result.exit_code == 0
    (key,) = result.stdout.splitlines()
    assert cipher_environment(key)["CIPHER_KEY"] == key


def test_an_encrypted_demo_verifies_and_cannot_be_opened_without_its_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'secret.db'}"
    key = runner.invoke(cli.app, ["encryption-key"]).stdout.strip()
    assert invoke(url, "demo", "--workers", "10", key=key).exit_code == 0

    assert invoke(url, "verify", key=key).exit_code == 0
    without = invoke(url, "tokens", "create", "x", "--role", "admin")
    other = runner.invoke(cli.app, ["encryption-key"]).stdout.strip()
    wrong = invoke(url, "tokens", "create", "x", "--role", "admin", key=other)

    for refused in (without, wrong):
        assert refused.exit_code == 1
        assert "LEDGER_ENCRYPTION_KEY" in refused.stderr
        assert refused.stdout == ""
        assert "Traceback" not in refused.stderr
    unreadable = invoke(url, "verify", "--json", key=other)
    assert unreadable.exit_code == 1
    assert json.loads(unreadable.stdout)["problems"][0]["kind"] == "unreadable"


def test_a_malformed_encryption_key_is_reported_by_its_variable(tmp_path: Path) -> None:
    result = invoke(f"sqlite:///{tmp_path / 'x.db'}", "verify", key="not a key")
    assert result.exit_code == 1
    assert "LEDGER_ENCRYPTION_KEY" in result.stderr


def test_each_run_is_recorded_with_its_result_anchor_and_operator(demo_url: str) -> None:
    intact = invoke(demo_url, "verify")
    tamper(demo_url)
    broken = invoke(demo_url, "verify")

    assert (intact.exit_code, broken.exit_code) == (0, 1)
    ledger = build_ledger(Settings(database_url=demo_url), check=False)
    try:
        last, first = ledger.verifications(Actor("审计员", Role.AUDITOR))
    finally:
        ledger.close()
    assert first["intact"] is True and first["anchor"] == intact.stdout.strip()
    assert first["events"] == int(first["anchor"].split(":")[1])
    assert "(ledger verify)" in first["recorded_by"]
    assert last["intact"] is False and last["anchor"] is None
    assert last["problem_count"] == 1 and last["first_problem"].startswith("altered")
    assert last["recorded_at"] > first["recorded_at"]
