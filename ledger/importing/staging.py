"""The import's scratch space on disk: the workers' rows, then the events to record.

A worker's facts may be scattered through a file; loading wants them together and
in order, so the first pass sets the typed rows aside here and the check reads them
back grouped by worker. The check then leaves here the events it made, in batches,
and the write pass records those: the rules run once, memory stays bounded whatever
the file's size. A temporary SQLite file, deleted at the end; what it holds was
pickled by this same process a moment before.
"""

from __future__ import annotations

import pickle
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from itertools import groupby
from pathlib import Path
from types import TracebackType
from typing import Any

from ledger.importing.rows import Values


class Staging:
    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="ledger-import-")
        self._db = sqlite3.connect(Path(self._dir.name) / "staging.db")
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("CREATE TABLE facts (worker_key TEXT, seq INTEGER, row BLOB)")
        self._db.execute("CREATE TABLE events (batch INTEGER, seq INTEGER, events BLOB)")
        self._seq = 0

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType
    ) -> None:
        self._db.close()
        self._dir.cleanup()

    # -- the workers sheet's rows --------------------------------------------------------
    def add(self, sheet: str, row: int, values: Values) -> None:
        self._seq += 1  # file order, across sheets
        blob = pickle.dumps((sheet, row, values), protocol=pickle.HIGHEST_PROTOCOL)
        self._db.execute(
            "INSERT INTO facts VALUES (?, ?, ?)", (values["worker_key"], self._seq, blob)
        )

    def workers(self) -> int:
        self._db.commit()
        self._db.execute("CREATE INDEX IF NOT EXISTS by_worker ON facts (worker_key, seq)")
        (count,) = self._db.execute("SELECT count(DISTINCT worker_key) FROM facts").fetchone()
        return int(count)

    def grouped(self) -> Iterator[tuple[str, list[tuple[str, int, Values]]]]:
        """Each worker key with its rows ``(sheet, row, values)`` in file order."""
        found = self._db.execute("SELECT worker_key, row FROM facts ORDER BY worker_key, seq")
        for key, rows in groupby(found, key=lambda r: r[0]):
            yield key, [pickle.loads(blob) for _, blob in rows]  # noqa: S301 - our own rows

    # -- the events the check made ---------------------------------------------------------
    def add_events(self, batch: int, events: Sequence[Any]) -> None:
        self._seq += 1
        blob = pickle.dumps(list(events), protocol=pickle.HIGHEST_PROTOCOL)
        self._db.execute("INSERT INTO events VALUES (?, ?, ?)", (batch, self._seq, blob))

    def batches(self) -> Iterator[list[Any]]:
        """The staged events, one list per batch, in the order they were made."""
        self._db.commit()
        found = self._db.execute("SELECT batch, events FROM events ORDER BY batch, seq")
        for _, rows in groupby(found, key=lambda r: r[0]):
            yield [e for _, blob in rows for e in pickle.loads(blob)]  # noqa: S301 - ours
