"""The policy book: the adopted versions of the policy, each from its effective date."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import LedgerAggregate
from domain.errors import InvalidInput, PolicyOutOfOrder
from domain.policy import AdoptedVersion, Policy, PolicySchedule, following

POLICY_BOOK_ID: UUID = uuid5(NAMESPACE_URL, "community-worker-ledger:policy-book")


class PolicyBook(LedgerAggregate):
    """One per ledger, at a fixed id, so that opening it twice conflicts."""

    @classmethod
    def open(
        cls, document: Mapping[str, Any], effective_date: date, document_ref: str
    ) -> PolicyBook:
        following(None, 1, effective_date, document_ref, Policy.from_document(document))
        book = cls()
        book._adopted(
            version=1,
            document=dict(document),
            effective_date=effective_date,
            document_ref=document_ref,
        )
        return book

    @staticmethod
    def create_id() -> UUID:
        return POLICY_BOOK_ID

    @event("Opened")
    def __init__(self) -> None:
        self.versions: list[AdoptedVersion] = []

    def adopt(self, document: Mapping[str, Any], effective_date: date, document_ref: str) -> int:
        """Adopt a new version from ``effective_date``; answers its version number.

        The date must fall after every adopted version's (ADR 11): an earlier one would
        re-order the versions and rewrite months another version governs. A date before
        today is allowed (back pay): the payroll as known before the adoption still answers.
        """
        latest_version = max(self.versions, key=lambda v: v.effective_date, default=None)
        # Every post of the previous version must be placed among the new one's posts.
        following(latest_version, 0, effective_date, document_ref, Policy.from_document(document))
        if not document_ref.strip():
            raise InvalidInput.because("adoption_needs_document", field="document_ref")
        latest = max((v.effective_date for v in self.versions), default=None)
        if latest is not None and effective_date <= latest:
            raise PolicyOutOfOrder.because(
                "policy_out_of_order",
                field="effective_date",
                latest=latest,
                effective=effective_date,
            )
        version = len(self.versions) + 1
        self._adopted(
            version=version,
            document=dict(document),
            effective_date=effective_date,
            document_ref=document_ref,
        )
        return version

    @event("PolicyAdopted")
    def _adopted(
        self, version: int, document: dict[str, Any], effective_date: date, document_ref: str
    ) -> None:
        previous = self.versions[-1] if self.versions else None
        self.versions.append(
            # Read as it was accepted: checks added since then do not refuse a recorded version.
            following(
                previous,
                version,
                effective_date,
                document_ref,
                Policy.from_document(document, consistency=False),
                strict=False,
            )
        )

    def schedule(self) -> PolicySchedule:
        return PolicySchedule(self.versions)
