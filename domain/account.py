"""Accounts for people: who may sign in to the console, in which role and unit.

An account is found by its name (its id is derived from the normalised name), holds
the hash of its password (never the password), and slows failed sign-ins: after
``FAILURES_BEFORE_LOCK`` failures in a row it locks for ``FIRST_LOCK``, doubling with
each further failure up to ``LONGEST_LOCK``. A success starts the count again. The
lock is per account, not per address: an office behind one shared address is never
locked out by a colleague's typos on another account.
"""

from __future__ import annotations

import secrets
import unicodedata
from datetime import UTC, datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.access import Actor
from domain.base import LedgerAggregate
from domain.errors import AccountLocked, InvalidInput, RuleViolation, SignInRefused, WeakPassword
from domain.vocabulary import Role

FAILURES_BEFORE_LOCK = 5
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
MAX_NAME_LENGTH = 100


def normalised_name(name: str) -> str:
    """The form names are compared in: NFKC, trimmed, case-folded (全角 ＡＢＣ is abc)."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def account_id(name: str) -> UUID:
    """Sign-in finds an account by its name: the id is the name's."""
    return uuid5(NAMESPACE_URL, f"community-worker-ledger:account:{normalised_name(name)}")


# No 0/o, 1/l/i: read aloud or copied from paper without mistakes.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def one_time_password() -> str:
    """Four groups of four from a 31-letter alphabet (about 79 bits): ``k7pz-3mqa-...``.
    Shown once to the admin who made it; the person changes it at first sign-in."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))


def lock_for(failures: int) -> timedelta:
    """How long the account locks after its ``failures``-th failure in a row (0: none)."""
    if failures < FAILURES_BEFORE_LOCK:
        return timedelta(0)
    doubled: timedelta = FIRST_LOCK * (2 ** min(failures - FAILURES_BEFORE_LOCK, 16))
    return min(doubled, LONGEST_LOCK)


def check_password_strength(password: str, name: str) -> None:
    """A password a person chooses: at least ten characters, and not their name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(reason="too_short", minimum=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(reason="too_long", maximum=MAX_PASSWORD_LENGTH)
    if normalised_name(password) == normalised_name(name):
        raise WeakPassword(reason="is_name")


class PersonAccount(LedgerAggregate):
    """A person who signs in to the console: name, role, unit scope and password hash."""

    class Created(LedgerAggregate.Created):
        name: str
        role: str
        unit_id: UUID | None
        password_hash: str

    @classmethod
    def create(
        cls, *, name: str, role: Role, unit_id: UUID | None, password_hash: str
    ) -> PersonAccount:
        """A new account whose (one-time) password must be changed at first sign-in."""
        name = unicodedata.normalize("NFKC", name).strip()
        if not name:
            raise InvalidInput.because("account_needs_name", field="name")
        if len(name) > MAX_NAME_LENGTH:
            raise InvalidInput.because(
                "account_name_too_long", field="name", maximum=MAX_NAME_LENGTH
            )
        if role is Role.CLERK and unit_id is None:
            raise InvalidInput.because("clerk_account_needs_unit", field="unit")
        return cls(name=name, role=role.value, unit_id=unit_id, password_hash=password_hash)

    @staticmethod
    def create_id(name: str) -> UUID:
        return account_id(name)

    @event(Created)
    def __init__(self, *, name: str, role: str, unit_id: UUID | None, password_hash: str) -> None:
        self.name = name
        self.role = Role(role)
        self.unit_id = unit_id
        self.password_hash = password_hash
        self.must_change_password = True
        self.failed_attempts = 0
        self.locked_until: datetime | None = None
        self.disabled = False
        self.sessions: list[UUID] = []  # opened and not yet revoked here
        self.signed_in_at: datetime | None = None

    # -- what a person may do -----------------------------------------------------------
    def actor(self) -> Actor:
        return Actor(name=self.name, role=self.role, unit_id=self.unit_id)

    def require_may_try(self, now: datetime) -> None:
        """Refuse an attempt while the account is locked (the password is not even checked)."""
        if self.disabled:
            # The same answer as a wrong password: nothing tells a guesser it exists.
            raise SignInRefused.because("sign_in_refused")
        if self.locked_until is not None and now < self.locked_until:
            wait = self.locked_until - now
            raise AccountLocked(
                retry_after_seconds=max(1, int(wait.total_seconds() + 0.999)),
                locked_until=self.locked_until,
            )

    # -- facts --------------------------------------------------------------------------
    def signed_in(self, session_id: UUID, at: datetime) -> None:
        self._signed_in(session_id=session_id, at=at)

    @event("SignedIn")
    def _signed_in(self, session_id: UUID, at: datetime) -> None:
        self.failed_attempts = 0
        self.locked_until = None
        self.signed_in_at = at
        self.sessions = [*self.sessions, session_id]

    def sign_in_failed(self, at: datetime) -> None:
        """A wrong password: counted; at the threshold and beyond, the account locks."""
        failures = self.failed_attempts + 1
        self._sign_in_failed(at=at, failed_attempts=failures)
        pause = lock_for(failures)
        if pause:
            self._locked_out(at=at, until=at + pause, failed_attempts=failures)

    @event("SignInFailed")
    def _sign_in_failed(self, at: datetime, failed_attempts: int) -> None:
        self.failed_attempts = failed_attempts

    @event("LockedOut")
    def _locked_out(self, at: datetime, until: datetime, failed_attempts: int) -> None:
        self.locked_until = until

    def change_password(self, password_hash: str, at: datetime) -> None:
        self._password_changed(password_hash=password_hash, at=at)

    @event("PasswordChanged")
    def _password_changed(self, password_hash: str, at: datetime) -> None:
        self.password_hash = password_hash
        self.must_change_password = False

    def reset_password(self, password_hash: str, at: datetime) -> None:
        """A new one-time password (an admin's act): it must be changed at sign-in, and
        any lock ends."""
        self._password_reset(password_hash=password_hash, at=at)

    @event("PasswordReset")
    def _password_reset(self, password_hash: str, at: datetime) -> None:
        self.password_hash = password_hash
        self.must_change_password = True
        self.failed_attempts = 0
        self.locked_until = None

    def sessions_revoked(self, session_ids: list[UUID], at: datetime) -> None:
        self._sessions_revoked(session_ids=session_ids, at=at)

    @event("SessionsRevoked")
    def _sessions_revoked(self, session_ids: list[UUID], at: datetime) -> None:
        gone = set(session_ids)
        self.sessions = [s for s in self.sessions if s not in gone]

    def disable(self, reason: str, at: datetime) -> None:
        if self.disabled:
            raise RuleViolation.because("account_already_disabled", name=self.name)
        if not reason.strip():
            raise InvalidInput.because("disable_needs_reason", field="reason")
        self._disabled(reason=reason.strip(), at=at)

    @event("Disabled")
    def _disabled(self, reason: str, at: datetime) -> None:
        self.disabled = True


def now_utc() -> datetime:
    return datetime.now(UTC)
