"""What a loading pass shares: the ledger and who records, the problems found so far.

The aggregates in play are the batch's (``Ledger.batch``): a unit the file registers
or a worker it hires is found there by the next row, as the use cases left it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar
from uuid import UUID

from domain.errors import LedgerError, NotFound
from domain.policy import PolicySchedule
from domain.unit import Unit
from domain.worker import Worker
from ledger.application import Ledger
from ledger.commands import Context
from ledger.importing import keys
from ledger.importing.problems import Problem, expected_for

A = TypeVar("A", Unit, Worker)


@dataclass
class Scope:
    ledger: Ledger
    ctx: Context  # who records: the import and its file
    district: str | None
    labels: Mapping[str, Mapping[str, str]]  # sheet -> column code -> as the user sees it
    schedule: PolicySchedule = field(init=False)
    failed_units: set[UUID] = field(default_factory=set)  # refused: their problem is told
    problems: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    staging: bool = True  # False once a problem is known: nothing will be written
    _unit_ids: dict[str, UUID] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.schedule = self.ledger.schedule()

    # -- problems ----------------------------------------------------------------------
    def problem(self, sheet: str, row: int, code: str, what: str, expected: str) -> None:
        column = self.labels.get(sheet, {}).get(code, code) if code else ""
        self.problems.append(Problem(sheet, row, column, what, expected))

    def refused(self, sheet: str, row: int, error: LedgerError, code: str) -> None:
        """A refusal of the domain, on the column it names (else ``code``)."""
        column = FIELD_COLUMNS.get(error.field or "", error.field or code)
        self.problem(sheet, row, column, error.detail, expected_for(error))

    # -- the ledger's aggregates -------------------------------------------------------
    def unit_id(self, key: str) -> UUID:
        found = self._unit_ids.get(key)
        if found is None:  # every row names a unit: derive each id once
            found = self._unit_ids[key] = keys.unit_id(self.district, key)
        return found

    def unit(self, unit_id: UUID) -> Unit | None:
        """A unit of the file or the ledger (the batch keeps it: its seats grow)."""
        return self.stored(unit_id, Unit)

    def stored(self, aggregate_id: UUID, cls: type[A]) -> A | None:
        try:
            return self.ledger.get(aggregate_id, cls)
        except NotFound:
            return None


# The domain's field names, as the import file's columns.
FIELD_COLUMNS = {
    "unit_id": "unit_key",
    "parent_id": "parent_key",
    "count": "dispatch_headcount",
    "level": "certificate",
}
