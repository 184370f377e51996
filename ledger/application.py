"""The service layer: one ``eventsourcing.Application`` whose ``save`` is the unit of work.

``Ledger`` is every use case in one application: access, accounts, integrity, policy, units
and workers (``ledger/use_cases/``), over the machinery of ``ledger.core``. Its
public methods are the only way facts get recorded, by every client alike.
"""

from __future__ import annotations

from ledger.core import Batch, BatchBroken, Result, recorded_at
from ledger.use_cases.access import AccessUseCases
from ledger.use_cases.accounts import AccountUseCases
from ledger.use_cases.integrity import IntegrityUseCases
from ledger.use_cases.policy import PolicyUseCases
from ledger.use_cases.units import UnitUseCases
from ledger.use_cases.workers import WorkerUseCases

__all__ = ["Batch", "BatchBroken", "Ledger", "Result", "recorded_at"]


class Ledger(
    AccessUseCases,
    AccountUseCases,
    IntegrityUseCases,
    PolicyUseCases,
    UnitUseCases,
    WorkerUseCases,
):
    """Records facts after checking them; answers questions about them."""

    name = "Ledger"
