"""The moment a simulation answers about, and whether the read models can answer for it.

A simulation reads its head (the last event it counts) and then, on its fast paths, the
read models: the stored careers (``setwise``) or the recorded facts and the units
(``career_facts``). Read one after the other, each at the moment of its own statement,
they could mix two moments: a fact recorded (and projected) between them counted on one
side and not the other. So the head is read in the same snapshot as everything the
parent then reads (:func:`moment`), the read models are trusted only when they hold
exactly that head (:func:`ready`: their position, committed with their rows, is at it),
and the processes that read the career facts over their own connections, later, keep to
the facts recorded up to it (``rm_career_facts.position``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ledger.application import Ledger
from projections import schema, stream
from projections.projector import NAME
from projections.sql import ReadStore, Transaction


@contextmanager
def moment(ledger: Ledger, store: ReadStore) -> Iterator[tuple[Transaction, int]]:
    """A snapshot of the read models (``ReadStore.snapshot``) and the head as of it."""
    with store.snapshot() as tx:
        yield tx, head(ledger, tx)


def head(ledger: Ledger, tx: Transaction) -> int:
    """The last notification id in the events table, as ``tx`` sees it: the read models
    live in the events' database. The in-memory store has no table: its recorder's."""
    if not stream.supported(ledger):
        return ledger.recorder.max_notification_id() or 0
    table = ledger.recorder.events_table_name  # type: ignore[attr-defined]
    column = "notification_id" if tx.dialect == "postgres" else "rowid"
    return int(tx.query(f"SELECT MAX({column}) FROM {table}")[0][0] or 0)


def ready(tx: Transaction, head: int) -> bool:
    """Whether the read models, as ``tx`` sees them, hold every event up to ``head`` (their
    position) and every table of them every event from the first (``schema.is_complete``:
    a ledger projected before a model existed lacks that model's earlier rows until the
    next rebuild). Two lookups of one indexed row each, whatever the ledger's size."""
    if not _exists(tx, schema.POSITION.name):
        return False  # never projected here
    found = dict(
        tx.query(
            "SELECT projection, position FROM rm_position WHERE projection IN (%s, %s)",
            (NAME, schema.COMPLETE),
        )
    )
    return schema.COMPLETE in found and int(found.get(NAME, 0)) >= head


def _exists(tx: Transaction, table: str) -> bool:
    if tx.dialect == "postgres":
        return bool(tx.query("SELECT to_regclass(%s) IS NOT NULL", (table,))[0][0])
    return bool(tx.query("SELECT 1 FROM sqlite_master WHERE name = %s", (table,)))
