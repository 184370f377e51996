"""The directory of top-level units, so a caller can find where the tree starts."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import LedgerAggregate

DIRECTORY_ID: UUID = uuid5(NAMESPACE_URL, "community-worker-ledger:unit-directory")


class UnitDirectory(LedgerAggregate):
    """One per ledger, at a fixed id; lists the units registered without a parent."""

    @staticmethod
    def create_id() -> UUID:
        return DIRECTORY_ID

    @event("Opened")
    def __init__(self) -> None:
        self.roots: list[UUID] = []

    def add_root(self, unit_id: UUID) -> None:
        self._root_registered(unit_id=unit_id)

    @event("RootRegistered")
    def _root_registered(self, unit_id: UUID) -> None:
        self.roots.append(unit_id)
