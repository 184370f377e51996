"""People's accounts through the ``Ledger``: signing in, lock-out, sessions, passwords,
on every store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.access import Actor
from domain.errors import AccountLocked, Forbidden, InvalidInput, SignInRefused, Unauthorized
from domain.session import session_id
from domain.vocabulary import Role
from ledger.application import Ledger
from ledger.passwords import Passwords
from tests.integration.application_support import as_, build_tree, event_log, topics_since

NEW_PASSWORD = "长江路-2026-春"


@pytest.fixture(autouse=True)
def cheap_hashes(ledger: Ledger) -> None:
    ledger.passwords = Passwords(time_cost=1, memory_cost=1024)


def signed_up(ledger: Ledger, name: str = "王芳", role: Role = Role.ADMIN) -> str:
    """An account whose first password is already changed to NEW_PASSWORD."""
    once = ledger.create_account(name, role)
    secret, _ = ledger.sign_in(name, once)
    ledger.change_password(secret, once, NEW_PASSWORD)
    ledger.sign_out(secret)
    return NEW_PASSWORD


def test_a_new_account_signs_in_with_its_one_time_password_and_must_change_it(
    ledger: Ledger,
) -> None:
    once = ledger.create_account("王芳", Role.AUDITOR)

    secret, actor = ledger.sign_in("王芳", once, "req-1")

    assert actor == Actor("王芳", Role.AUDITOR)
    person = ledger.session_person(secret)
    assert person.must_change_password
    ledger.change_password(secret, once, NEW_PASSWORD)
    assert not ledger.session_person(secret).must_change_password
    with pytest.raises(SignInRefused):
        ledger.sign_in("王芳", once)
    assert ledger.sign_in("王芳", NEW_PASSWORD)[1].role is Role.AUDITOR


def test_sign_in_sign_out_and_failures_are_recorded_with_the_person_as_author(
    ledger: Ledger,
) -> None:
    signed_up(ledger)
    before = event_log(ledger)

    with pytest.raises(SignInRefused):
        ledger.sign_in("王芳", "wrong password", "req-2")
    secret, _ = ledger.sign_in("王芳", NEW_PASSWORD, "req-3")
    ledger.sign_out(secret, "req-4")

    assert topics_since(ledger, before) == ["SignInFailed", "SignedIn", "Opened", "Closed"]
    closed = list(ledger.events.get(session_id(secret)))[-1]
    assert closed.reason == "signed_out"  # type: ignore[attr-defined]
    assert closed.recorded_by == "王芳"  # type: ignore[attr-defined]
    with pytest.raises(Unauthorized):
        ledger.session_actor(secret)


def test_five_wrong_passwords_lock_that_account_only_and_it_says_when_to_try_again(
    ledger: Ledger,
) -> None:
    signed_up(ledger, "王芳")
    signed_up(ledger, "李强")
    now = datetime.now(UTC)
    for _ in range(4):
        with pytest.raises(SignInRefused):
            ledger.sign_in("王芳", "not it at all", now=now)
    before = event_log(ledger)

    with pytest.raises(AccountLocked) as locked:
        ledger.sign_in("王芳", "not it at all", now=now)

    assert topics_since(ledger, before) == ["SignInFailed", "LockedOut"]
    assert locked.value.retry_after_seconds == 30
    before = event_log(ledger)
    with pytest.raises(AccountLocked):  # even the right password waits, and records nothing
        ledger.sign_in("王芳", NEW_PASSWORD, now=now + timedelta(seconds=29))
    assert event_log(ledger) == before
    assert ledger.sign_in("李强", NEW_PASSWORD, now=now)[1].name == "李强"
    assert ledger.sign_in("王芳", NEW_PASSWORD, now=now + timedelta(seconds=30))[1].name == "王芳"


def test_an_unknown_name_is_refused_in_the_words_of_a_wrong_password(ledger: Ledger) -> None:
    signed_up(ledger)
    with pytest.raises(SignInRefused) as unknown:
        ledger.sign_in("nobody", "whatever it is")
    with pytest.raises(SignInRefused) as wrong:
        ledger.sign_in("王芳", "whatever it is")

    assert unknown.value.detail == wrong.value.detail


def test_a_session_ends_after_the_idle_timeout_and_the_end_is_recorded(ledger: Ledger) -> None:
    signed_up(ledger)
    ledger.session_idle = timedelta(minutes=30)
    now = datetime.now(UTC)
    secret, _ = ledger.sign_in("王芳", NEW_PASSWORD, now=now)
    ledger.session_actor(secret, now=now + timedelta(minutes=29))  # seen: the clock restarts
    ledger.session_actor(secret, now=now + timedelta(minutes=58))

    with pytest.raises(Unauthorized):
        ledger.session_actor(secret, now=now + timedelta(minutes=89))

    kinds = [type(e).__name__ for e in ledger.events.get(session_id(secret))]
    assert kinds == ["Opened", "Seen", "Seen", "Closed"]
    with pytest.raises(Unauthorized):
        ledger.session_actor(secret, now=now + timedelta(minutes=90))


def test_a_session_ends_at_its_absolute_lifetime_however_busy(ledger: Ledger) -> None:
    signed_up(ledger)
    now = datetime.now(UTC)
    secret, _ = ledger.sign_in("王芳", NEW_PASSWORD, now=now)
    for minutes in range(20, 12 * 60, 20):
        ledger.session_actor(secret, now=now + timedelta(minutes=minutes))

    with pytest.raises(Unauthorized) as ended:
        ledger.session_actor(secret, now=now + timedelta(hours=12))
    assert "expired_absolute" in ended.value.detail


def test_revoking_an_accounts_sessions_closes_them(ledger: Ledger) -> None:
    signed_up(ledger)
    first, _ = ledger.sign_in("王芳", NEW_PASSWORD)
    second, _ = ledger.sign_in("王芳", NEW_PASSWORD)

    assert ledger.revoke_sessions("王芳") == 2

    for secret in (first, second):
        with pytest.raises(Unauthorized):
            ledger.session_actor(secret)
    assert ledger.revoke_sessions("王芳") == 0


def test_a_weak_new_password_is_refused_and_nothing_is_recorded(ledger: Ledger) -> None:
    once = ledger.create_account("zhang.wei", Role.REPORTER)
    secret, _ = ledger.sign_in("zhang.wei", once)
    before = event_log(ledger)

    for weak in ("short", "Zhang.Wei"):
        with pytest.raises(InvalidInput):
            ledger.change_password(secret, once, weak)

    assert event_log(ledger) == before
    assert ledger.session_person(secret).must_change_password


def test_a_reset_gives_a_new_one_time_password_and_ends_the_sessions(ledger: Ledger) -> None:
    signed_up(ledger)
    secret, _ = ledger.sign_in("王芳", NEW_PASSWORD)

    once = ledger.reset_password("王芳")

    with pytest.raises(Unauthorized):
        ledger.session_actor(secret)
    fresh, _ = ledger.sign_in("王芳", once)
    assert ledger.session_person(fresh).must_change_password


def test_a_clerks_account_is_scoped_to_its_unit(ledger: Ledger) -> None:
    tree = build_tree(ledger)
    once = ledger.create_account("街道甲", Role.CLERK, tree.street_a, ctx=as_())

    _, actor = ledger.sign_in("街道甲", once)

    assert actor.unit_id == tree.street_a and actor.is_scoped


def test_only_an_admin_manages_accounts(ledger: Ledger) -> None:
    auditor = as_(Actor("审计", Role.AUDITOR))
    with pytest.raises(Forbidden):
        ledger.create_account("someone", Role.ADMIN, ctx=auditor)
    with pytest.raises(Forbidden):
        ledger.accounts(auditor.actor)
    with pytest.raises(InvalidInput):
        ledger.create_account("王芳", Role.ADMIN)
        ledger.create_account(" 王芳 ", Role.ADMIN)

    listed = ledger.accounts(as_().actor)
    assert [(a["name"], a["role"], a["must_change_password"]) for a in listed] == [
        ("王芳", "admin", True)
    ]
    assert "password_hash" not in listed[0]


def test_the_console_key_is_made_once_and_kept(ledger: Ledger) -> None:
    assert ledger.console_key() == ledger.console_key()
    assert len(ledger.console_key()) >= 32
