"""The column types a read-model table gives a binary COPY."""

from __future__ import annotations

from projections.schema import all_tables
from projections.tables import Table


def test_every_shipped_table_is_copied_in_binary_with_its_declared_types() -> None:
    for table in all_tables():
        types = table.column_types
        assert types is not None, table.name
        assert len(types) == len(table.columns)
    periods = next(t for t in all_tables() if t.name == "rm_worker_periods")
    assert periods.column_types == [
        "text", "text", "text", "text", "text", "text", "int4", "text", "text"
    ]  # fmt: skip


def test_a_table_with_a_type_binary_copy_is_not_told_of_goes_as_text() -> None:
    table = Table("t", (("id", "TEXT PRIMARY KEY"), ("day", "DATE NOT NULL")), owner="id")
    assert table.column_types is None
