"""``ledger project`` and ``ledger projections``: status, rebuild, catching up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from ledger.runtime import build_ledger
from ledger.settings import Settings
from tests.integration.application_support import build_tree, hire

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    database_url = f"sqlite:///{tmp_path / 'ledger.db'}"
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    ledger = build_ledger(Settings(database_url=database_url))
    ledger.bootstrap("baohe-2020")
    tree = build_tree(ledger, {"street_a": 3})
    hire(ledger, tree.street_a)
    ledger.close()
    return database_url


def status() -> dict[str, float]:
    result = runner.invoke(app, ["projections", "status", "--json"])
    assert result.exit_code == 0, result.output
    found: dict[str, float] = json.loads(result.stdout)
    return found


def test_status_shows_the_lag_until_the_projector_catches_up(url: str) -> None:
    before = status()
    assert before["position"] == 0 and before["lag_events"] == before["head"] > 0

    result = runner.invoke(app, ["project", "--once"])
    assert result.exit_code == 0, result.output

    after = status()
    assert after["position"] == after["head"] and after["lag_events"] == 0


def test_a_rebuild_reports_its_rate_and_leaves_no_lag(url: str) -> None:
    result = runner.invoke(app, ["projections", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "events/s" in result.stderr
    assert status()["lag_events"] == 0


def test_the_projector_never_bootstraps_an_empty_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)

    result = runner.invoke(app, ["project", "--once"])

    assert result.exit_code == 0, result.output
    assert "empty" in result.stderr
    ledger = build_ledger(Settings(database_url=database_url))
    try:
        assert ledger.is_empty()  # the first admin token is still the server's to print
    finally:
        ledger.close()
