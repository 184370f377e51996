"""Who may do what: bearer tokens, roles and unit scope."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import LedgerAggregate
from domain.catalogue import Term
from domain.errors import Forbidden, InvalidInput, TokenAlreadyRevoked
from domain.vocabulary import Role

TOKEN_PREFIX = "lgr_"  # noqa: S105 - a prefix, not a secret


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_id(token: str) -> UUID:
    """Tokens are found by the hash of their secret; the secret is never stored."""
    return _id_of_hash(token_hash(token))


def _id_of_hash(secret_hash: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"community-worker-ledger:token:{secret_hash}")


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Actor:
    """The authenticated caller of a command or query."""

    name: str
    role: Role
    unit_id: UUID | None = None
    token_id: UUID | None = None

    @property
    def identity(self) -> str:
        """What keys this caller's idempotency records: the token, as names may repeat."""
        return self.token_id.hex if self.token_id else self.name

    @property
    def can_write(self) -> bool:
        return self.role in (Role.ADMIN, Role.CLERK)

    @property
    def is_scoped(self) -> bool:
        return self.role is Role.CLERK

    def require_within(
        self, ancestry: Iterable[UUID | str], what: str = "read", *, field: str | None = None
    ) -> None:
        """The clerk-scope rule, its one home: a clerk reaches a unit only when their own
        unit is that unit or one above it (``ancestry``: the unit and every unit above)."""
        if self.is_scoped and str(self.unit_id) not in {str(u) for u in ancestry}:
            raise Forbidden.because(
                "outside_scope", field=field, action=Term(what), unit_id=self.unit_id
            )


U = TypeVar("U", UUID, str)


def scope_root(
    actor: Actor,
    unit_id: U | None,
    ancestry: Callable[[U], Iterable[U]],
    own: Callable[[UUID], U],
    *,
    field: str | None = "unit_id",
) -> U | None:
    """The root of the subtree a report or a simulation covers; ``None`` means every unit.

    Asking for nothing gives a clerk their own unit's subtree; asking for a unit outside it
    is refused. ``ancestry`` raises ``NotFound`` for an unknown unit; ``own`` turns the
    actor's unit id into the caller's kind of id.
    """
    if unit_id is None:
        return own(actor.unit_id) if actor.is_scoped and actor.unit_id else None
    actor.require_within(ancestry(unit_id), field=field)
    return unit_id


class AccessToken(LedgerAggregate):
    """A bearer token: who holds it, what it may do, until when, and whether it was revoked.

    Expiry is fixed when the token is issued; a revocation is a later fact that
    keeps the token's history (an auditor can still see who held it and when it
    stopped working). Neither can be undone: a new token is issued instead.
    """

    class Issued(LedgerAggregate.Created):
        # Version 2 is every ledger event's (``chain_hash``, upcast by the base class);
        # version 3 added ``expires_at``: tokens issued before it never expire.
        class_version = 3

        name: str
        role: str
        unit_id: UUID | None
        secret_hash: str
        expires_at: datetime | None

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state.setdefault("expires_at", None)

    @classmethod
    def issue(
        cls,
        *,
        name: str,
        role: Role,
        unit_id: UUID | None,
        expires_at: datetime | None = None,
        now: datetime | None = None,
    ) -> tuple[AccessToken, str]:
        """A new token and its secret, which is shown once and never stored."""
        if not name.strip():
            raise InvalidInput.because("token_needs_name", field="name")
        if role is Role.CLERK and unit_id is None:
            raise InvalidInput.because("clerk_token_needs_unit", field="unit")
        if expires_at is not None:
            if expires_at.tzinfo is None:
                raise InvalidInput.because("expiry_needs_timezone", field="expires_at")
            if expires_at <= (now or _now()):
                raise InvalidInput.because("expiry_in_past", field="expires_at")
            expires_at = expires_at.astimezone(UTC)
        secret = new_secret()
        token = cls(
            name=name,
            role=role.value,
            unit_id=unit_id,
            secret_hash=token_hash(secret),
            expires_at=expires_at,
        )
        return token, secret

    @staticmethod
    def create_id(secret_hash: str) -> UUID:
        return _id_of_hash(secret_hash)

    @event(Issued)
    def __init__(
        self,
        *,
        name: str,
        role: str,
        unit_id: UUID | None,
        secret_hash: str,
        expires_at: datetime | None,
    ) -> None:
        self.name = name
        self.role = Role(role)
        self.unit_id = unit_id
        self.secret_hash = secret_hash
        self.expires_at = expires_at
        self.revoked = False
        self.revoked_at: datetime | None = None
        self.revocation_reason: str | None = None

    def revoke(self, reason: str, now: datetime | None = None) -> None:
        """Stop the token working from now on. Revoking twice is refused: the first
        revocation (its time and reason) is the one on record."""
        if not reason.strip():
            raise InvalidInput.because("revocation_needs_reason", field="reason")
        if self.revoked:
            raise TokenAlreadyRevoked.because(
                "token_already_revoked", token_id=self.id, revoked_at=self.revoked_at
            )
        self._revoked(reason=reason.strip(), revoked_at=now or _now())

    @event("Revoked")
    def _revoked(self, reason: str, revoked_at: datetime) -> None:
        self.revoked = True
        self.revoked_at = revoked_at
        self.revocation_reason = reason

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or _now())

    def actor(self) -> Actor:
        return Actor(name=self.name, role=self.role, unit_id=self.unit_id, token_id=self.id)


def _now() -> datetime:
    return datetime.now(UTC)
