"""The payroll from the read model agrees with ``pay_for_month`` on every worker's aggregate."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.pay import month_bounds, pay_for_month
from domain.policy import load_document
from domain.timeline import replay
from domain.unit import Unit
from ledger.application import Ledger
from projections.queries import payroll
from tests.integration.read_model_support import District, projected_district

MONTHS = ["2020-08", "2020-09", "2021-06", "2023-01", "2024-01", "2025-12", "2026-01"]


@pytest.fixture
def district(ledger: Ledger, store: str) -> Iterator[District]:
    with projected_district(ledger, store, seed=23) as found:
        yield found


def subtree_ids(units: list[Unit], root: Unit) -> set[str]:
    children: dict[UUID | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    found, todo = set(), [root]
    while todo:
        unit = todo.pop()
        found.add(str(unit.id))
        todo += children.get(unit.id, [])
    return found


def expected(district: District, month: str, within: set[str] | None) -> dict[str, Any]:
    """Each paid worker's line, from ``pay_for_month`` on the aggregate's facts."""
    schedule = district.ledger.schedule()
    first, _ = month_bounds(month)
    lines = {}
    for worker in district.workers:
        line = pay_for_month(worker.facts, schedule, month)
        unit_id = str(replay(worker.facts, schedule, first).unit_id)
        if line is not None and (within is None or unit_id in within):
            lines[str(worker.id)] = (unit_id, line)
    return lines


def check(found: list[dict[str, Any]], wanted: dict[str, Any]) -> None:
    assert len(found) == len(wanted)
    for row in found:
        unit_id, line = wanted[row["worker_id"]]
        assert row["unit_id"] == unit_id
        assert (row["post"], row["grade"], row["policy_version"]) == (
            line.post,
            line.grade,
            line.policy_version,
        )
        for key in ("coefficient", "base", "allowance", "total", "city_share", "local_share"):
            assert row[key] == getattr(line, key), (row["worker_id"], key)
    totals = payroll.totals(found)
    assert totals["workers"] == len(wanted)
    assert totals["total"] == sum((line.total for _, line in wanted.values()), Decimal(0))
    assert totals["city_share"] + totals["local_share"] == totals["total"]


def test_the_payroll_of_every_month_agrees_with_pay_for_month_line_by_line(
    district: District,
) -> None:
    schedule = district.ledger.schedule()
    for month in MONTHS:
        found = payroll.lines(district.store, None, month, schedule)
        check(found, expected(district, month, None))
    assert payroll.lines(district.store, None, "2026-01", schedule), "the demo pays someone"


def test_a_subtree_s_payroll_agrees_with_pay_for_month_for_its_units(district: District) -> None:
    schedule = district.ledger.schedule()
    streets = [u for u in district.units if u.parent_id is not None and u.kind.value != "district"]
    for street in streets[:3]:
        within = subtree_ids(district.units, street)
        for month in ("2021-06", "2026-01"):
            found = payroll.lines(district.store, str(street.id), month, schedule)
            check(found, expected(district, month, within))


def test_the_payroll_as_known_now_agrees_with_the_read_model(district: District) -> None:
    now = datetime.now(UTC)
    schedule = district.ledger.schedule()
    for month in ("2023-01", "2026-01"):
        known = payroll.lines_as_known(district.ledger, district.store, None, month, now)
        assert known == payroll.lines(district.store, None, month, schedule)


def test_nothing_is_paid_as_known_before_the_ledger_knew_anything(district: District) -> None:
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)

    assert payroll.lines_as_known(district.ledger, district.store, None, "2026-01", long_ago) == []


SPLIT = {
    "basic_share": "0.7",
    "performance_paid": {
        "excellent": "1",
        "competent": "1",
        "basically_competent": "0.5",
        "unqualified": "0",
    },
}


def test_a_split_payroll_agrees_with_pay_for_month_rating_by_rating(district: District) -> None:
    """Pay split 70/30 with the performance part by the year's rating: the read model reads
    the ratings from the recorded history, the aggregate from its facts."""
    from ledger.commands import Context
    from tests.integration.application_support import ADMIN

    ledger = district.ledger
    latest = max(v["effective_date"] for v in ledger.policy_versions())
    start = max(latest + timedelta(days=1), date(2022, 1, 1))
    document = load_document("baohe-2020")
    document["parameters"]["pay_split"] = {"value": SPLIT, "source": "published"}
    ledger.adopt_policy(Context(ADMIN, "split"), document, start, "本溪 2023")
    district.projector.catch_up()
    schedule = ledger.schedule()
    months = [f"{year}-{month:02d}" for year in range(start.year + 1, 2027) for month in (1, 7)]
    ratings = set()
    for month in months:
        found = payroll.lines(district.store, None, month, schedule)
        wanted = expected(district, month, None)
        check(found, wanted)
        for row in found:
            line = wanted[row["worker_id"]][1]
            assert (row["basic"], row["performance"]) == (line.basic, line.performance)
            assert row["performance_rating"] == (
                line.performance_rating.value if line.performance_rating else None
            )
            assert row["basic"] + row["performance"] + row["allowance"] == row["total"]
            ratings.add(row["performance_rating"])
    assert {"competent", "unqualified"} <= ratings or {"competent", None} <= ratings
