"""The three rule reports agree with domain.rules run on every worker's aggregate, on a
generated district, on each store and on several dates, before and after the steps are applied."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.rules import dismissal_due, promotion_candidate, step_clock
from domain.timeline import replay
from ledger.application import Ledger
from ledger.commands import ApplySteps
from projections.queries import rules
from tests.integration.application_support import as_
from tests.integration.read_model_support import District, projected_district

DAYS = [
    date(2020, 12, 31),
    date(2022, 1, 1),
    date(2023, 12, 31),
    date(2024, 1, 1),
    date(2025, 2, 15),
    date(2026, 1, 31),  # the demo's last day
]


@pytest.fixture
def district(ledger: Ledger, store: str) -> Iterator[District]:
    with projected_district(ledger, store, seed=7) as found:
        yield found


def expected(district: District, day: date) -> dict[str, Any]:
    """Each report recomputed from the aggregates with domain.rules alone."""
    schedule = district.ledger.schedule()
    steps, candidates, dismissals = [], [], []
    for worker in district.fresh_workers():
        state = replay(worker.facts, schedule, day)
        key = str(worker.id)
        for due in step_clock(state, schedule).due:
            if due.effective_date <= day:
                ratings = [(y, state.appraisals[y].value) for y in due.caused_by_years]
                steps.append((key, due.effective_date.isoformat(), ratings, due.policy_version))
        if promotion_candidate(state, schedule):
            candidates.append((key, state.post))
        due_by = dismissal_due(state, schedule)
        if due_by is not None:
            dismissals.append((key, due_by.isoformat()))
    return {"steps": steps, "candidates": candidates, "dismissals": dismissals}


def reported(district: District, day: date) -> dict[str, Any]:
    store = district.store
    schedule = district.ledger.schedule()
    return {
        "steps": [
            (
                s["worker_id"],
                s["effective_date"],
                [(c["year"], c["rating"]) for c in s["caused_by"]],
                s["policy_version"],
            )
            for s in rules.steps_due(store, None, day, schedule)
        ],
        "candidates": [
            (c["worker_id"], c["post"])
            for c in rules.promotion_candidates(store, None, day, schedule)
        ],
        "dismissals": [
            (d["worker_id"], d["due_date"])
            for d in rules.dismissals_required(store, None, day, schedule)
        ],
    }


def check(district: District, day: date) -> dict[str, Any]:
    want = expected(district, day)
    got = reported(district, day)
    for report in want:
        assert sorted(got[report]) == sorted(want[report]), (report, day)
    return want


def test_the_rule_reports_agree_with_the_rules_on_every_worker(district: District) -> None:
    seen = {"steps": 0, "candidates": 0, "dismissals": 0}
    for day in DAYS:
        for report, items in check(district, day).items():
            seen[report] += len(items)
    assert all(seen.values()), f"the generated district exercises every rule: {seen}"


def test_after_applying_the_steps_the_reports_still_agree(district: District) -> None:
    day = date(2025, 2, 15)
    listed = {
        s["worker_id"]
        for s in rules.steps_due(district.store, None, day, district.ledger.schedule())
    }
    for worker_id in sorted(listed):
        district.ledger.apply_steps(as_(), ApplySteps(UUID(worker_id), day))
    district.projector.catch_up()
    assert rules.steps_due(district.store, None, day, district.ledger.schedule()) == []
    for later in DAYS:
        check(district, later)
