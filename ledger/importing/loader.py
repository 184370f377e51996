"""The check: units, then each worker, through the application's use cases; and the write.

The check runs every row's use case in one ``Ledger.batch`` (a whole-careers batch:
a worker's seats are set once, from all its rows) and saves nothing: it collects
every problem, and takes the events the use cases made out of the batch into
:class:`Staging`, in batches, already mapped to stored events by the ledger's own
mapper (its transcoder, and cipher when one is set) exactly as ``Ledger.save`` maps
them; a worker, once staged, is forgotten, so the memory stays bounded. Only if
nothing was wrong does :func:`write` insert them, a batch of many aggregates per
transaction with the ledger's recorder, as ``save`` does (the PostgreSQL recorder
locks the events table once per insert): so the rules and the mapping run once, not
again at the write. Each save is atomic and ids come from the file's keys, so an
import that dies half way is completed by running it again: what was saved is
found and skipped. A writer who changed one of the same units or workers between
the check and the write makes the save conflict, and the import stops (run it
again).
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.utils import get_topic

from domain.worker import Worker
from ledger.application import Batch, Ledger
from ledger.commands import Context
from ledger.importing.first_pass import FirstPass, Progress
from ledger.importing.load_units import load_units
from ledger.importing.load_workers import load_worker
from ledger.importing.scope import Scope
from ledger.importing.staging import Staging

BATCH_WORKERS = 250


class Aborted(Exception):
    """The ledger changed between the check and the write."""


def check(
    ledger: Ledger,
    ctx: Context,
    first: FirstPass,
    staging: Staging,
    district: str | None,
    *,
    progress: Progress,
    batch_workers: int | None = None,
) -> Scope:
    batch_workers = batch_workers or BATCH_WORKERS
    scope = Scope(ledger, ctx, district, first.labels)
    scope.failed_units.update(scope.unit_id(k) for k in first.bad_units)
    # Looking each worker up costs a query: on a ledger without workers, skip it.
    may_exist = _holds_workers(ledger)
    # Rows with problems are left out; the rest is checked, so that one run tells all,
    # but nothing is staged to be written.
    scope.staging = not first.problems
    with ledger.batch(whole_careers=True) as batch:
        load_units(scope, first.units)
        _stage(scope, batch, staging, 0)
        progress.start("checking", staging.workers())
        done = 0
        for key, rows in staging.grouped():
            progress.advance()
            if key in first.bad_workers:
                continue
            load_worker(scope, key, rows, may_exist)
            done += 1
            _stage(scope, batch, staging, 1 + done // batch_workers)
    return scope


def _stage(scope: Scope, batch: Batch, staging: Staging, number: int) -> None:
    """Take the events made so far out of the batch, into staging batch ``number``
    unless a problem is known; the workers are done with, the units stay."""
    written = scope.staging and not scope.problems
    events = batch.take(_is_not_a_worker, discard=not written)
    if events and written:
        stored = map(scope.ledger.mapper.to_stored_event, events)
        rows = [(s.originator_id, s.originator_version, s.topic, s.state) for s in stored]
        staging.add_events(number, rows)
        scope.counts["events"] += len(events)


def _is_not_a_worker(aggregate: Aggregate) -> bool:
    return not isinstance(aggregate, Worker)


def write(ledger: Ledger, staging: Staging, progress: Progress, events: int) -> int:
    """Record the staged events, a batch per save; answer how many saves it took."""
    progress.start("recording", events)
    saves = 0
    for batch in staging.batches():
        try:
            ledger.recorder.insert_events([StoredEvent(*row) for row in batch])
        except IntegrityError:
            raise Aborted(
                "the ledger changed while importing (another writer recorded facts of these "
                "units or workers); run the import again: what was saved is skipped"
            ) from None
        saves += 1
        progress.advance(len(batch))
    return saves


def _holds_workers(ledger: Ledger) -> bool:
    hired = get_topic(vars(Worker)["Hired"])
    return bool(ledger.recorder.select_notifications(start=None, limit=1, topics=[hired]))
