"""``ledger generate``: a deterministic history recorded through the domain's rules."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from domain.errors import QuotaExceeded
from domain.timeline import replay
from domain.unit import Unit
from domain.worker import Worker
from ledger.adapters.stores import store_environment
from ledger.application import Ledger
from ledger.runtime import build_ledger
from ledger.settings import Settings
from seed.generate import generate

runner = CliRunner()


def facts(ledger: Ledger) -> list[tuple[str, str, str]]:
    """Every recorded event as (kind, author, data without ids or times), in log order."""
    found = []
    for notification in ledger.recorder.select_notifications(1, 1_000_000):
        event = ledger.mapper.to_domain_event(notification)
        if getattr(event, "recorded_by", "") != "generator":
            continue  # the bootstrap's
        data = {
            k: v
            for k, v in vars(event).items()
            if k
            not in (
                "originator_id",
                "timestamp",
                "unit_id",
                "worker_id",
                "parent_id",
                "child_id",
                "request_id",
                "id",
                "secret_hash",
                "originator_version",
                "chain_hash",  # over the ids and times above
            )
        }
        found.append((type(event).__qualname__, str(getattr(event, "recorded_by", "")), repr(data)))
    return found


def test_the_history_is_a_function_of_the_size_and_the_seed(tmp_path: Path) -> None:
    ledgers = [Ledger(env=store_environment("memory://")) for _ in range(3)]
    for app_ in ledgers:
        app_.bootstrap("baohe-2020")
    generate(ledgers[0], workers=30, years=4, seed=1)
    generate(ledgers[1], workers=30, years=4, seed=1)
    generate(ledgers[2], workers=30, years=4, seed=2)

    first, again, other = (facts(app_) for app_ in ledgers)

    assert first == again
    assert first != other


def test_the_generated_careers_pass_the_domain_rules_and_fill_the_seats(ledger: Ledger) -> None:
    summary = generate(ledger, workers=45, years=5, seed=3)

    schedule = ledger.schedule()
    kinds: Counter[str] = Counter()
    ids = {n.originator_id for n in ledger.recorder.select_notifications(1, 1_000_000)}
    workers = [a for a in map(ledger.repository.get, ids) if isinstance(a, Worker)]
    units = [a for a in map(ledger.repository.get, ids) if isinstance(a, Unit)]
    for worker in workers:
        replay(worker.facts, schedule, strict=True)  # the timeline check holds for all
        kinds.update(type(f).__name__ for f in worker.facts)
    assert len(workers) == summary.workers > 45  # leavers were replaced
    assert {"AppraisalFact", "DismissalFact", "TransferFact", "GradeStepFact"} <= set(kinds)
    for unit in units:
        for approval in unit.approvals:
            assert unit.headcount_on(approval.effective_date) <= approval.quota
    events = ledger.recorder.select_notifications(1, 1_000_000)
    authors = {
        ledger.mapper.to_domain_event(n).recorded_by
        for n in events
        if n.topic.startswith(("domain.worker:", "domain.unit:"))
    }
    assert authors == {"generator"}


def test_the_generator_records_through_the_use_cases_so_a_refusal_surfaces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The seats are the application's: a plan it refuses stops the run, nothing saved."""
    ledger = Ledger(env=store_environment("memory://"))
    ledger.bootstrap("baohe-2020")
    approve = ledger.approve_quota

    def one_seat(*args: object, quota: int, **kwargs: object) -> object:
        return approve(*args, quota=1, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ledger, "approve_quota", one_seat)

    with pytest.raises(QuotaExceeded):
        generate(ledger, workers=30, years=2, seed=1)

    assert facts(ledger) == []  # the street's batch was never flushed


def test_the_command_generates_into_the_configured_ledger_and_reports_the_rate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    monkeypatch.setenv("LEDGER_DATABASE_URL", url)

    result = runner.invoke(app, ["generate", "--workers", "20", "--years", "3"])

    assert result.exit_code == 0, result.output
    assert "events/s" in result.output
    ledger = build_ledger(Settings(database_url=url))
    try:
        assert not ledger.is_empty()
        assert (ledger.recorder.max_notification_id() or 0) > 60
    finally:
        ledger.close()
