"""People's accounts and console sessions: lock-out timing, expiry, password rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.account import (
    PersonAccount,
    account_id,
    check_password_strength,
    lock_for,
)
from domain.errors import AccountLocked, InvalidInput, SignInRefused, Unauthorized
from domain.session import CloseReason, ConsoleSession, session_id
from domain.vocabulary import Role

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
IDLE = timedelta(minutes=30)


def account(role: Role = Role.ADMIN) -> PersonAccount:
    made = PersonAccount.create(name="张三", role=role, unit_id=None, password_hash="h")
    made.collect_events()
    return made


def names(aggregate: PersonAccount | ConsoleSession) -> list[str]:
    return [type(e).__name__ for e in aggregate.collect_events()]


def test_the_account_is_found_by_its_name_however_it_is_typed() -> None:
    assert account_id(" ＡＤＭＩＮ ") == account_id("admin") == account().create_id("admin")
    assert account().id == account_id("张三")


def test_a_new_account_must_change_its_one_time_password() -> None:
    assert account().must_change_password


def test_a_clerks_account_needs_a_unit() -> None:
    with pytest.raises(InvalidInput):
        PersonAccount.create(name="李四", role=Role.CLERK, unit_id=None, password_hash="h")
    assert PersonAccount.create(name="李四", role=Role.CLERK, unit_id=uuid4(), password_hash="h")


def test_four_failures_do_not_lock_and_the_fifth_locks_for_30_seconds() -> None:
    person = account()
    for n in range(4):
        person.sign_in_failed(NOW + timedelta(seconds=n))
        person.require_may_try(NOW + timedelta(seconds=n))
    assert names(person) == ["SignInFailed"] * 4

    person.sign_in_failed(NOW + timedelta(seconds=10))

    assert names(person) == ["SignInFailed", "LockedOut"]
    assert person.locked_until == NOW + timedelta(seconds=40)
    with pytest.raises(AccountLocked) as refusal:
        person.require_may_try(NOW + timedelta(seconds=39))
    assert refusal.value.retry_after_seconds == 1
    assert refusal.value.code == "account_locked"
    person.require_may_try(NOW + timedelta(seconds=40))


def test_each_further_failure_doubles_the_lock_up_to_fifteen_minutes() -> None:
    assert [lock_for(n).total_seconds() for n in range(1, 11)] == [
        0, 0, 0, 0, 30, 60, 120, 240, 480, 900,
    ]  # fmt: skip
    assert lock_for(40) == timedelta(minutes=15)


def test_a_successful_sign_in_starts_the_count_again() -> None:
    person = account()
    for _n in range(4):
        person.sign_in_failed(NOW)
    person.signed_in(uuid4(), NOW)
    person.sign_in_failed(NOW)

    assert person.failed_attempts == 1
    person.require_may_try(NOW)


def test_a_reset_password_ends_the_lock_and_must_be_changed_again() -> None:
    person = account()
    for _ in range(5):
        person.sign_in_failed(NOW)
    person.change_password("h2", NOW)
    assert not person.must_change_password

    person.reset_password("h3", NOW)

    assert person.must_change_password and person.locked_until is None
    person.require_may_try(NOW)


def test_a_disabled_account_is_refused_like_a_wrong_password() -> None:
    person = account()
    person.disable("left the office", NOW)

    with pytest.raises(SignInRefused):
        person.require_may_try(NOW)


@pytest.mark.parametrize(
    ("password", "accepted"),
    [("short", False), ("123456789", False), ("张三", False), ("abcdefghij", True)],
)
def test_a_password_has_at_least_ten_characters(password: str, accepted: bool) -> None:
    if accepted:
        check_password_strength(password, "张三")
    else:
        with pytest.raises(InvalidInput):
            check_password_strength(password, "张三")


def test_a_password_is_not_the_name() -> None:
    with pytest.raises(InvalidInput):
        check_password_strength("Wang Xiaoming", "wang xiaoming")


def opened() -> tuple[ConsoleSession, str]:
    person = account()
    session, secret = ConsoleSession.open(
        account_id=person.id, actor=person.actor(), now=NOW, lifetime=timedelta(hours=12)
    )
    session.collect_events()
    return session, secret


def test_a_session_is_found_by_its_secret_which_is_not_stored() -> None:
    session, secret = opened()

    assert session.id == session_id(secret)
    assert secret not in repr(vars(session))


def test_a_session_ends_after_its_idle_timeout() -> None:
    session, _ = opened()

    assert session.ended_by_time(NOW + IDLE - timedelta(seconds=1), IDLE) is None
    assert session.ended_by_time(NOW + IDLE, IDLE) is CloseReason.EXPIRED_IDLE


def test_being_seen_moves_the_idle_timeout_but_not_the_absolute_lifetime() -> None:
    session, _ = opened()
    moment = NOW
    while moment < NOW + timedelta(hours=12):
        moment += timedelta(minutes=20)
        if session.ended_by_time(moment, IDLE):
            break
        session.seen(moment)

    assert moment == NOW + timedelta(hours=12)
    assert session.ended_by_time(moment, IDLE) is CloseReason.EXPIRED_ABSOLUTE


def test_seen_is_recorded_at_most_once_a_minute() -> None:
    session, _ = opened()
    for second in range(0, 180, 5):
        session.seen(NOW + timedelta(seconds=second))

    assert names(session) == ["Seen", "Seen"]


def test_a_closed_session_is_refused_and_closing_again_records_nothing() -> None:
    session, _ = opened()
    session.close(CloseReason.SIGNED_OUT, NOW)
    session.close(CloseReason.REVOKED, NOW)

    assert names(session) == ["Closed"]
    assert session.close_reason is CloseReason.SIGNED_OUT
    with pytest.raises(Unauthorized):
        session.require_open()
