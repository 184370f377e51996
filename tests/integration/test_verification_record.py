"""A run of ``ledger verify`` as a recorded fact: the integrity log (domain/integrity_log.py)."""

from __future__ import annotations

import pytest

from domain.access import Actor
from domain.errors import Forbidden
from domain.vocabulary import Role
from ledger.adapters.integrity import verify
from ledger.application import Ledger

AUDITOR = Actor("审计员", Role.AUDITOR)


def record(ledger: Ledger, ran_by: str = "ops") -> str:
    report = verify(ledger)
    ledger.record_verification(
        ran_by=ran_by,
        intact=report.intact,
        events=report.events,
        aggregates=report.aggregates,
        last_notification_id=report.last_notification_id,
        anchor=str(report.anchor),
        problem_count=report.problem_count,
    )
    return str(report.anchor)


def test_no_run_recorded_reads_as_an_empty_list(ledger: Ledger) -> None:
    assert ledger.verifications(AUDITOR) == []


def test_runs_are_listed_newest_first_with_their_operator_and_anchor(ledger: Ledger) -> None:
    first = record(ledger, "张工")
    second = record(ledger, "李工")

    runs = ledger.verifications(AUDITOR)

    assert [(r["recorded_by"], r["anchor"]) for r in runs] == [("李工", second), ("张工", first)]
    assert runs[0]["intact"] is True and runs[0]["result"] == "intact"
    # The second run saw the first one's record: the log is part of the ledger it checks.
    assert runs[0]["events"] == runs[1]["events"] + 2  # the log's Opened and first Verified
    assert ledger.verifications(AUDITOR, limit=1) == runs[:1]


def test_a_broken_run_keeps_no_anchor_and_names_its_first_problem(ledger: Ledger) -> None:
    ledger.record_verification(
        ran_by="ops",
        intact=False,
        events=10,
        aggregates=3,
        last_notification_id=10,
        anchor="10:10:" + "0" * 64,
        problem_count=2,
        first_problem="deleted (notification 4): version 2 of this aggregate is missing",
    )

    (run,) = ledger.verifications(AUDITOR)

    assert run["result"] == "broken" and run["anchor"] is None
    assert run["problem_count"] == 2 and run["first_problem"].startswith("deleted")


def test_the_recorded_run_itself_verifies(ledger: Ledger) -> None:
    record(ledger)
    assert verify(ledger).intact


def test_a_reporter_may_not_read_the_runs(ledger: Ledger) -> None:
    with pytest.raises(Forbidden):
        ledger.verifications(Actor("报表员", Role.REPORTER))
