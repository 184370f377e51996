"""Idempotency keys, kept in the event store beside the facts they answer for.

The record is saved in the same transaction as the command's events, so a
retried request either finds the first answer or finds nothing recorded.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import LedgerAggregate


def record_id(actor: str, key: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"community-worker-ledger:idempotency:{actor}:{key}")


class IdempotencyRecord(LedgerAggregate):
    @staticmethod
    def create_id(actor: str, key: str) -> UUID:
        return record_id(actor, key)

    @event("Answered")
    def __init__(self, *, actor: str, key: str, fingerprint: str, result: dict[str, Any]) -> None:
        self.actor = actor
        self.key = key
        self.fingerprint = fingerprint
        self.result = result
