"""How a read model declares its tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from domain.policy import PolicySchedule

Row = tuple[Any, ...]
Rows = dict[str, list[Row]]

# The column types the read models declare, by the names psycopg's binary COPY knows.
_TYPE_NAMES = {"TEXT": "text", "BIGINT": "int8", "INTEGER": "int4", "BOOLEAN": "bool"}


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A read-model table whose rows belong to one aggregate each.

    ``replace``: the owner's rows are deleted and written again whenever the
    owner changes (derived state). ``append``: rows are only ever added, one per
    event, keyed by the primary key (recorded history).
    """

    name: str
    # Each column's name and SQL type (with its constraints), in the order of the rows.
    columns: Sequence[tuple[str, str]]
    owner: str
    primary_key: Sequence[str] = ()  # a key of several columns; one column says so in its type
    mode: Literal["replace", "append"] = "replace"
    indexes: Sequence[Index] = field(default=())
    # Append mode, one row per event: the column holding the notification id of the event
    # that recorded the row (the owner's event whose version is in ``version_column``).
    # Models leave it NULL: the projector and the rebuild know the ids and set it
    # (:func:`with_positions`), so that a reader can take the rows as of one moment.
    position_column: str | None = None
    version_column: str | None = None

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    @property
    def column_types(self) -> list[str] | None:
        """Each column's PostgreSQL type name, as a binary ``COPY`` names it; None when a
        column is of a type not listed here (its rows then go as text)."""
        names = [_TYPE_NAMES.get(kind.split()[0].upper()) for _, kind in self.columns]
        return None if None in names else [name for name in names if name]

    @property
    def create(self) -> str:
        """The ``CREATE TABLE`` statement, from the declared columns."""
        parts = [f"{name} {kind}" for name, kind in self.columns]
        if self.primary_key:
            parts.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        return f"CREATE TABLE IF NOT EXISTS {self.name} ({', '.join(parts)})"

    def create_index(self, index: Index) -> str:
        columns = ", ".join(index.columns)
        return f"CREATE INDEX IF NOT EXISTS {index.name} ON {self.name} ({columns})"

    @property
    def insert(self) -> str:
        """An ``INSERT`` of one row, every column, ``%s`` placeholders."""
        names = self.column_names
        return (
            f"INSERT INTO {self.name} ({', '.join(names)}) "
            f"VALUES ({', '.join(['%s'] * len(names))})"
        )


def with_positions(table: Table, rows: list[Row], positions: Mapping[int, int]) -> list[Row]:
    """``rows`` of ``table`` with its position column set from ``positions`` (the owner's
    event versions to their notification ids); unchanged for a table without one. A row
    whose event is not among them (only an event that recorded no row of its own would
    leave one) keeps NULL: a reader as of a moment then leaves it out rather than guess."""
    if table.position_column is None or not rows:
        return rows
    names = table.column_names
    at, version = names.index(table.position_column), names.index(str(table.version_column))
    get = positions.get
    return [(*row[:at], get(row[version]), *row[at + 1 :]) for row in rows]


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
