"""Units of the tree and their quota approvals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from domain.policy import PolicySchedule
from domain.unit import Unit
from projections.tables import Index, Rows, Table

UNITS_TABLE = Table(
    "rm_units",
    (
        ("unit_id", "TEXT PRIMARY KEY"),
        ("name", "TEXT NOT NULL"),
        ("kind", "TEXT NOT NULL"),
        ("parent_id", "TEXT"),
        ("unit_class", "INTEGER"),
        ("version", "BIGINT NOT NULL"),
    ),
    owner="unit_id",
    indexes=(Index("rm_units_parent", ("parent_id",)),),
)
APPROVALS = Table(
    "rm_quota_approvals",
    (
        ("unit_id", "TEXT NOT NULL"),
        ("seq", "INTEGER NOT NULL"),
        ("effective_date", "TEXT NOT NULL"),
        ("quota", "INTEGER NOT NULL"),
        ("document_ref", "TEXT NOT NULL"),
    ),
    primary_key=("unit_id", "seq"),
    owner="unit_id",
)


class Units:
    kind: Literal["unit"] = "unit"
    tables = (UNITS_TABLE, APPROVALS)

    def rows(self, unit: Unit, schedule: PolicySchedule, new_events: Sequence[Any]) -> Rows:
        return {
            UNITS_TABLE.name: [
                (
                    str(unit.id),
                    unit.name,
                    unit.kind.value,
                    str(unit.parent_id) if unit.parent_id else None,
                    unit.unit_class,
                    unit.version,
                )
            ],
            APPROVALS.name: [
                (str(unit.id), seq, a.effective_date.isoformat(), a.quota, a.document_ref)
                for seq, a in enumerate(unit.approvals, start=1)
            ],
        }


UNITS = Units()
