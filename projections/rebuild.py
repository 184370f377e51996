"""The fast rebuild: every read model again from the events table, in one pass.

The incremental projector follows the notification log and loads each touched
aggregate through the repository, once per batch: right for a few new events,
but a full rebuild that way reads every aggregate's events many times. Here
the events table is read once, in primary-key order (originator id, version),
so each aggregate's events arrive together: it is reconstructed once, every
registered read model derives its rows, and the rows are written in large
batches (COPY on PostgreSQL, executemany on SQLite).

Everything happens in one transaction on the read store: the tables are
emptied, refilled and the position set to the head read at the start, so
readers see the old tables until the new ones commit, and a rebuild that fails
half-way leaves them as they were. Memory holds one aggregate and one batch
of rows at a time, whatever the size of the history.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing
from itertools import groupby
from operator import itemgetter
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent, Transcoder

from domain.policy import PolicySchedule
from domain.worker import Worker
from ledger.adapters.events_table import stored_rows
from ledger.application import Ledger
from projections import schema
from projections.models import MODELS
from projections.sql import ReadStore, Transaction
from projections.tables import Rows, Table

TOPICS = ("domain.worker:Worker.", "domain.unit:Unit.")
FETCH = 5000  # rows per round trip of the server-side cursor
BATCH_ROWS = 5_000  # read-model rows a child sends at once
FLUSH_ROWS = 50_000  # read-model rows buffered before they are written

Row = tuple[Any, ...]


def rebuild(
    ledger: Ledger,
    store: ReadStore,
    *,
    position_name: str,
    progress: Callable[[int], None] | None = None,
    after_batch: Callable[[], None] | None = None,
    processes: int | None = None,
) -> int:
    """Rebuild every read model; answers how many events were read.

    Deriving the rows dominates (the models replay each timeline), so the
    aggregate ids are split into ranges, one per core, read and derived by
    child processes; this process only writes, so everything still commits in
    one transaction. ``after_batch`` runs after each batch is buffered (tests
    use it to fail half-way).
    """
    head = ledger.recorder.max_notification_id() or 0
    tables = {table.name: table for model in MODELS for table in model.tables}
    processes = processes or os.cpu_count() or 1
    read = 0
    with store.transaction() as tx:
        schema.lock_position(tx, position_name)  # incremental projectors wait for the swap
        schema.clear(tx)
        writer = _Writer(tx, store.dialect, tables)
        # Closed at once on failure, so the children stop before the rollback.
        with closing(_derived(ledger, ledger.schedule(), head, processes)) as batches:
            for events_read, rows in batches:
                read += events_read
                writer.add(rows)
                if after_batch:
                    after_batch()
                if progress and events_read:
                    progress(events_read)
        writer.flush()
        schema.move_position(tx, position_name, head)
    if store.dialect == "postgres":
        # Fresh tables have stale statistics: without this a roster page scans the table.
        with store.transaction() as tx:
            for table in schema.all_tables():
                tx.execute(f"ANALYZE {table.name}")
    return read


def _derived(
    ledger: Ledger, schedule: PolicySchedule, head: int, processes: int
) -> Generator[tuple[int, Rows], None, None]:
    """Batches of (events read, rows per table), from every id range."""
    return in_processes(lambda _, lo, hi: _derive(ledger, schedule, head, lo, hi), processes)


RangeWork = Callable[[int, UUID | None, UUID | None], Iterable[Any]]


def id_ranges(processes: int) -> list[tuple[UUID | None, UUID | None]]:
    """The aggregate ids in ``processes`` ranges, from ``lo`` up to ``hi`` (None: no end)."""
    bounds = [UUID(int=(1 << 128) * n // processes) for n in range(processes)]
    return list(zip(bounds, [*bounds[1:], None], strict=True))


def in_processes(
    work: RangeWork, processes: int, *, name: str = "rebuild", method: str = "fork"
) -> Generator[Any, None, None]:
    """What ``work(index, lo, hi)`` yields for each id range, as it comes, one child
    process per range (what it yields must pickle). One process: the work runs here, on
    every id. Closing the generator stops the children.

    ``method="forkserver"`` starts the children from a clean single-threaded server
    instead of forking this process (unsafe in a threaded server): ``work`` must then
    pickle, and open what it needs itself.
    """
    if processes == 1:
        yield from work(0, None, None)
        return
    # Forked children inherit the ledger's mapper and the schedule, and open their own
    # connections: a connection inherited from this process must never be used there.
    context: Any = multiprocessing.get_context(method)
    if method == "forkserver":
        # The server imports the work's module once; each process forked from it starts warm.
        context.set_forkserver_preload(["__main__", type(work).__module__])
    queue: Any = context.Queue(maxsize=4 * processes)
    children = [
        context.Process(target=_child, args=(work, index, lo, hi, queue), daemon=True)
        for index, (lo, hi) in enumerate(id_ranges(processes))
    ]
    for child in children:
        child.start()
    try:
        running = len(children)
        while running:
            message = queue.get()
            if message is None:
                running -= 1
            elif isinstance(message, _Failed):
                raise RuntimeError(f"a {name} process failed: {message.error}")
            else:
                yield message
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()


class _Failed:
    def __init__(self, error: str) -> None:
        self.error = error


def _child(work: RangeWork, index: int, lo: UUID | None, hi: UUID | None, queue: Any) -> None:
    try:
        for message in work(index, lo, hi):
            queue.put(message)
    except BaseException as error:  # the parent must hear of it, or it waits forever
        queue.put(_Failed(f"{type(error).__name__}: {error}"))
        return
    queue.put(None)


def _derive(
    ledger: Ledger, schedule: PolicySchedule, head: int, lo: UUID | None, hi: UUID | None
) -> Iterator[tuple[int, Rows]]:
    models = {
        kind: [model for model in MODELS if model.kind == kind] for kind in ("worker", "unit")
    }
    rows: Rows = {}
    buffered = read = 0
    for events_read, events in aggregates(ledger, head, lo, hi):
        read += events_read
        if events:
            aggregate = reconstruct(events)
            kind = "worker" if isinstance(aggregate, Worker) else "unit"
            for model in models[kind]:
                for name, found in model.rows(aggregate, schedule, events).items():
                    rows.setdefault(name, []).extend(found)
                    buffered += len(found)
        if buffered >= BATCH_ROWS:
            yield read, rows
            rows, buffered, read = {}, 0, 0
    yield read, rows


def reconstruct(events: Sequence[Any]) -> Any:
    """The aggregate its events make, without the repository (and its cache), to read.

    The first event creates it; each later one changes it by its ``apply`` (the
    aggregate's own ``@event`` method), as ``mutate`` would, without ``mutate``'s
    checks that the events belong to it and follow each other: the events table's
    key and order guarantee both here. Not fit for recording new events.
    """
    aggregate: Any = events[0].mutate(None)
    for event in events[1:]:
        event.apply(aggregate)
    last = events[-1]
    aggregate.version = last.originator_version
    aggregate.modified_on = last.timestamp
    return aggregate


# -- reading ------------------------------------------------------------------------------
def supported(ledger: Ledger) -> bool:
    """Whether the events sit in a table this module can read (not the in-memory store)."""
    return ledger.env.get("PERSISTENCE_MODULE", "").endswith(("postgres", "sqlite"))


def aggregates(
    ledger: Ledger, head: int, lo: UUID | None, hi: UUID | None
) -> Iterator[tuple[int, list[Any]]]:
    """Each aggregate's events up to ``head`` as (events read, projected domain events).

    Aggregates the read models do not follow (tokens, the policy book) come
    through with no domain events, so progress still counts their rows.
    """
    to_domain_event = _fast_mapper(ledger.mapper).to_domain_event
    table = ledger.recorder.events_table_name  # type: ignore[attr-defined]
    for originator_id, rows in groupby(
        stored_rows(ledger.env, table, stop=head, lo=lo, hi=hi, page=FETCH), key=itemgetter(0)
    ):
        found = list(rows)
        if not found[0][2].startswith(TOPICS):
            yield len(found), []
            continue
        # The id as a UUID once per aggregate, not parsed again for each of its events.
        key = originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
        yield (
            len(found),
            [
                to_domain_event(StoredEvent(key, version, topic, bytes(state)))
                for _, version, topic, state in found
            ],
        )


def _fast_mapper(mapper: Mapper[UUID]) -> Mapper[UUID]:
    """The ledger's mapper (cipher, compressor, upcasting) with a faster JSON parser."""
    transcoder = _FastTranscoder(mapper.transcoder)
    return type(mapper)(transcoder, compressor=mapper.compressor, cipher=mapper.cipher)


class _FastTranscoder(JSONTranscoder):
    """The ledger's transcoder, parsing with orjson (the stdlib's parser was a tenth of
    a rebuild's time): the same transcodings turn the same ``{"_type_", "_data_"}``
    objects into values, innermost first, as the stdlib's ``object_hook`` does.
    Whatever orjson refuses (NaN, lone surrogates) or may read otherwise (it reads
    an integer beyond 64 bits as a float, so any float) is parsed by the ledger's
    own transcoder, so nothing decodes differently. The ledger's events hold no
    floats (money is a decimal string)."""

    def __init__(self, ledgers: Transcoder) -> None:
        super().__init__()
        self.ledgers = ledgers
        assert isinstance(ledgers, JSONTranscoder)
        self.types = dict(ledgers.types)
        self.names = dict(ledgers.names)

    def decode(self, data: bytes) -> Any:
        try:
            return self._values(orjson.loads(data))
        except (orjson.JSONDecodeError, _Float):
            return self.ledgers.decode(data)

    def _values(self, value: Any) -> Any:
        kind = type(value)
        if kind is dict:
            names = self.names
            for key, item in value.items():
                if type(item) in _NESTED:
                    data = item.get("_data_") if type(item) is dict else None
                    if type(data) is str and len(item) == 2 and item.get("_type_") in names:
                        # Most values: a date, a time or an id, nothing nested to decode.
                        value[key] = names[item["_type_"]].decode(data)
                    else:
                        value[key] = self._values(item)
            return self._decode_obj(value)
        if kind is list:
            return [self._values(v) if type(v) in _NESTED else v for v in value]
        raise _Float  # a float (or a document that is a bare value): the stdlib parses it


_NESTED = frozenset({dict, list, float})  # float: only to be refused, below


class _Float(Exception):
    """A float in an event: the stdlib reads it (and big integers) exactly, orjson may not."""


# -- writing ------------------------------------------------------------------------------
class _Writer:
    """Buffers rows per table and writes them in large batches."""

    def __init__(self, tx: Transaction, dialect: str, tables: dict[str, Table]) -> None:
        self.tx = tx
        self.dialect = dialect
        self.tables = tables
        self.buffer: dict[str, list[Row]] = {name: [] for name in tables}
        self.buffered = 0

    def add(self, rows: Rows) -> None:
        for name, found in rows.items():
            self.buffer[name].extend(found)
            self.buffered += len(found)
        if self.buffered >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        for name, rows in self.buffer.items():
            if rows:
                self._write(self.tables[name], rows)
                rows.clear()
        self.buffered = 0

    def _write(self, table: Table, rows: list[Row]) -> None:
        columns = ", ".join(table.column_names)
        if self.dialect == "postgres":
            cursor = self.tx._cursor
            with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        self.tx.executemany(table.insert, rows)
