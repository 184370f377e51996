"""Who may do what: bearer tokens, roles and unit scope."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import LedgerAggregate
from domain.errors import InvalidInput
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


class AccessToken(LedgerAggregate):
    @classmethod
    def issue(cls, *, name: str, role: Role, unit_id: UUID | None) -> tuple[AccessToken, str]:
        """A new token and its secret, which is shown once and never stored."""
        if not name.strip():
            raise InvalidInput("a token needs a name", field="name")
        if role is Role.CLERK and unit_id is None:
            raise InvalidInput("a clerk's token needs the unit it works for", field="unit")
        secret = new_secret()
        token = cls(
            name=name,
            role=role.value,
            unit_id=unit_id,
            secret_hash=token_hash(secret),
        )
        return token, secret

    @staticmethod
    def create_id(secret_hash: str) -> UUID:
        return _id_of_hash(secret_hash)

    @event("Issued")
    def __init__(self, *, name: str, role: str, unit_id: UUID | None, secret_hash: str) -> None:
        self.name = name
        self.role = Role(role)
        self.unit_id = unit_id
        self.secret_hash = secret_hash
        self.revoked = False

    def actor(self) -> Actor:
        return Actor(name=self.name, role=self.role, unit_id=self.unit_id, token_id=self.id)
