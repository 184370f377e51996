"""Units: the tree, approved quotas, seats, and dispatch conversions."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import (
    DispatchConversionRefused,
    InvalidInput,
    NoApprovedQuota,
    QuotaExceeded,
)
from domain.timeline import Placement
from domain.unit import Seat, Unit
from domain.vocabulary import Channel, DismissalReason, UnitKind
from tests.unit.builders import (
    SCHEDULE,
    E,
    community_with_quota,
    hire_into,
    new_events,
    refused,
    sync_seats,
    unit_tree,
)

APPROVAL = "包编〔2020〕1号"


def approve(unit: Unit, quota: int, on: date, ref: str = APPROVAL) -> None:
    unit.approve_quota(quota=quota, effective_date=on, document_ref=ref)
    unit.collect_events()


def refused_hire(unit: Unit, error: type[E], **kwargs: Any) -> E:
    return refused(unit, lambda: hire_into(unit, **kwargs), error)


# -- the tree -------------------------------------------------------------------------------------


def test_a_district_has_no_parent_a_street_office_sits_under_it_and_communities_under_that() -> (
    None
):
    district = Unit.register(name="区", kind=UnitKind.DISTRICT, parent=None)
    street = Unit.register(name="街道", kind=UnitKind.STREET_OFFICE, parent=district)
    communities = [
        Unit.register(name=kind.value, kind=kind, parent=street)
        for kind in (
            UnitKind.URBAN_COMMUNITY,
            UnitKind.ADMINISTRATIVE_VILLAGE,
            UnitKind.VILLAGE_CONVERTED_COMMUNITY,
        )
    ]

    assert street.parent_id == district.id
    assert district.children == [street.id]
    assert street.children == [c.id for c in communities]
    assert new_events(street) == ["Registered"] + ["ChildRegistered"] * 3


@pytest.mark.parametrize(
    ("kind", "parent_kind"),
    [
        (UnitKind.DISTRICT, UnitKind.DISTRICT),
        (UnitKind.STREET_OFFICE, None),
        (UnitKind.STREET_OFFICE, UnitKind.STREET_OFFICE),
        (UnitKind.URBAN_COMMUNITY, None),
        (UnitKind.URBAN_COMMUNITY, UnitKind.DISTRICT),
        (UnitKind.ADMINISTRATIVE_VILLAGE, UnitKind.URBAN_COMMUNITY),
        (UnitKind.VILLAGE_CONVERTED_COMMUNITY, UnitKind.DISTRICT),
    ],
)
def test_a_unit_under_the_wrong_kind_of_parent_is_refused(
    kind: UnitKind, parent_kind: UnitKind | None
) -> None:
    district, street, community = unit_tree()
    parent = {
        None: None,
        UnitKind.DISTRICT: district,
        UnitKind.STREET_OFFICE: street,
        UnitKind.URBAN_COMMUNITY: community,
    }[parent_kind]

    with pytest.raises(InvalidInput) as refusal:
        Unit.register(name="新单位", kind=kind, parent=parent)

    assert refusal.value.field == "parent_id"
    if parent is not None:
        assert parent.collect_events() == []


# -- approved quota -------------------------------------------------------------------------------


def test_a_hire_is_refused_when_the_unit_has_no_approved_quota() -> None:
    unit = community_with_quota(None)
    error = refused_hire(unit, NoApprovedQuota)
    assert error.code == "no_approved_quota"


def test_a_hire_dated_before_the_first_approval_is_refused_for_lack_of_quota() -> None:
    unit = community_with_quota(3, since=date(2021, 1, 1))
    refused_hire(unit, NoApprovedQuota, hire_date=date(2020, 12, 31))
    hire_into(unit, hire_date=date(2021, 1, 1))


def test_a_hire_is_refused_when_the_unit_is_at_quota() -> None:
    unit = community_with_quota(2)
    hire_into(unit)
    hire_into(unit)

    error = refused_hire(unit, QuotaExceeded)

    assert error.code == "quota_exceeded"
    assert unit.headcount_on(date(2021, 1, 1)) == 2


def test_a_hire_into_a_free_seat_records_the_seat_from_the_hire_date() -> None:
    unit = community_with_quota(1)
    worker = hire_into(unit, hire_date=date(2021, 4, 1))

    assert list(unit.seats) == [worker.id]
    assert unit.headcount_on(date(2021, 3, 31)) == 0
    assert unit.headcount_on(date(2021, 4, 1)) == 1


def test_a_future_dated_arrival_occupies_its_seat_already() -> None:
    unit = community_with_quota(1)
    hire_into(unit, hire_date=date(2030, 1, 1))

    # A hire today would still hold the seat in 2030.
    refused_hire(unit, QuotaExceeded, hire_date=date(2021, 1, 1))


def test_lowering_a_quota_below_the_headcount_is_allowed_and_then_hiring_is_refused() -> None:
    unit = community_with_quota(3)
    for _ in range(3):
        hire_into(unit)

    unit.approve_quota(quota=1, effective_date=date(2021, 1, 1), document_ref="包编〔2021〕2号")

    assert new_events(unit) == ["QuotaApproved"]
    assert unit.approval_on(date(2021, 1, 1)).quota == 1  # type: ignore[union-attr]
    assert unit.headcount_on(date(2021, 1, 1)) == 3
    refused_hire(unit, QuotaExceeded, hire_date=date(2021, 6, 1))


def test_a_dismissal_frees_the_seat_from_its_date() -> None:
    unit = community_with_quota(1)
    leaver = hire_into(unit, hire_date=date(2020, 3, 1))
    leaver.dismiss(
        effective_date=date(2022, 7, 1), reason=DismissalReason.RESIGNATION, schedule=SCHEDULE
    )
    sync_seats(leaver, unit)
    unit.collect_events()

    refused_hire(unit, QuotaExceeded, hire_date=date(2022, 6, 30))
    hire_into(unit, hire_date=date(2022, 7, 1))
    assert unit.headcount_on(date(2022, 6, 30)) == 1
    assert unit.headcount_on(date(2022, 7, 1)) == 1


def test_a_quota_that_becomes_lower_in_the_future_blocks_a_hire_now_that_would_overfill_it() -> (
    None
):
    unit = community_with_quota(2)
    hire_into(unit)
    approve(unit, 1, date(2025, 1, 1), "包编〔2024〕9号")

    # A second seat is free today, but from 2025 only one seat is approved.
    refused_hire(unit, QuotaExceeded, hire_date=date(2021, 1, 1))


def test_a_quota_that_becomes_higher_in_the_future_admits_a_hire_from_that_date() -> None:
    unit = community_with_quota(1)
    hire_into(unit)
    approve(unit, 2, date(2025, 1, 1), "包编〔2024〕9号")

    refused_hire(unit, QuotaExceeded, hire_date=date(2024, 12, 31))
    hire_into(unit, hire_date=date(2025, 1, 1))


def test_a_later_recorded_approval_with_the_same_effective_date_replaces_the_earlier() -> None:
    unit = community_with_quota(1, since=date(2020, 1, 1))
    approve(unit, 3, date(2020, 1, 1), "包编〔2020〕1号(更正)")

    assert unit.approval_on(date(2020, 6, 1)).quota == 3  # type: ignore[union-attr]
    hire_into(unit)
    hire_into(unit)


def test_a_quota_approval_needs_its_document_number_and_a_non_negative_quota() -> None:
    unit = community_with_quota(None)
    refused(
        unit,
        lambda: unit.approve_quota(quota=3, effective_date=date(2020, 1, 1), document_ref=" "),
        InvalidInput,
    )
    refused(
        unit,
        lambda: unit.approve_quota(quota=-1, effective_date=date(2020, 1, 1), document_ref="x"),
        InvalidInput,
    )


def test_a_transfer_frees_the_old_seat_and_takes_the_new_one_from_its_date() -> None:
    origin = community_with_quota(1)
    destination = community_with_quota(1)
    mover = hire_into(origin, hire_date=date(2020, 3, 1))

    mover.transfer(unit_id=destination.id, effective_date=date(2022, 1, 1), schedule=SCHEDULE)
    sync_seats(mover, origin, destination)

    assert new_events(origin) == ["SeatsAssigned"]
    assert new_events(destination) == ["SeatsAssigned"]
    assert origin.headcount_on(date(2021, 12, 31)) == 1
    assert origin.headcount_on(date(2022, 1, 1)) == 0
    assert destination.headcount_on(date(2021, 12, 31)) == 0
    assert destination.headcount_on(date(2022, 1, 1)) == 1
    hire_into(origin, hire_date=date(2022, 1, 1))


def test_a_transfer_into_a_full_unit_is_refused() -> None:
    origin = community_with_quota(1)
    destination = community_with_quota(1)
    mover = hire_into(origin)
    hire_into(destination)

    mover.transfer(unit_id=destination.id, effective_date=date(2022, 1, 1), schedule=SCHEDULE)
    with pytest.raises(QuotaExceeded):
        destination.assign_seats(
            worker_id=mover.id, placements=mover.state(SCHEDULE).placements, schedule=SCHEDULE
        )
    assert destination.collect_events() == []


def test_shortening_a_seat_never_needs_a_free_seat() -> None:
    unit = community_with_quota(2)
    staying = hire_into(unit)
    hire_into(unit)
    approve(unit, 0, date(2021, 1, 1), "包编〔2021〕3号")  # quota cut below headcount

    staying.dismiss(
        effective_date=date(2023, 1, 1), reason=DismissalReason.RETIREMENT, schedule=SCHEDULE
    )
    sync_seats(staying, unit)

    assert new_events(unit) == ["SeatsAssigned"]


# -- dispatch conversion --------------------------------------------------------------------------


def convert(unit: Unit, year: int = 2021) -> None:
    hire_into(
        unit,
        hire_date=date(year, 3, 1),
        channel=Channel.DISPATCH_CONVERSION,
        dispatch_service_years=3,
    )


def test_dispatch_conversions_are_limited_to_ten_percent_of_reported_headcount_rounded_down() -> (
    None
):
    unit = community_with_quota(10)
    unit.report_dispatch_headcount(year=2021, count=29)  # 10% of 29 = 2.9 -> 2
    unit.collect_events()
    convert(unit)
    convert(unit)

    error = refused(unit, lambda: convert(unit), DispatchConversionRefused)

    assert error.code == "dispatch_conversion_refused"
    assert unit.headcount_on(date(2021, 6, 1)) == 2


def test_a_headcount_below_ten_allows_no_dispatch_conversion() -> None:
    unit = community_with_quota(10)
    unit.report_dispatch_headcount(year=2021, count=9)
    unit.collect_events()
    refused(unit, lambda: convert(unit), DispatchConversionRefused)


def test_dispatch_conversions_are_counted_per_calendar_year() -> None:
    unit = community_with_quota(10)
    unit.report_dispatch_headcount(year=2021, count=10)
    unit.report_dispatch_headcount(year=2022, count=10)
    unit.collect_events()
    convert(unit, 2021)
    refused(unit, lambda: convert(unit, 2021), DispatchConversionRefused)

    convert(unit, 2022)


def test_a_dispatch_conversion_is_refused_without_a_reported_headcount_for_its_year() -> None:
    unit = community_with_quota(10)
    unit.report_dispatch_headcount(year=2020, count=50)
    unit.collect_events()
    refused(unit, lambda: convert(unit, 2021), DispatchConversionRefused)


def test_a_dispatch_conversion_needs_a_seat_within_quota() -> None:
    unit = community_with_quota(1)
    unit.report_dispatch_headcount(year=2021, count=50)
    unit.collect_events()
    hire_into(unit)
    refused(unit, lambda: convert(unit), QuotaExceeded)


def test_open_recruitment_is_not_limited_by_the_dispatch_conversion_share() -> None:
    unit = community_with_quota(5)
    unit.report_dispatch_headcount(year=2021, count=10)
    unit.collect_events()
    convert(unit)
    hire_into(unit, hire_date=date(2021, 3, 1))
    hire_into(unit, hire_date=date(2021, 3, 1))
    assert unit.headcount_on(date(2021, 3, 1)) == 3


def test_a_reported_dispatch_headcount_cannot_be_negative() -> None:
    unit = community_with_quota(5)
    refused(unit, lambda: unit.report_dispatch_headcount(year=2021, count=-1), InvalidInput)


def _day(n: int) -> date:
    return date(2020, 1, 1) + timedelta(days=n)


stretch = st.tuples(st.integers(0, 60), st.one_of(st.none(), st.integers(1, 30)))


@settings(max_examples=300, deadline=None)
@given(
    others=st.lists(stretch, max_size=12),
    quotas=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 6)), min_size=1, max_size=3),
    wanted=st.lists(stretch, min_size=1, max_size=2),
)
def test_a_seat_is_refused_exactly_when_some_day_of_it_would_exceed_that_days_quota(
    others: list[tuple[int, int | None]],
    quotas: list[tuple[int, int]],
    wanted: list[tuple[int, int | None]],
) -> None:
    """The check looks only at the days occupancy can change; a day-by-day count agrees."""
    unit = community_with_quota(None)
    for start, quota in sorted(quotas):
        approve(unit, quota, _day(start), ref=f"包编〔2020〕{start}号")
    seats = [Seat(_day(s), _day(s + length) if length else None) for s, length in others]
    unit.seats = {uuid4(): (seat,) for seat in seats}
    new = [Seat(_day(s), _day(s + length) if length else None) for s, length in wanted]
    placements = [Placement(unit.id, s.start, s.end) for s in new]

    def overfull(day: date) -> bool:
        approval = unit.approval_on(day)
        taken = sum(seat.holds(day) for seat in seats)
        return approval is None or taken + 1 > approval.quota

    expected = any(overfull(_day(n)) for n in range(120) if any(s.holds(_day(n)) for s in new))
    try:
        unit.assign_seats(worker_id=uuid4(), placements=placements, schedule=SCHEDULE)
    except (QuotaExceeded, NoApprovedQuota):
        assert expected
    else:
        assert not expected


def test_a_copied_unit_shares_no_container_with_the_original() -> None:
    """The repository hands out copies of cached aggregates: a command's changes to its
    copy must never show in the cache, down to the lists inside dicts."""
    unit = community_with_quota(5)
    unit.report_dispatch_headcount(year=2020, count=30)
    unit.collect_events()
    hire_into(unit, channel=Channel.DISPATCH_CONVERSION, dispatch_service_years=3)
    unit.collect_events()
    copied = copy.deepcopy(unit)
    hire_into(copied, channel=Channel.DISPATCH_CONVERSION, dispatch_service_years=3)
    approve(copied, 9, date(2022, 1, 1), ref="包编〔2022〕1号")

    assert len(copied.seats) == 2 and len(unit.seats) == 1
    assert len(copied.conversions[2020]) == 2 and len(unit.conversions[2020]) == 1
    assert len(copied.approvals) == 2 and len(unit.approvals) == 1
    assert copied.id == unit.id and copied.version == unit.version + 2
