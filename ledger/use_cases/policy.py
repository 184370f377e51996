"""Use cases of the policy: adopting a version, and reading the versions adopted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, cast

from eventsourcing.domain import Aggregate

from domain.policy_book import POLICY_BOOK_ID, PolicyBook
from ledger import policies
from ledger.commands import Context
from ledger.core import LedgerCore, Result


class PolicyUseCases(LedgerCore):
    def adopt_policy(
        self,
        ctx: Context,
        document: Mapping[str, Any] | str,
        effective_date: date,
        document_ref: str,
    ) -> Result:
        """Adopt a new policy version (a document, or a shipped pack's name) from
        ``effective_date``, after every adopted version's date (ADR 11). Admins only."""

        def run() -> tuple[Result, list[Aggregate]]:
            self._require_admin(ctx.actor, "adopt a policy")
            chosen = policies.resolve(document)
            book = self.get(POLICY_BOOK_ID, PolicyBook)
            before = book.schedule().on(effective_date)
            version = book.adopt(chosen, effective_date, document_ref)
            after = book.schedule()
            if policies.narrows_a_band(before, after.on(effective_date)):
                policies.check_timelines(self.recorder, self.repository, after, effective_date)
            recorded = cast(Aggregate.Event, book.pending_events[-1]).timestamp
            answer = policies.adopted_answer(
                version, chosen, effective_date, document_ref, ctx.actor.name, recorded
            )
            return answer, [book]

        return self._command(ctx, run)

    def policy_versions(self, known_at: datetime | None = None) -> list[Result]:
        """The adopted versions in version order, as recorded by ``known_at``."""
        return policies.versions(self.events.get(POLICY_BOOK_ID), known_at)

    def policy_in_force(self, as_of: date, known_at: datetime | None = None) -> Result:
        """The version in force on ``as_of``, with its parameters, as known at ``known_at``."""
        return policies.in_force(self.events.get(POLICY_BOOK_ID), as_of, known_at)

    def policy_document(self, as_of: date, known_at: datetime | None = None) -> Result:
        """The document in force on ``as_of`` as adopted: adoptable and simulable unchanged."""
        return policies.document_in_force(self.events.get(POLICY_BOOK_ID), as_of, known_at)

    def policy_document_of(self, version: int) -> Result:
        """The document adopted as ``version``."""
        return policies.document_of(self.events.get(POLICY_BOOK_ID), version)
