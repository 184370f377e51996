"""The roster and quota-usage reports agree with the aggregates, replayed independently."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.access import Actor
from domain.timeline import replay
from domain.unit import Unit
from domain.vocabulary import Post, Role, WorkerStatus
from ledger import views
from ledger.application import Ledger
from projections.queries import quota, roster
from tests.integration.read_model_support import District, projected_district

ADMIN = Actor("admin", Role.ADMIN)
DAYS = [
    date(2020, 8, 19),  # before the first approvals
    date(2020, 9, 1),  # the transition staff arrive
    date(2021, 6, 30),
    date(2023, 8, 20),  # the three-yearly review
    date(2024, 12, 31),
    date(2026, 1, 31),  # the demo's last day
]


@pytest.fixture
def district(ledger: Ledger, store: str) -> Iterator[District]:
    with projected_district(ledger, store, seed=11) as found:
        yield found


def replayed_headcount(district: District, day: date) -> Counter[tuple[UUID, Post]]:
    schedule = district.ledger.schedule()
    counts: Counter[tuple[UUID, Post]] = Counter()
    for worker in district.workers:
        state = replay(worker.facts, schedule, day)
        if state.status is WorkerStatus.ACTIVE:
            counts[(state.unit_id, state.post)] += 1
    return counts


def subtree_of(units: list[Unit], root: Unit) -> list[Unit]:
    children: dict[UUID | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    found, todo = [], [root]
    while todo:
        unit = todo.pop()
        found.append(unit)
        todo += children.get(unit.id, [])
    return found


def test_quota_usage_agrees_with_every_worker_replayed(district: District) -> None:
    for day in DAYS:
        check_quota_usage(district, day)


def test_the_roster_agrees_with_every_worker_replayed(district: District) -> None:
    for day in DAYS:
        check_roster(district, day)


def check_quota_usage(district: District, day: date) -> None:
    schedule = district.ledger.schedule()
    review_years = schedule.on(day).quota_review_years
    rows = {r["unit_id"]: r for r in quota.usage(district.store, None, day, review_years, schedule)}
    counts = replayed_headcount(district, day)
    assert len(rows) == len(district.units)
    for unit in district.units:
        row = rows[str(unit.id)]
        by_post = {post.value: counts[(unit.id, post)] for post in Post}
        approval = unit.approval_on(day)
        expected_quota = approval.quota if approval else None
        headcount = sum(by_post.values())
        assert headcount == unit.headcount_on(day), "the seats agree with the replay"
        assert row["by_post"] == by_post
        assert row["headcount"] == headcount
        assert row["approved_quota"] == expected_quota
        assert row["headroom"] == (None if expected_quota is None else expected_quota - headcount)
        assert row["quota_review_due"] == views.unit(unit, schedule, day)["quota_review_due"]
        below = subtree_of(district.units, unit)
        sub_quota = sum(a.quota for u in below if (a := u.approval_on(day)))
        sub_headcount = sum(counts[(u.id, p)] for u in below for p in Post)
        assert row["subtree"] == {
            "units": len(below),
            "approved_quota": sub_quota,
            "headcount": sub_headcount,
            "headroom": sub_quota - sub_headcount,
        }
        assert quota.unit_usage(district.store, str(unit.id), day, schedule) == (
            district.ledger.quota_usage(ADMIN, unit.id, day)
        ), "ready to answer GET /units/{id}/quota-usage as the aggregates do"
    totals = quota.totals(list(rows.values()))
    assert totals["headcount"] == sum(counts.values())


def check_roster(district: District, day: date) -> None:
    schedule = district.ledger.schedule()
    listed = {
        r["worker_id"]: r
        for r in roster.every(district.store, roster.RosterFilter(day, schedule), 40)
    }
    assert len(listed) == len(district.workers)
    for worker in district.workers:
        state = replay(worker.facts, schedule, day)
        if state.status is WorkerStatus.NOT_YET_HIRED:
            # Shown as on the first day: with the facts dated on the hire date (a
            # transition worker's certificate, say), which replay leaves out before it.
            first_day = replay(worker.facts, schedule, state.hire_date)
            state = replace(first_day, status=WorkerStatus.NOT_YET_HIRED)
        row: dict[str, Any] = listed[str(worker.id)]
        assert (row["status"], row["unit_id"], row["post"], row["grade"]) == (
            state.status.value,
            str(state.unit_id),
            state.post,
            state.grade,
        )
        assert row["education"] == state.education.value
        assert row["certificate"] == (state.certificate.value if state.certificate else None)
    by_status = Counter(r["status"] for r in listed.values())
    for status in WorkerStatus:
        only = roster.every(district.store, roster.RosterFilter(day, schedule, status=status))
        assert sum(1 for _ in only) == by_status[status.value]
