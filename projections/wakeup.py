"""Waking the projector when events are recorded, instead of only polling.

The PostgreSQL event store sends ``NOTIFY`` on its channel with every insert
(delivered when the insert commits), so a projector that listens starts its
next batch within milliseconds of a write. Polling alone added up to one poll
interval to every write's lag, and so to every report that waits for it
(read-your-writes). The interval still bounds the wait: a notification lost
to a dropped connection only delays the next batch, and SQLite, which has no
notifications, simply polls.
"""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack
from typing import Any

from ledger.adapters.events_table import connection, is_postgres
from ledger.application import Ledger

logger = logging.getLogger("projections")


class Wakeup:
    def __init__(self, ledger: Ledger, interval: float) -> None:
        self.ledger = ledger
        self.interval = interval
        self.listening = is_postgres(ledger.env)
        self._conn: Any = None
        self._held = ExitStack()
        if self.listening:
            # Before the first batch: an insert between that batch and a later LISTEN
            # would wait a whole interval.
            try:
                self._listen()
            except Exception as error:
                logger.warning("cannot listen for new events (%s); polling", error)

    def wait(self) -> None:
        """Until an insert may have committed since the last call, or ``interval`` passed."""
        if not self.listening:
            time.sleep(self.interval)
            return
        try:
            conn = self._listen()
            for _ in conn.notifies(timeout=self.interval, stop_after=1):
                pass
            for _ in conn.notifies(timeout=0.0):  # one batch covers every insert so far
                pass
        except Exception as error:  # the server restarted or cut us: listen again next time
            logger.warning("lost the event store's notifications (%s); polling", error)
            self.close()
            time.sleep(self.interval)

    def _listen(self) -> Any:
        if self._conn is None:
            from psycopg import sql

            conn = self._held.enter_context(connection(self.ledger.env, autocommit=True))
            channel = self.ledger.recorder.channel_name  # type: ignore[attr-defined]
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            self._conn = conn
        return self._conn

    def close(self) -> None:
        self._conn = None
        self._held.close()
