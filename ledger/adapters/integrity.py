"""``ledger verify``: walk the stored events and check every aggregate's hash chain.

The walk streams the events table up to the last notification, aggregate by
aggregate in version order (the primary key's order), decodes each event with
the application's own mapper (so an encrypted store verifies with its key) and
checks, per aggregate:

- versions run 1, 2, 3, ... with no gap (a gap is a deleted record);
- each chained event's ``chain_hash`` is the hash of its predecessor's and of
  its own recorded fields (a mismatch is an altered or forged record);
- once an aggregate's chain has started, every later event is chained (an
  unchained one was inserted, or had its hash stripped).

Memory holds the aggregate being checked, never the log, whatever its size.
Alongside, a running digest over every event (notification id, aggregate,
version, chain hash) gives the *anchor* ``N:COUNT:HEX``: kept outside the
database and given back with ``--against``, it proves that the events up to
notification ``N`` are still exactly the ones seen then, which the per-aggregate
chains cannot (deleting an aggregate's last events leaves a shorter, valid chain).
See docs/integrity.md and ADR 0008."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic

from domain import chain
from domain.errors import InvalidInput
from ledger.adapters import events_table
from ledger.application import Ledger

PAGE = 1_000
PROGRESS_EVERY = 500  # events between progress reports
MAX_LISTED = 100  # problems listed in the report, the earliest; the count goes on
MAX_KEPT = 10_000  # problems kept while walking, to list the earliest ones
MAX_GAPS = 20
_ANCHOR = re.compile(r"^(\d+):(\d+):([0-9a-f]{64})$")

# What broke, as reported (and as the JSON ``kind``).
ALTERED = "altered"  # the record's bytes or fields are not what was chained
DELETED = "deleted"  # a version is missing
INSERTED = "inserted"  # a record that cannot belong where it sits
UNREADABLE = "unreadable"  # the stored bytes do not decrypt or decode
ANCHOR = "anchor"  # the log up to the anchor's notification changed
KIND_LABELS = {
    ALTERED: "记录被篡改",
    DELETED: "记录被删除",
    INSERTED: "记录被插入",
    UNREADABLE: "记录无法读取",
    ANCHOR: "与锚点不符",
}


@dataclass(frozen=True)
class Anchor:
    """The log digest after notification ``position``, over ``count`` events."""

    position: int
    count: int
    digest: str

    def __str__(self) -> str:
        return f"{self.position}:{self.count}:{self.digest}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        found = _ANCHOR.match(text.strip().lower())
        if found is None:
            raise InvalidInput(
                f"{text!r} is not an anchor: expected NOTIFICATION:COUNT:SHA256 as printed "
                "by 'ledger verify'",
                field="against",
            )
        return cls(int(found[1]), int(found[2]), found[3])


@dataclass(frozen=True)
class Problem:
    kind: str
    detail: str
    aggregate_id: str | None = None
    version: int | None = None
    notification_id: int | None = None
    topic: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kind_label": KIND_LABELS[self.kind],
            "aggregate_id": self.aggregate_id,
            "version": self.version,
            "notification_id": self.notification_id,
            "topic": self.topic,
            "detail": self.detail,
        }


@dataclass
class Report:
    events: int = 0
    aggregates: int = 0
    chained_events: int = 0
    pre_chain_events: int = 0
    last_notification_id: int = 0
    anchor: Anchor | None = None
    against: Anchor | None = None
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    notification_gaps: list[tuple[int, int]] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_KEPT:
            self.problems.append(problem)

    def as_dict(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "events": self.events,
            "aggregates": self.aggregates,
            "chained_events": self.chained_events,
            "pre_chain_events": self.pre_chain_events,
            "last_notification_id": self.last_notification_id,
            "anchor": str(self.anchor) if self.anchor else None,
            "against": str(self.against) if self.against else None,
            "problem_count": self.problem_count,
            "problems": [p.as_dict() for p in self.problems],
            "notification_gaps": [list(g) for g in self.notification_gaps],
        }


@dataclass(slots=True)
class _Head:
    """What the walk remembers of one aggregate: its last version and chain hash."""

    version: int
    chain_hash: str | None  # None: not chained yet (only pre-chain events so far)
    known: bool = True  # False after an unreadable record: the next link cannot be checked


def verify(
    ledger: Ledger,
    *,
    against: Anchor | None = None,
    progress: Callable[[int], None] | None = None,  # given the number of events read
    page: int = PAGE,
) -> Report:
    """Check every stored event up to the current last notification; never raises on damage."""
    report = Report(against=against)
    stop = ledger.recorder.max_notification_id() or 0
    report.last_notification_id = stop
    now = hashlib.sha256()  # every event: the anchor printed now
    then = hashlib.sha256()  # the events up to the given anchor's notification
    then_count = last_id = 0
    current: Any = None
    head: _Head | None = None
    for n in _stored_events(ledger, stop, page):
        if n.originator_id != current:  # one aggregate at a time: memory stays constant
            current, head = n.originator_id, None
            report.aggregates += 1
        head, digest = _check(ledger, n, head, report)
        entry = f"{n.id}:{n.originator_id}:{n.originator_version}:{digest}\n".encode()
        now.update(entry)
        if against is not None and n.id <= against.position:
            then.update(entry)
            then_count += 1
        last_id = max(last_id, n.id)
        report.events += 1
        if progress is not None and report.events % PROGRESS_EVERY == 0:
            progress(report.events)
    if progress is not None:
        progress(report.events)
    if against is not None:
        _check_anchor(report, against, then_count, then.hexdigest())
    report.anchor = Anchor(last_id, report.events, now.hexdigest())
    # Found aggregate by aggregate; reported in recorded order, the earliest first.
    report.problems.sort(key=lambda p: p.notification_id or 0)
    del report.problems[MAX_LISTED:]
    if not report.intact:
        report.notification_gaps = _gaps(ledger, stop)
    return report


def _stored_events(ledger: Ledger, stop: int, page: int) -> Iterator[Notification]:
    """Every stored event up to notification ``stop``, by aggregate id and version, streamed.

    Aggregate order lets the walk forget each aggregate once past it. The anchor's
    digest follows the same order, which is the primary key's on every store (SQLite
    keeps ids as lower-case hex, which sorts as PostgreSQL sorts UUIDs).
    """
    env = ledger.env
    if events_table.has_events_table(env):
        table = ledger.recorder.events_table_name  # type: ignore[attr-defined]
        rows = events_table.stored_rows(env, table, stop=stop, page=page, with_position=True)
        for nid, originator_id, version, topic, state in rows:
            key = originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
            yield Notification(key, version, topic, bytes(state), nid)
        return
    # The in-memory store (tests): everything is in memory anyway.
    found = list(ledger.recorder.select_notifications(start=None, limit=stop or 1, stop=stop))
    yield from sorted(found, key=lambda n: (n.originator_id, n.originator_version))


def _gaps(ledger: Ledger, stop: int) -> list[tuple[int, int]]:
    """Notification ids missing below ``stop`` (a hint where records were deleted)."""
    if not events_table.has_events_table(ledger.env):
        return []
    table = ledger.recorder.events_table_name  # type: ignore[attr-defined]
    column = "rowid" if events_table.is_sqlite(ledger.env) else "notification_id"
    # Only the recorder's table name and integers go into the text.
    sql = (
        f"SELECT id + 1, next - 1 FROM (SELECT {column} AS id, LEAD({column}) OVER "
        f"(ORDER BY {column}) AS next FROM {table} WHERE {column} <= {int(stop)}) AS ids "
        f"WHERE next > id + 1 ORDER BY id LIMIT {MAX_GAPS}"
    )
    with events_table.connection(ledger.env) as conn:
        lowest = conn.execute(f"SELECT MIN({column}) FROM {table}").fetchone()[0]
        found = conn.execute(sql).fetchall()
    gaps = [(1, lowest - 1)] if lowest and lowest > 1 else []
    return [*gaps, *((int(a), int(b)) for a, b in found)][:MAX_GAPS]


def _check_anchor(report: Report, against: Anchor, seen: int, digest: str) -> None:
    if seen == against.count and digest == against.digest:
        return
    if seen < against.count:
        what = f"{against.count - seen} fewer events than then: records were deleted"
    elif seen > against.count:
        what = f"{seen - against.count} more events than then: records were inserted"
    else:
        what = "as many events as then, but records were altered or replaced"
    report.add(
        Problem(
            ANCHOR,
            f"the log up to notification {against.position} no longer matches the anchor "
            f"({against.count} events then, {seen} now): {what}",
            notification_id=against.position,
        )
    )


def _check(
    ledger: Ledger, n: Notification, head: _Head | None, report: Report
) -> tuple[_Head, str]:
    """Check one stored event after its aggregate's ``head`` (None: the aggregate's first
    record); answer the new head and the event's entry in the log digest."""
    version = n.originator_version
    state = _decode(ledger, n, report)
    if state is None:
        return _Head(version, None, known=False), hashlib.sha256(n.state).hexdigest()
    stored_hash = state.pop(chain.CHAIN_FIELD, None)
    if not isinstance(stored_hash, str):
        stored_hash = None

    expected = 1 if head is None else head.version + 1
    if version != expected:
        if version > expected:
            missing = (
                f"version {expected}"
                if version == expected + 1
                else f"versions {expected} to {version - 1}"
            )
            report.add(_at(n, DELETED, f"{missing} of this aggregate is missing"))
        else:
            report.add(_at(n, INSERTED, f"version {version} comes after version {expected - 1}"))
        # Checking the link too would only report the same break twice.
        return _Head(version, stored_hash), _log_digest(stored_hash, n.topic, state)

    if stored_hash is None:
        if head is not None and head.chain_hash is not None:
            report.add(
                _at(
                    n,
                    INSERTED,
                    "an unchained record follows chained ones: it was inserted, or its chain "
                    "hash was removed",
                )
            )
        else:
            report.pre_chain_events += 1
        return _Head(version, head.chain_hash if head else None), _log_digest(None, n.topic, state)

    report.chained_events += 1
    if head is None or head.known:
        previous = head.chain_hash if head is not None and head.chain_hash else chain.GENESIS
        recomputed = chain.link(previous, n.topic, n.originator_id, version, state)
        if recomputed != stored_hash:
            rewritten = f" (or version {version - 1} was rewritten with a fresh hash)"
            report.add(
                _at(
                    n,
                    ALTERED,
                    "the record does not match its chain hash: its fields were changed, or it "
                    "was forged" + (rewritten if version > 1 else ""),
                )
            )
    return _Head(version, stored_hash), stored_hash


def _decode(ledger: Ledger, n: Notification, report: Report) -> dict[str, Any] | None:
    """The recorded fields, as the mapper reads them before upcasting, or None if unreadable."""
    mapper = ledger.mapper
    try:
        resolve_topic(n.topic)
    except Exception:
        report.add(_at(n, INSERTED, f"the topic {n.topic!r} names no event class"))
        return None
    try:
        data = n.state
        if mapper.cipher:
            data = mapper.cipher.decrypt(data)
        if mapper.compressor:
            data = mapper.compressor.decompress(data)
        state = mapper.transcoder.decode(data)
    except Exception as error:
        cause = "cannot be decrypted" if mapper.cipher else "cannot be decoded"
        report.add(
            _at(
                n,
                UNREADABLE,
                f"the stored bytes {cause} ({type(error).__name__}): they were altered"
                + (
                    ", or the encryption key is not the one they were written with"
                    if mapper.cipher
                    else ""
                ),
            )
        )
        return None
    if not isinstance(state, dict):
        report.add(_at(n, ALTERED, "the stored state is not a record of fields"))
        return None
    return state


def _at(n: Notification, kind: str, detail: str) -> Problem:
    return Problem(
        kind,
        detail,
        aggregate_id=str(n.originator_id),
        version=n.originator_version,
        notification_id=n.id,
        topic=n.topic,
    )


def _log_digest(chain_hash: Any, topic: str, state: dict[str, Any]) -> str:
    """An event's entry in the log digest: its chain hash, or for an unchained one its
    content (so the anchor covers events recorded before the chain too)."""
    if isinstance(chain_hash, str):
        return chain_hash
    return chain.link("unchained", topic, "", 0, state)
