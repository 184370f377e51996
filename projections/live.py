"""Read models for a serving process: kept up to date, and fresh enough to read.

A report waits until the read models have passed every event recorded before
the report was asked for (bounded by ``read_wait_seconds``), so a client that
has just written and then reads sees its write.
"""

from __future__ import annotations

import logging
import threading
import time

from ledger.application import Ledger
from projections.projector import Projector
from projections.sql import ReadStore

logger = logging.getLogger("projections")


class StaleReadModels(Exception):
    """The read models did not reach the writes recorded before the read in time."""

    def __init__(self, position: int, head: int) -> None:
        super().__init__(f"read models at {position}, writes at {head}")
        self.position = position
        self.head = head


class LiveReadModels:
    def __init__(
        self,
        ledger: Ledger,
        database_url: str,
        *,
        in_process: bool,
        wait_seconds: float = 2.0,
        poll_seconds: float = 0.2,
    ) -> None:
        self.ledger = ledger
        self.store = ReadStore(database_url)
        self._reader = _reader_for(ledger)
        self.projector = Projector(self._reader, self.store)
        self.in_process = in_process
        self.wait_seconds = wait_seconds
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.in_process:
            self._thread = threading.Thread(target=self._follow, name="projector", daemon=True)
            self._thread.start()

    def _follow(self) -> None:
        try:
            # A ledger never projected (a fresh demo, a new install) is filled by the
            # streaming rebuild, many times faster than following the log batch by batch.
            if self.projector.position() == 0 and self.ledger.recorder.max_notification_id():
                self.projector.rebuild(processes=1)  # no fork inside a threaded server
        except Exception:
            logger.exception("initial rebuild failed; following the log instead")
        while not self._stop.is_set():
            try:
                self.projector.catch_up()
            except Exception:  # a failed batch rolled back; the next poll retries it
                logger.exception("projector batch failed; retrying")
            self._stop.wait(self.poll_seconds)

    def fresh(self) -> Projector:
        """The projector, once its read models include every write recorded so far."""
        head = self.ledger.recorder.max_notification_id() or 0
        deadline = time.monotonic() + self.wait_seconds
        while (position := self.projector.position()) < head:
            if self.in_process:
                self.projector.run_once()
            elif time.monotonic() < deadline:
                time.sleep(0.02)
            if time.monotonic() >= deadline and self.projector.position() < head:
                raise StaleReadModels(position, head)
        return self.projector

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.store.close()
        if self._reader is not self.ledger:
            self._reader.close()


def _reader_for(ledger: Ledger) -> Ledger:
    """The ledger the projector reads the events through.

    On SQLite, a second instance with connections of its own. eventsourcing's
    SQLite pool lets one thread at a time wait for a connection: an API write
    waiting there for the one writer connection, itself waiting for SQLite's
    lock, which a projector batch holds (BEGIN IMMEDIATE), kept that batch from
    reading its events until the write gave up after 5 s with a 503.
    """
    if ledger.env.get("PERSISTENCE_MODULE") == "eventsourcing.sqlite":
        return type(ledger)(env=dict(ledger.env))
    return ledger
