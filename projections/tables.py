"""How a read model declares its tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from domain.policy import PolicySchedule

Rows = dict[str, list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Table:
    """A read-model table whose rows belong to one aggregate each.

    ``replace``: the owner's rows are deleted and written again whenever the
    owner changes (derived state). ``append``: rows are only ever added, one per
    event, keyed by the primary key (recorded history).
    """

    name: str
    columns: str
    owner: str
    mode: Literal["replace", "append"] = "replace"
    indexes: Sequence[str] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [
            line.strip().split()[0]
            for line in self.columns.split(",\n")
            if line.strip() and not line.strip().startswith("PRIMARY KEY")
        ]

    @property
    def insert(self) -> str:
        """An ``INSERT`` of one row, every column, ``%s`` placeholders."""
        names = self.column_names
        return (
            f"INSERT INTO {self.name} ({', '.join(names)}) "
            f"VALUES ({', '.join(['%s'] * len(names))})"
        )


class ReadModel(Protocol):
    """Derives one aggregate's rows; the projector writes them with the position."""

    @property
    def kind(self) -> Literal["worker", "unit"]:
        """Which aggregates it reads."""
        ...

    @property
    def tables(self) -> Sequence[Table]: ...

    def rows(self, aggregate: Any, schedule: PolicySchedule, new_events: Sequence[Any]) -> Rows:
        """Rows per table name: all the owner's rows (replace) or new ones (append)."""
        ...
