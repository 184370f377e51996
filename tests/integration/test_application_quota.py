"""Seats and quota through the ``Ledger`` application, on every store.

A hire or transfer changes the worker and the units' seats in one save; a unit
at its approved quota refuses the hire or transfer and nothing is recorded.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import DispatchConversionRefused, NoApprovedQuota, QuotaExceeded
from domain.vocabulary import Channel, Education, Gender, Post, Rating
from domain.worker import Person
from ledger.application import Ledger
from ledger.commands import Hire
from tests.integration.application_support import (
    ADMIN,
    appraise,
    approve,
    as_,
    build_tree,
    dismiss,
    event_log,
    headcount,
    hire,
    topics_since,
    transfer,
    worker_id,
)


def test_a_hire_is_refused_when_the_unit_is_at_quota_and_nothing_is_recorded(
    ledger: Ledger,
) -> None:
    tree = build_tree(ledger, {"street_a": 1})
    hire(ledger, tree.street_a, name="先到")
    before = event_log(ledger)

    with pytest.raises(QuotaExceeded):
        hire(ledger, tree.street_a, name="后到")

    assert event_log(ledger) == before
    assert headcount(ledger, tree.street_a, date(2021, 3, 1)) == 1


def test_a_hire_is_refused_in_a_unit_without_an_approved_quota(ledger: Ledger) -> None:
    tree = build_tree(ledger)
    before = event_log(ledger)

    with pytest.raises(NoApprovedQuota):
        hire(ledger, tree.street_a)

    assert event_log(ledger) == before


def test_a_future_dated_arrival_already_holds_its_seat(ledger: Ledger) -> None:
    tree = build_tree(ledger, {"street_a": 1})
    hire(ledger, tree.street_a, hire_date=date(2030, 1, 1))
    before = event_log(ledger)

    with pytest.raises(QuotaExceeded):
        hire(ledger, tree.street_a, hire_date=date(2021, 3, 1))

    assert event_log(ledger) == before


def test_lowering_a_quota_below_headcount_is_recorded_and_then_hiring_is_refused(
    ledger: Ledger,
) -> None:
    tree = build_tree(ledger, {"street_a": 2})
    hire(ledger, tree.street_a)
    hire(ledger, tree.street_a)
    before = event_log(ledger)

    view = approve(ledger, tree.street_a, 1, date(2022, 1, 1))

    assert topics_since(ledger, before) == ["QuotaApproved"]
    assert (view["approved_quota"], view["headcount"], view["headroom"]) == (1, 2, -1)
    usage = ledger.quota_usage(ADMIN, tree.street_a, date(2022, 1, 1))
    assert usage["headroom"] == -1
    with pytest.raises(QuotaExceeded):
        hire(ledger, tree.street_a, hire_date=date(2022, 3, 1))


def test_a_dismissal_frees_the_seat_from_its_date(ledger: Ledger) -> None:
    tree = build_tree(ledger, {"street_a": 1})
    leaver = worker_id(hire(ledger, tree.street_a, hire_date=date(2021, 3, 1)))
    before = event_log(ledger)

    dismiss(ledger, leaver, date(2022, 7, 1))

    assert sorted(topics_since(ledger, before)) == ["Dismissed", "SeatsAssigned"]
    assert headcount(ledger, tree.street_a, date(2022, 6, 30)) == 1
    assert headcount(ledger, tree.street_a, date(2022, 7, 1)) == 0
    with pytest.raises(QuotaExceeded):
        hire(ledger, tree.street_a, hire_date=date(2022, 6, 30))
    hire(ledger, tree.street_a, hire_date=date(2022, 7, 1))


def test_a_transfer_frees_the_old_seat_and_takes_the_new_one(ledger: Ledger) -> None:
    tree = build_tree(ledger, {"street_a": 1, "street_b": 1})
    mover = worker_id(hire(ledger, tree.street_a, hire_date=date(2021, 3, 1)))
    before = event_log(ledger)

    result = transfer(ledger, mover, tree.street_b, date(2022, 1, 1))

    assert sorted(topics_since(ledger, before)) == [
        "SeatsAssigned",
        "SeatsAssigned",
        "Transferred",
    ]
    assert result["unit_id"] == str(tree.street_b)
    assert headcount(ledger, tree.street_a, date(2021, 12, 31)) == 1
    assert headcount(ledger, tree.street_a, date(2022, 1, 1)) == 0
    assert headcount(ledger, tree.street_b, date(2021, 12, 31)) == 0
    assert headcount(ledger, tree.street_b, date(2022, 1, 1)) == 1
    # the seat left behind is free from the transfer date
    hire(ledger, tree.street_a, hire_date=date(2022, 1, 1))


def test_a_transfer_into_a_full_unit_is_refused_and_nothing_is_recorded(ledger: Ledger) -> None:
    tree = build_tree(ledger, {"street_a": 1, "street_b": 1})
    mover = worker_id(hire(ledger, tree.street_a))
    hire(ledger, tree.street_b)
    before = event_log(ledger)

    with pytest.raises(QuotaExceeded):
        transfer(ledger, mover, tree.street_b, date(2022, 1, 1))

    assert event_log(ledger) == before
    view = ledger.worker_view(ADMIN, mover, date(2022, 1, 1), None)
    assert view["unit_id"] == str(tree.street_a)
    assert headcount(ledger, tree.street_a, date(2022, 1, 1)) == 1


def test_a_backdated_transfer_must_find_a_seat_on_its_date(ledger: Ledger) -> None:
    tree = build_tree(ledger, {"street_a": 1, "street_b": 1})
    mover = worker_id(hire(ledger, tree.street_a, hire_date=date(2021, 3, 1)))
    leaver = worker_id(hire(ledger, tree.street_b, hire_date=date(2021, 3, 1)))
    dismiss(ledger, leaver, date(2023, 1, 1))

    with pytest.raises(QuotaExceeded):
        transfer(ledger, mover, tree.street_b, date(2022, 6, 1))
    transfer(ledger, mover, tree.street_b, date(2023, 1, 1))

    assert headcount(ledger, tree.street_b, date(2023, 1, 1)) == 1


def test_quota_usage_counts_the_subtree(ledger: Ledger) -> None:
    tree = build_tree(ledger, {"street_a": 3, "community_a": 2, "street_b": 4})
    hire(ledger, tree.street_a)
    hire(ledger, tree.community_a)
    hire(ledger, tree.community_a)
    hire(ledger, tree.street_b)

    usage = ledger.quota_usage(ADMIN, tree.street_a, date(2021, 6, 1))

    assert (usage["approved_quota"], usage["headcount"], usage["headroom"]) == (3, 1, 2)
    assert usage["subtree"]["approved_quota"] == 3 + 2
    assert usage["subtree"]["headcount"] == 1 + 2
    district = ledger.quota_usage(ADMIN, tree.district, date(2021, 6, 1))
    assert district["subtree"]["headcount"] == 4
    assert district["subtree"]["approved_quota"] == 9


def test_dispatch_conversions_beyond_ten_percent_of_the_reported_headcount_record_nothing(
    ledger: Ledger,
) -> None:
    tree = build_tree(ledger, {"street_a": 10})
    ledger.report_dispatch_headcount(as_(), tree.street_a, year=2021, count=19)  # limit 1

    def convert(name: str) -> None:
        ledger.hire(
            as_(),
            Hire(
                person=Person(name, Gender.MALE, date(1990, 1, 1)),
                unit_id=tree.street_a,
                post=Post.ASSISTANT,
                education=Education.ASSOCIATE,
                channel=Channel.DISPATCH_CONVERSION,
                hire_date=date(2021, 5, 1),
                dispatch_service_years=4,
            ),
        )

    convert("转岗一")
    before = event_log(ledger)

    with pytest.raises(DispatchConversionRefused):
        convert("转岗二")

    assert event_log(ledger) == before
    assert headcount(ledger, tree.street_a, date(2021, 5, 1)) == 1


def test_a_second_approval_on_the_same_date_replaces_the_first(ledger: Ledger) -> None:
    tree = build_tree(ledger, {"street_a": 1})
    hire(ledger, tree.street_a)

    approve(ledger, tree.street_a, 2, date(2020, 1, 1))

    hire(ledger, tree.street_a)
    assert headcount(ledger, tree.street_a, date(2021, 3, 1)) == 2


def test_the_unit_view_shows_the_quota_review_three_years_after_the_last_approval(
    ledger: Ledger,
) -> None:
    tree = build_tree(ledger, {"street_a": 5})
    approve(ledger, tree.street_a, 6, date(2022, 4, 1))

    view = ledger.unit_view(ADMIN, tree.street_a, date(2022, 5, 1))

    assert view["approved_quota"] == 6
    assert view["quota_review_due"] == "2025-04-01"
    assert view["computed_quota"] == 75  # street office base 75 x class 2 (1.0)


def test_a_transfer_into_a_unit_without_an_approved_quota_records_nothing(
    ledger: Ledger,
) -> None:
    tree = build_tree(ledger, {"street_a": 1})
    mover = worker_id(hire(ledger, tree.street_a))
    before = event_log(ledger)

    with pytest.raises(NoApprovedQuota):
        transfer(ledger, mover, tree.street_b, date(2022, 1, 1))

    assert event_log(ledger) == before


def test_workers_already_seated_in_an_over_quota_unit_can_still_be_appraised_and_dismissed(
    ledger: Ledger,
) -> None:
    tree = build_tree(ledger, {"street_a": 2})
    staying = worker_id(hire(ledger, tree.street_a, name="留任"))
    leaving = worker_id(hire(ledger, tree.street_a, name="离任"))
    approve(ledger, tree.street_a, 0, date(2021, 6, 1))  # cut below headcount
    before = event_log(ledger)

    appraise(ledger, staying, 2021, Rating.COMPETENT)
    dismiss(ledger, leaving, date(2022, 1, 1))

    assert sorted(topics_since(ledger, before)) == ["Appraised", "Dismissed", "SeatsAssigned"]
    assert ledger.quota_usage(ADMIN, tree.street_a, date(2022, 1, 1))["headroom"] == -1


def test_unit_counts_are_dated_and_the_computed_quota_follows_them(ledger: Ledger) -> None:
    """Households and grids recorded through the use case; under Chibi's formula (adopted
    from 2023) the computed quota on each date follows the counts on that date."""
    from ledger.commands import Context

    tree = build_tree(ledger)
    ctx = Context(ADMIN, "counts")
    # registered with 3000 households: Baohe's rule ignores them, 16 x 1.0
    assert ledger.unit_view(ADMIN, tree.community_a, date(2022, 6, 1))["computed_quota"] == 16
    ledger.adopt_policy(ctx, "chibi-2020", date(2023, 1, 1), "赤政〔2023〕1号")
    # 7 + round(3000 / 500) = 13
    assert ledger.unit_view(ADMIN, tree.community_a, date(2023, 6, 1))["computed_quota"] == 13
    answer = ledger.record_unit_counts(
        ctx, tree.community_a, effective_date=date(2024, 1, 1), households=3300
    )
    assert (answer["households"], answer["computed_quota"]) == (3300, 14)  # 7 + 6.6 -> 7
    ledger.record_unit_counts(ctx, tree.community_a, effective_date=date(2025, 1, 1), grids=9)
    view = ledger.unit_view(ADMIN, tree.community_a, date(2025, 3, 1))
    assert (view["households"], view["grids"], view["computed_quota"]) == (3300, 9, 16)
    assert ledger.unit_view(ADMIN, tree.community_a, date(2023, 6, 1))["computed_quota"] == 13
    # the street office keeps base x class: 75 x 1.0
    assert ledger.unit_view(ADMIN, tree.street_a, date(2025, 3, 1))["computed_quota"] == 75
    assert topics_since(ledger, [])[-1].endswith("CountsRecorded")
