"""Creating and emptying the read-model tables, from the models that declare them."""

from __future__ import annotations

from projections.models import MODELS
from projections.sql import Transaction
from projections.tables import Table

POSITION = Table(
    "rm_position",
    """
        projection TEXT PRIMARY KEY,
        position BIGINT NOT NULL,
        updated_at TEXT NOT NULL""",
    owner="projection",
)


def all_tables() -> list[Table]:
    return [POSITION, *(table for model in MODELS for table in model.tables)]


# Dates are ISO text, so both databases sort and compare them alike.
TABLES = {table.name: table.columns for table in all_tables()}


def create(tx: Transaction) -> None:
    for table in all_tables():
        tx.execute(f"CREATE TABLE IF NOT EXISTS {table.name} ({table.columns})")
        for statement in table.indexes:
            tx.execute(statement)


def clear(tx: Transaction) -> None:
    """Empty every read model, as a rebuild starts; the caller's transaction makes
    the swap atomic: readers see the old tables until the rebuilt ones commit."""
    for table in all_tables():
        tx.execute(f"DELETE FROM {table.name}")
