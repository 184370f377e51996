"""Effective date and recorded time through the ``Ledger`` application, on every store.

"What did we know at time T about date D" uses only the facts recorded by T.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.errors import NotFound
from domain.vocabulary import Post, Rating
from ledger.application import Ledger
from tests.integration.application_support import (
    ADMIN,
    appraise,
    as_,
    build_tree,
    change_grade,
    hire,
    worker_id,
)

C = Rating.COMPETENT


def last_recorded_at(ledger: Ledger, aggregate: UUID) -> datetime:
    *_, last = ledger.events.get(aggregate)
    recorded: datetime = last.timestamp  # type: ignore[attr-defined]
    return recorded


@pytest.fixture
def street(ledger: Ledger) -> UUID:
    return build_tree(ledger, {"street_a": 10}).street_a


def test_a_late_recorded_appraisal_is_invisible_at_an_earlier_known_at(
    ledger: Ledger, street: UUID
) -> None:
    worker = worker_id(hire(ledger, street, hire_date=date(2021, 3, 1), grade=3))
    appraise(ledger, worker, 2021, C)
    appraise(ledger, worker, 2022, C)
    known_then = last_recorded_at(ledger, worker)
    appraise(ledger, worker, 2023, C)  # recorded later, effective 31 December 2023

    then = ledger.worker_view(ADMIN, worker, date(2024, 2, 1), known_then)
    now = ledger.worker_view(ADMIN, worker, date(2024, 2, 1), None)

    assert (then["step_clock_years"], then["steps_due"]) == (2, [])
    assert [d["caused_by_years"] for d in now["steps_due"]] == [[2021, 2022, 2023]]
    assert then["known_at"] == known_then.isoformat()


def test_the_history_at_an_earlier_known_at_lists_only_the_facts_recorded_by_then(
    ledger: Ledger, street: UUID
) -> None:
    worker = worker_id(hire(ledger, street, hire_date=date(2021, 3, 1)))
    appraise(ledger, worker, 2022, C)
    known_then = last_recorded_at(ledger, worker)
    appraise(ledger, worker, 2021, C)  # backdated: recorded after 2022's

    then = ledger.worker_history(ADMIN, worker, known_then)
    now = ledger.worker_history(ADMIN, worker, None)

    assert [(i["type"], i["effective_date"]) for i in then] == [
        ("Hired", "2021-03-01"),
        ("Appraised", "2022-12-31"),
    ]
    # effective-date order, whatever the recorded order
    assert [(i["type"], i["effective_date"]) for i in now] == [
        ("Hired", "2021-03-01"),
        ("Appraised", "2021-12-31"),
        ("Appraised", "2022-12-31"),
    ]
    assert all(i["recorded_by"] == "admin" for i in now)


def test_a_late_recorded_grade_change_shows_as_arrears_between_two_known_at_times(
    ledger: Ledger, street: UUID
) -> None:
    worker = worker_id(hire(ledger, street, post=Post.ASSISTANT, grade=1))
    known_in_january = last_recorded_at(ledger, worker)
    change_grade(ledger, worker, 2, date(2022, 1, 1))  # recorded later, backdated

    january_then = ledger.worker_view(ADMIN, worker, date(2022, 1, 1), known_in_january)
    january_now = ledger.worker_view(ADMIN, worker, date(2022, 1, 1), None)

    assert (january_then["grade"], january_now["grade"]) == (1, 2)
    arrears = Decimal(january_now["monthly_pay"]) - Decimal(january_then["monthly_pay"])
    assert january_then["monthly_pay"] == "2620.00"
    assert arrears > 0


def test_a_worker_is_not_found_at_a_known_at_before_the_hire_was_recorded(
    ledger: Ledger, street: UUID
) -> None:
    before_anything = last_recorded_at(ledger, street)
    worker = worker_id(hire(ledger, street))

    with pytest.raises(NotFound):
        ledger.worker_view(ADMIN, worker, date(2022, 1, 1), before_anything)


def test_every_recorded_fact_carries_who_recorded_it_and_the_request(
    ledger: Ledger, street: UUID
) -> None:
    ctx = as_()
    worker = worker_id(hire(ledger, street, ctx=ctx))

    events: list[Any] = list(ledger.events.get(worker))

    assert [(e.recorded_by, e.request_id) for e in events] == [("admin", ctx.request_id)]
