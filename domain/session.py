"""Console sessions: a person signed in, found by the hash of a random secret.

The secret lives only in the person's cookie; the ledger keeps its hash (the id is
derived from it, as a token's is). A session ends when the person signs out, when an
admin revokes it, after ``idle`` without a request, or at its absolute expiry, and
the reason is recorded. ``Seen`` is recorded at most once per ``SEEN_EVERY``, so a
busy person adds a bounded number of events.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.access import Actor
from domain.base import LedgerAggregate
from domain.catalogue import Term
from domain.errors import InvalidInput, Unauthorized
from domain.vocabulary import Role

SESSION_PREFIX = "lss_"
SEEN_EVERY = timedelta(minutes=1)
MAX_SECRET_LENGTH = 256


class CloseReason(StrEnum):
    SIGNED_OUT = "signed_out"
    REVOKED = "revoked"
    EXPIRED_IDLE = "expired_idle"
    EXPIRED_ABSOLUTE = "expired_absolute"


def new_session_secret() -> str:
    return SESSION_PREFIX + secrets.token_urlsafe(32)


def session_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def session_id(secret: str) -> UUID:
    return _id_of_hash(session_hash(secret))


def _id_of_hash(secret_hash: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"community-worker-ledger:session:{secret_hash}")


class ConsoleSession(LedgerAggregate):
    """One sign-in: whose, as whom (a snapshot of the account's role and unit), since
    when, until when at the latest, last seen when, and how it ended."""

    class Opened(LedgerAggregate.Created):
        account_id: UUID
        name: str
        role: str
        unit_id: UUID | None
        secret_hash: str
        opened_at: datetime
        expires_at: datetime

    @classmethod
    def open(
        cls, *, account_id: UUID, actor: Actor, now: datetime, lifetime: timedelta
    ) -> tuple[ConsoleSession, str]:
        """A new session and its secret (for the cookie; never stored)."""
        if lifetime <= timedelta(0):
            raise InvalidInput.because("session_lifetime")
        secret = new_session_secret()
        session = cls(
            account_id=account_id,
            name=actor.name,
            role=actor.role.value,
            unit_id=actor.unit_id,
            secret_hash=session_hash(secret),
            opened_at=now,
            expires_at=now + lifetime,
        )
        return session, secret

    @staticmethod
    def create_id(secret_hash: str) -> UUID:
        return _id_of_hash(secret_hash)

    @event(Opened)
    def __init__(
        self,
        *,
        account_id: UUID,
        name: str,
        role: str,
        unit_id: UUID | None,
        secret_hash: str,
        opened_at: datetime,
        expires_at: datetime,
    ) -> None:
        self.account_id = account_id
        self.name = name
        self.role = Role(role)
        self.unit_id = unit_id
        self.secret_hash = secret_hash
        self.opened_at = opened_at
        self.expires_at = expires_at
        self.last_seen = opened_at
        self.closed_at: datetime | None = None
        self.close_reason: CloseReason | None = None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    def actor(self) -> Actor:
        return Actor(name=self.name, role=self.role, unit_id=self.unit_id)

    def ended_by_time(self, now: datetime, idle: timedelta) -> CloseReason | None:
        """Why the session is over at ``now`` by the clock alone, or None."""
        if now >= self.expires_at:
            return CloseReason.EXPIRED_ABSOLUTE
        if now - self.last_seen >= idle:
            return CloseReason.EXPIRED_IDLE
        return None

    def require_open(self) -> None:
        if self.closed:
            raise Unauthorized.because("session_closed", reason=Term(self.close_reason_text))

    @property
    def close_reason_text(self) -> str:
        return self.close_reason.value if self.close_reason else ""

    def seen(self, now: datetime) -> bool:
        """Record that the person used the session, at most once per ``SEEN_EVERY``;
        answers whether an event was recorded."""
        if now - self.last_seen < SEEN_EVERY:
            return False
        self._seen(at=now)
        return True

    @event("Seen")
    def _seen(self, at: datetime) -> None:
        self.last_seen = at

    def close(self, reason: CloseReason, now: datetime) -> None:
        if self.closed:
            return  # closing twice records nothing: the first reason is the one on record
        self._closed(reason=reason.value, at=now)

    @event("Closed")
    def _closed(self, reason: str, at: datetime) -> None:
        self.closed_at = at
        self.close_reason = CloseReason(reason)


CONSOLE_KEY_ID = uuid5(NAMESPACE_URL, "community-worker-ledger:console-key")


class ConsoleKey(LedgerAggregate):
    """The server's key for the console's anti-forgery (CSRF) tokens, made once per
    ledger so every process serving it agrees without configuration."""

    class Made(LedgerAggregate.Created):
        key: str

    @classmethod
    def make(cls) -> ConsoleKey:
        made: ConsoleKey = cls._create(cls.Made, id=CONSOLE_KEY_ID, key=secrets.token_urlsafe(32))
        return made

    @event(Made)
    def __init__(self, *, key: str) -> None:
        self.key = key
