"""The read-model tables. Dates are ISO text so both databases sort and compare them alike."""

from __future__ import annotations

from projections.sql import Transaction

TABLES = {
    "rm_position": """
        projection TEXT PRIMARY KEY,
        position BIGINT NOT NULL,
        updated_at TEXT NOT NULL""",
    "rm_workers": """
        worker_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        gender TEXT NOT NULL,
        birth_date TEXT NOT NULL,
        channel TEXT NOT NULL,
        hire_date TEXT NOT NULL,
        version BIGINT NOT NULL""",
    # The worker's state from valid_from up to (not including) valid_to; NULL: still so.
    "rm_worker_periods": """
        worker_id TEXT NOT NULL,
        valid_from TEXT NOT NULL,
        valid_to TEXT,
        unit_id TEXT NOT NULL,
        status TEXT NOT NULL,
        post TEXT NOT NULL,
        grade INTEGER NOT NULL,
        education TEXT NOT NULL,
        certificate TEXT,
        PRIMARY KEY (worker_id, valid_from)""",
    "rm_worker_history": """
        worker_id TEXT NOT NULL,
        version BIGINT NOT NULL,
        type TEXT NOT NULL,
        effective_date TEXT,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        request_id TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (worker_id, version)""",
    "rm_units": """
        unit_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        parent_id TEXT,
        unit_class INTEGER,
        version BIGINT NOT NULL""",
    "rm_quota_approvals": """
        unit_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        effective_date TEXT NOT NULL,
        quota INTEGER NOT NULL,
        document_ref TEXT NOT NULL,
        PRIMARY KEY (unit_id, seq)""",
}

INDEXES = (
    "CREATE INDEX IF NOT EXISTS rm_worker_periods_unit ON rm_worker_periods (unit_id, valid_from)",
    "CREATE INDEX IF NOT EXISTS rm_units_parent ON rm_units (parent_id)",
)


def create(tx: Transaction) -> None:
    for name, columns in TABLES.items():
        tx.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
    for statement in INDEXES:
        tx.execute(statement)


def clear(tx: Transaction) -> None:
    """Empty every read model, as a rebuild starts; the caller's transaction makes
    the swap atomic: readers see the old tables until the rebuilt ones commit."""
    for name in TABLES:
        tx.execute(f"DELETE FROM {name}")
