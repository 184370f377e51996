"""The month-by-month quota series agrees with the quota usage of each of its days."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from ledger.application import Ledger
from projections.queries import quota
from tests.integration.read_model_support import District, projected_district

UNTIL = date(2026, 1, 20)


@pytest.fixture
def district(ledger: Ledger, store: str) -> Iterator[District]:
    with projected_district(ledger, store, seed=11, workers=120) as found:
        yield found


def test_each_month_s_point_is_the_subtree_usage_of_its_day(district: District) -> None:
    top = next(u for u in district.units if u.parent_id is None)
    street = next(u for u in district.units if u.parent_id == top.id)
    for root in (None, str(top.id), str(street.id)):
        points = quota.monthly(district.store, root, UNTIL)
        assert points[-1]["day"] == UNTIL.isoformat()
        assert [p["month"] for p in points] == sorted({p["month"] for p in points})
        for point in points[::5] + points[-2:]:
            day = date.fromisoformat(point["day"])
            rows = quota.usage(
                district.store, root, day, review_years=0, schedule=district.ledger.schedule()
            )
            expected = quota.totals(rows) if root is None else rows[0]["subtree"]
            assert (point["approved_quota"], point["headcount"]) == (
                expected["approved_quota"],
                expected["headcount"],
            ), point


def test_points_are_month_ends_from_the_first_approval_or_hire(district: District) -> None:
    points = quota.monthly(district.store, None, UNTIL)
    first = min(
        [a.effective_date for unit in district.units for a in unit.approvals]
        + [w.hire_fact.effective_date for w in district.workers]
    )
    assert points[0]["month"] == first.isoformat()[:7]
    for point in points[:-1]:
        assert (date.fromisoformat(point["day"]) + timedelta(days=1)).day == 1
    assert quota.monthly(district.store, None, date(2000, 1, 1)) == []


def test_the_unit_index_names_every_unit_with_its_parent(district: District) -> None:
    index = quota.unit_index(district.store)
    assert {u: (i["name"], i["parent_id"]) for u, i in index.items()} == {
        str(u.id): (u.name, str(u.parent_id) if u.parent_id else None) for u in district.units
    }
