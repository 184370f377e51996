"""Creating and emptying the read-model tables, from the models that declare them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from projections.models import MODELS
from projections.sql import Transaction
from projections.tables import Table

POSITION = Table(
    "rm_position",
    (
        ("projection", "TEXT PRIMARY KEY"),
        ("position", "BIGINT NOT NULL"),
        ("updated_at", "TEXT NOT NULL"),
    ),
    owner="projection",
)


def all_tables() -> list[Table]:
    """Each table once: models may share one (the activity feed of workers and units)."""
    tables = {table.name: table for model in MODELS for table in model.tables}
    return [POSITION, *tables.values()]


# Dates are ISO text, so both databases sort and compare them alike.
TABLES = {table.name: table for table in all_tables()}


# Any fixed number: serialises table creation when several processes start at once.
_CREATE_LOCK = 0x6C6564676572


def create(tx: Transaction) -> None:
    """Create what is missing. On PostgreSQL nothing is even attempted for what exists:
    ``CREATE INDEX IF NOT EXISTS`` still locks its table, which deadlocks with a running
    projector's inserts when a second process starts."""
    if tx.dialect == "postgres":  # CREATE TABLE IF NOT EXISTS races with itself there
        tx.execute("SELECT pg_advisory_xact_lock(%s)", (_CREATE_LOCK,))
    for table in all_tables():
        if not _exists(tx, table.name):
            tx.execute(table.create)
        else:
            _add_missing_columns(tx, table)
        for index in table.indexes:
            if not _exists(tx, index.name):
                tx.execute(table.create_index(index))


def _add_missing_columns(tx: Transaction, table: Table) -> None:
    """A column declared since the table was made (an upgrade), added empty, so that the
    projector goes on writing the table until the rebuild the changelog asks for fills the
    column for the earlier rows; readers that need it wait for that rebuild (``COMPLETE``).
    Only a column that may be empty can be added so: any other change takes the rebuild."""
    if tx.dialect == "postgres":
        found = tx.query(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s",
            (table.name,),
        )
    else:
        found = [(row[1],) for row in tx.query(f"PRAGMA table_info({table.name})")]
    present = {name for (name,) in found}
    for name, kind in table.columns:
        if name not in present and "NOT NULL" not in kind.upper():
            tx.execute(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}")


def _exists(tx: Transaction, name: str) -> bool:
    if tx.dialect != "postgres":
        return bool(tx.query("SELECT 1 FROM sqlite_master WHERE name = %s", (name,)))
    return tx.query("SELECT to_regclass(%s) IS NOT NULL", (name,))[0][0] is True


def clear(tx: Transaction) -> None:
    """Empty every read model, as a rebuild starts; the caller's transaction makes
    the swap atomic: readers see the old tables until the rebuilt ones commit. The
    position stays (locked by the caller) and is moved when the rebuild commits."""
    for table in all_tables():
        if table is not POSITION:
            tx.execute(f"DELETE FROM {table.name}")


# The suffix of the tables a PostgreSQL rebuild fills before swapping them in.
FRESH = "__fresh"


def fresh(tx: Transaction) -> None:
    """New, empty, unindexed copies of every read-model table (PostgreSQL), to be filled
    by COPY, indexed by :func:`index_fresh` and swapped in by :func:`swap`.

    Emptying the live tables with ``DELETE`` and filling them through their indexes
    was most of PostgreSQL's share of a rebuild (and left every old row dead behind):
    an index built once over loaded rows costs a fraction of one kept up row by row.
    """
    drop_fresh(tx)
    for table in _derived():
        columns = ", ".join(
            f"{name} {kind.replace(' PRIMARY KEY', '')}" for name, kind in table.columns
        )
        tx.execute(f"CREATE TABLE {table.name}{FRESH} ({columns})")


def index_fresh(tx: Transaction) -> None:
    """Give the filled fresh tables their keys and indexes, under temporary names, and
    their statistics (PostgreSQL). Readers and projectors still use the live tables
    meanwhile: nothing here locks them. Statistics belong to the table, so they stay
    with it through the renames of :func:`swap`; without them a roster page would scan."""
    # Sorting a province's two million keys in memory, not in batches spilled to disk.
    tx.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for table in _derived():
        new = f"{table.name}{FRESH}"
        key = list(table.primary_key) or [n for n, kind in table.columns if "PRIMARY KEY" in kind]
        tx.execute(f"ALTER TABLE {new} ADD CONSTRAINT {new}_pkey PRIMARY KEY ({', '.join(key)})")
        for index in table.indexes:
            tx.execute(f"CREATE INDEX {index.name}{FRESH} ON {new} ({', '.join(index.columns)})")
        tx.execute(f"ANALYZE {new}")


def swap(tx: Transaction) -> None:
    """Put the indexed fresh tables (:func:`index_fresh`) in place of the live ones
    (PostgreSQL). Only these drops and renames hold exclusive locks, and readers see the
    old tables until the caller's transaction commits."""
    for table in _derived():
        name, new = table.name, f"{table.name}{FRESH}"
        tx.execute(f"DROP TABLE {name}")
        tx.execute(f"ALTER TABLE {new} RENAME TO {name}")
        tx.execute(f"ALTER INDEX {new}_pkey RENAME TO {name}_pkey")
        for index in table.indexes:
            tx.execute(f"ALTER INDEX {index.name}{FRESH} RENAME TO {index.name}")


def drop_fresh(tx: Transaction) -> None:
    """Drop whatever fresh tables a rebuild left (PostgreSQL): one that failed or was killed."""
    for table in _derived():
        tx.execute(f"DROP TABLE IF EXISTS {table.name}{FRESH}")


def _derived() -> list[Table]:
    return [table for table in all_tables() if table is not POSITION]


def lock_position(tx: Transaction, name: str) -> int:
    """The projection's position, locked until ``tx`` ends: a second projector (another
    API process, say) waits here, then continues from the position this one commits."""
    tx.execute("INSERT INTO rm_position VALUES (%s, 0, %s) ON CONFLICT DO NOTHING", (name, _now()))
    # SQLite's BEGIN IMMEDIATE already holds the database's write lock.
    lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
    found = tx.query(f"SELECT position FROM rm_position WHERE projection = %s{lock}", (name,))
    return int(found[0][0])


def _fingerprint() -> str:
    """The derived tables' declarations, hashed: a model, table or column added or changed
    gives another, so tables projected under the old ones are not taken as complete."""
    declared = [
        (t.name, tuple(t.columns), tuple(t.primary_key), t.mode, t.position_column)
        for t in _derived()
    ]
    return hashlib.sha256(repr(declared).encode()).hexdigest()[:16]


# The position row saying "every read model, as declared now, holds every event from the
# first": a rebuild writes it (all tables derived from the events), and so does a projector
# whose first batch starts at the first event. A projector that creates a new model's table
# on a ledger projected before never does: that table then lacks the events before it, and
# the simulation's fast paths replay the events until the next rebuild. One indexed row to
# read, where counting every worker's rows against rm_workers took 0.35 s on a province.
COMPLETE = f"complete {_fingerprint()}"


def mark_complete(tx: Transaction) -> None:
    """Every read model complete: derived from the first event (the row's position, 0,
    says from where; the projection's own row says up to where). The marks of earlier
    declarations go. The same row whoever wrote it: a rebuild's tables equal those the
    projector wrote batch by batch (tests/integration/test_fast_rebuild.py)."""
    tx.execute("DELETE FROM rm_position WHERE projection LIKE %s", ("complete %",))
    tx.execute("INSERT INTO rm_position VALUES (%s, 0, %s)", (COMPLETE, _now()))


def is_complete(tx: Transaction) -> bool:
    """Whether :func:`mark_complete` was written for the tables as declared now."""
    return bool(tx.query("SELECT 1 FROM rm_position WHERE projection = %s", (COMPLETE,)))


def move_position(tx: Transaction, name: str, position: int) -> None:
    tx.execute(
        "UPDATE rm_position SET position = %s, updated_at = %s WHERE projection = %s",
        (position, _now(), name),
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()
