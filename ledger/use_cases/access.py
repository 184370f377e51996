"""Use cases of access: the first bootstrap, bearer tokens for programs."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from domain.access import AccessToken, Actor, token_hash, token_id
from domain.errors import Unauthorized
from domain.policy import Policy, load_document
from domain.policy_book import POLICY_BOOK_ID, PolicyBook
from domain.provenance import recorded_as
from domain.unit import Unit
from domain.vocabulary import Role
from ledger import views
from ledger.commands import Context
from ledger.core import LedgerCore, Result

ISSUED = get_topic(AccessToken.Issued)


class AccessUseCases(LedgerCore):
    def is_empty(self) -> bool:
        return not self.exists(POLICY_BOOK_ID)

    def bootstrap(self, policy: str, admin_name: str = "first-admin") -> str | None:
        """On an empty ledger: adopt the first policy and issue a first admin token.

        Both are saved together, so two processes starting at once cannot both
        bootstrap. Answers the admin token's secret, or None if not empty.
        """
        if not self.is_empty():
            return None
        document = load_document(policy)
        Policy.from_document(document)
        # Without a stated date the first policy governs from the start: a later
        # adoption with any effective date must still win from that date on.
        effective = date.fromisoformat(document.get("effective_from", "1900-01-01"))
        book = PolicyBook.open(document, effective, f"initial policy {document['id']}")
        token, secret = AccessToken.issue(name=admin_name, role=Role.ADMIN, unit_id=None)
        try:
            with recorded_as("system", "bootstrap"):
                self.save(book, token)
        except IntegrityError:
            return None
        return secret

    def create_token(
        self,
        name: str,
        role: Role,
        unit_id: UUID | None = None,
        *,
        expires_at: datetime | None = None,
        ctx: Context | None = None,
    ) -> str:
        """Issue a token and answer its secret. Without ``ctx`` it is recorded as made
        on the command line; with one, by the admin who asked over HTTP."""
        if ctx is not None:
            self._require_admin(ctx.actor, "manage access tokens")
        if unit_id is not None:
            self.get(unit_id, Unit, field="unit_id" if ctx else "unit")
        who = (ctx.actor.name, ctx.request_id) if ctx else ("cli", "tokens-create")
        with recorded_as(*who):  # around the event's creation: that is when it is stamped
            token, secret = AccessToken.issue(
                name=name, role=role, unit_id=unit_id, expires_at=expires_at
            )
            self.save(token)
        return secret

    def authenticate(self, secret: str, now: datetime | None = None) -> Actor:
        """The actor a bearer token stands for; unknown, expired and revoked tokens are
        refused with distinct details (the secret was right, so no secret leaks)."""
        try:
            token: Aggregate = self.repository.get(token_id(secret))
        except AggregateNotFoundError:
            raise Unauthorized.because("token_unknown") from None
        if not isinstance(token, AccessToken) or token.secret_hash != token_hash(secret):
            raise Unauthorized.because("token_unknown")
        if token.revoked:
            raise Unauthorized.because("token_revoked")
        if token.expired(now):
            raise Unauthorized.because("token_expired", expires_at=token.expires_at)
        return token.actor()

    def revoke_token(self, token_ref: UUID, reason: str, ctx: Context | None = None) -> Result:
        """Revoke a token by its id (never its secret); answer its listing."""
        if ctx is not None:
            self._require_admin(ctx.actor, "manage access tokens")
        token = self.get(token_ref, AccessToken, field="token_id")
        who = (ctx.actor.name, ctx.request_id) if ctx else ("cli", "tokens-revoke")
        with recorded_as(*who):
            token.revoke(reason)
            self.save(token)
        return views.token(token)

    def tokens(self, actor: Actor | None = None) -> list[Result]:
        """Every token ever issued, oldest first, without secrets or their hashes."""
        if actor is not None:
            self._require_admin(actor, "manage access tokens")
        found: list[Result] = []
        start: int | None = None
        while page := self.recorder.select_notifications(start, 500, topics=[ISSUED]):
            found += [views.token(self.get(UUID(str(n.originator_id)), AccessToken)) for n in page]
            start = page[-1].id + 1
        return found
