"""Use cases of people: accounts for the console, signing in and out, sessions.

API tokens stay for programs (``ledger/use_cases/access.py``). A person signs in with
a name and a password; the answer is a session secret for their cookie. Everything
that happens to an account or a session is recorded: who signed in when, each wrong
password, each lock-out, each sign-out and expiry.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from domain.access import Actor
from domain.account import (
    MAX_NAME_LENGTH,
    MAX_PASSWORD_LENGTH,
    PersonAccount,
    account_id,
    check_password_strength,
    one_time_password,
)
from domain.catalogue import Term
from domain.errors import (
    ConcurrentModification,
    InvalidInput,
    NotFound,
    SignInRefused,
    Unauthorized,
    WeakPassword,
)
from domain.provenance import recorded_as
from domain.session import (
    CONSOLE_KEY_ID,
    MAX_SECRET_LENGTH,
    CloseReason,
    ConsoleKey,
    ConsoleSession,
    session_hash,
    session_id,
)
from domain.unit import Unit
from domain.vocabulary import Role
from ledger.commands import Context
from ledger.core import LedgerCore, Result
from ledger.passwords import Passwords

ACCOUNT_CREATED = get_topic(PersonAccount.Created)
ATTEMPTS = 5


class PasswordHashing(Protocol):
    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str, password: str) -> bool: ...
    def verify_nothing(self, password: str) -> bool: ...


@dataclass(frozen=True)
class SignedInPerson:
    """Who a session stands for, and whether they must first change their password."""

    actor: Actor
    session_id: UUID
    account_id: UUID
    must_change_password: bool


class AccountUseCases(LedgerCore):
    # Set from the settings by ``ledger.runtime.build_ledger``; these are their defaults.
    session_idle = timedelta(minutes=30)
    session_lifetime = timedelta(hours=12)

    @cached_property
    def passwords(self) -> PasswordHashing:
        """Argon2id (``ledger/passwords.py``); a test may set a cheaper one."""
        return Passwords()

    # -- accounts -----------------------------------------------------------------------
    def create_account(
        self, name: str, role: Role, unit_id: UUID | None = None, ctx: Context | None = None
    ) -> str:
        """Open an account and answer its one-time password (changed at first sign-in).
        Without ``ctx`` it is recorded as made on the command line."""
        if ctx is not None:
            self._require_admin(ctx.actor, "manage accounts")
        if unit_id is not None:
            self.get(unit_id, Unit, field="unit_id" if ctx else "unit")
        if self.exists(account_id(name)):
            raise InvalidInput.because("account_name_taken", field="name", name=name.strip())
        password = one_time_password()
        who = (ctx.actor.name, ctx.request_id) if ctx else ("cli", "users-create")
        with recorded_as(*who):
            account = PersonAccount.create(
                name=name, role=role, unit_id=unit_id, password_hash=self.passwords.hash(password)
            )
            try:
                self.save(account)
            except IntegrityError:
                raise InvalidInput.because(
                    "account_name_taken", field="name", name=name.strip()
                ) from None
        return password

    def reset_password(self, name: str, ctx: Context | None = None) -> str:
        """A new one-time password for the account (its lock ends, its sessions close)."""
        if ctx is not None:
            self._require_admin(ctx.actor, "manage accounts")
        password = one_time_password()
        hashed = self.passwords.hash(password)
        now = _now()
        who = (ctx.actor.name, ctx.request_id) if ctx else ("cli", "users-reset-password")

        def reset(account: PersonAccount) -> list[Aggregate]:
            account.reset_password(hashed, now)
            return [account, *self._close_sessions(account, CloseReason.REVOKED, now)]

        self._change_account(self._account(name), who, reset)
        return password

    def revoke_sessions(self, name: str, ctx: Context | None = None) -> int:
        """Close every open session of the account; answer how many were open."""
        if ctx is not None:
            self._require_admin(ctx.actor, "manage accounts")
        now = _now()
        who = (ctx.actor.name, ctx.request_id) if ctx else ("cli", "users-revoke-sessions")
        closed: list[int] = []

        def revoke(account: PersonAccount) -> list[Aggregate]:
            sessions = self._close_sessions(account, CloseReason.REVOKED, now)
            closed[:] = [len(sessions)]
            return [account, *sessions]

        self._change_account(self._account(name), who, revoke)
        return closed[0] if closed else 0

    def disable_account(self, name: str, reason: str, ctx: Context | None = None) -> None:
        """The account can no longer sign in; its sessions close."""
        if ctx is not None:
            self._require_admin(ctx.actor, "manage accounts")
        now = _now()
        who = (ctx.actor.name, ctx.request_id) if ctx else ("cli", "users-disable")

        def disable(account: PersonAccount) -> list[Aggregate]:
            account.disable(reason, now)
            return [account, *self._close_sessions(account, CloseReason.REVOKED, now)]

        self._change_account(self._account(name), who, disable)

    def accounts(self, actor: Actor | None = None) -> list[Result]:
        """Every account, oldest first: name, role, unit, state. Never a password hash."""
        if actor is not None:
            self._require_admin(actor, "manage accounts")
        found: list[Result] = []
        start: int | None = None
        while page := self.recorder.select_notifications(start, 500, topics=[ACCOUNT_CREATED]):
            for notification in page:
                account = self.get(UUID(str(notification.originator_id)), PersonAccount)
                found.append(_listed(account, _now()))
            start = page[-1].id + 1
        return found

    # -- signing in and out -------------------------------------------------------------
    def sign_in(
        self, name: str, password: str, request_id: str = "", now: datetime | None = None
    ) -> tuple[str, Actor]:
        """Check the password and open a session: answer its secret and the person.

        A wrong password is recorded on the account (``SignInFailed``, then ``LockedOut``
        past the threshold); a locked account is refused before its password is
        checked (``AccountLocked``, with when to try again). An unknown name costs a
        hash too and is refused in the same words as a wrong password.
        """
        now = now or _now()
        if len(name) > MAX_NAME_LENGTH * 4 or len(password) > MAX_PASSWORD_LENGTH:
            raise SignInRefused.because("sign_in_refused")
        for _ in range(ATTEMPTS):
            account = self.find(account_id(name), PersonAccount) if name.strip() else None
            if account is None:
                self.passwords.verify_nothing(password)
                raise SignInRefused.because("sign_in_refused")
            account.require_may_try(now)
            with recorded_as(account.name, request_id):
                if not self.passwords.verify(account.password_hash, password):
                    account.sign_in_failed(now)
                    try:
                        self.save(account)
                    except IntegrityError:
                        continue  # a simultaneous attempt: count again on fresh state
                    account.require_may_try(now)  # this failure locked it: say so now
                    raise SignInRefused.because("sign_in_refused")
                session, secret = ConsoleSession.open(
                    account_id=account.id,
                    actor=account.actor(),
                    now=now,
                    lifetime=self.session_lifetime,
                )
                account.signed_in(session.id, now)
                try:
                    self.save(account, session)
                except IntegrityError:
                    continue
            return secret, account.actor()
        raise ConcurrentModification.because("account_kept_changing")

    def session_person(self, secret: str, now: datetime | None = None) -> SignedInPerson:
        """Who the session with this secret stands for, if it is still open.

        A session past its idle timeout or its absolute lifetime is closed (recorded,
        with the reason) and refused; an open one records ``Seen`` at most once a
        minute. A disabled account's sessions are refused.
        """
        now = now or _now()
        session = self._session(secret)
        session.require_open()
        ended = session.ended_by_time(now, self.session_idle)
        account = self.find(session.account_id, PersonAccount)
        if ended is None and (account is None or account.disabled):
            ended = CloseReason.REVOKED
        if ended is not None:
            with recorded_as(session.name, ""):
                session.close(ended, now)
                self._save_quietly(session)
            raise Unauthorized.because("session_ended", reason=Term(ended.value))
        if session.seen(now):
            with recorded_as(session.name, ""):
                self._save_quietly(session)
        assert account is not None
        return SignedInPerson(
            actor=account.actor(),
            session_id=session.id,
            account_id=account.id,
            must_change_password=account.must_change_password,
        )

    def session_actor(self, secret: str, now: datetime | None = None) -> Actor:
        """The person a session stands for (see ``session_person``), or ``Unauthorized``."""
        return self.session_person(secret, now).actor

    def sign_out(self, secret: str, request_id: str = "", now: datetime | None = None) -> None:
        """Close the session (an unknown or closed one: nothing to do)."""
        try:
            session = self._session(secret)
        except Unauthorized:
            return
        with recorded_as(session.name, request_id):
            session.close(CloseReason.SIGNED_OUT, now or _now())
            self._save_quietly(session)

    def change_password(
        self,
        secret: str,
        current: str,
        new: str,
        request_id: str = "",
        now: datetime | None = None,
    ) -> None:
        """The person of the session chooses a new password: the current one must be
        right (a wrong one counts like a failed sign-in), the new one strong and
        different. Their other sessions close; this one stays."""
        now = now or _now()
        person = self.session_person(secret, now)
        account = self.get(person.account_id, PersonAccount)
        account.require_may_try(now)
        if len(current) > MAX_PASSWORD_LENGTH or not self.passwords.verify(
            account.password_hash, current
        ):
            with recorded_as(account.name, request_id):
                account.sign_in_failed(now)
                self._save_quietly(account)
            raise InvalidInput.because("current_password_wrong", field="current_password")
        check_password_strength(new, account.name)
        if new == current:
            raise WeakPassword(reason="same")
        hashed = self.passwords.hash(new)

        def change(fresh: PersonAccount) -> list[Aggregate]:
            fresh.change_password(hashed, now)
            others = [s for s in fresh.sessions if s != person.session_id]
            return [fresh, *self._close_sessions(fresh, CloseReason.REVOKED, now, only=others)]

        self._change_account(account, (account.name, request_id), change)

    # -- the console's key --------------------------------------------------------------
    def console_key(self) -> bytes:
        """The key of the console's anti-forgery tokens: made once, kept in the ledger."""
        key = self.find(CONSOLE_KEY_ID, ConsoleKey)
        if key is None:
            with recorded_as("system", "console-key"):
                made = ConsoleKey.make()
                try:
                    self.save(made)
                except IntegrityError:  # another process made it first: use theirs
                    made = self.get(CONSOLE_KEY_ID, ConsoleKey)
            key = made
        return key.key.encode("ascii")

    # -- helpers ------------------------------------------------------------------------
    def _account(self, name: str) -> PersonAccount:
        account = self.find(account_id(name), PersonAccount)
        if account is None:
            raise NotFound(f"no account named {name.strip()}", field="name")
        return account

    def _session(self, secret: str) -> ConsoleSession:
        if not secret or len(secret) > MAX_SECRET_LENGTH:
            raise Unauthorized("the session is not known")
        session = self.find(session_id(secret), ConsoleSession)
        if session is None or session.secret_hash != session_hash(secret):
            raise Unauthorized("the session is not known")
        return session

    def _close_sessions(
        self,
        account: PersonAccount,
        reason: CloseReason,
        now: datetime,
        only: list[UUID] | None = None,
    ) -> list[Aggregate]:
        """Close the account's sessions (``only`` some of them), recording on the account
        that they were revoked; answer the sessions changed, to save with it."""
        ids = list(account.sessions if only is None else only)
        changed: list[Aggregate] = []
        for sid in ids:
            session = self.find(sid, ConsoleSession)
            if session is not None and not session.closed:
                session.close(reason, now)
                changed.append(session)
        if ids:
            account.sessions_revoked(ids, now)
        return changed

    def _change_account(
        self,
        account: PersonAccount,
        who: tuple[str, str],
        change: Any,
    ) -> None:
        """Apply ``change`` and save what it answers; on a conflict, again on fresh state."""
        for attempt in range(ATTEMPTS):
            if attempt:
                account = self.get(account.id, PersonAccount)
            with recorded_as(*who):
                changed = change(account)
                try:
                    self.save(*changed)
                except IntegrityError:
                    continue
            return
        raise ConcurrentModification.because("account_kept_changing")

    def _save_quietly(self, aggregate: Aggregate) -> None:
        """Save a fact another request may have just recorded too (a ``Seen``, a close):
        losing that race loses nothing."""
        with contextlib.suppress(IntegrityError):
            self.save(aggregate)


def _listed(account: PersonAccount, now: datetime) -> Result:
    until = account.locked_until
    locked = until.isoformat() if until is not None and until > now else None
    return {
        "account_id": str(account.id),
        "name": account.name,
        "role": account.role.value,
        "role_label": account.role.label,
        "unit_id": str(account.unit_id) if account.unit_id else None,
        "created_at": account.created_on.isoformat(),
        "must_change_password": account.must_change_password,
        "locked_until": locked,
        "disabled": account.disabled,
        "last_signed_in_at": account.signed_in_at.isoformat() if account.signed_in_at else None,
    }


def _now() -> datetime:
    return datetime.now(UTC)
