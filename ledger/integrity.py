"""``ledger verify``: walk the stored events and check every aggregate's hash chain.

The walk reads the recorder's notifications (every stored event, in recorded
order) page by page, decodes each with the application's own mapper (so an
encrypted store verifies with its key) and checks, per aggregate:

- versions run 1, 2, 3, ... with no gap (a gap is a deleted record);
- each chained event's ``chain_hash`` is the hash of its predecessor's and of
  its own recorded fields (a mismatch is an altered or forged record);
- once an aggregate's chain has started, every later event is chained (an
  unchained one was inserted, or had its hash stripped).

Memory holds one small entry per aggregate, never the events. Alongside, a
running digest over the whole log (every event's notification id, aggregate,
version and chain hash) gives the *anchor* ``N:COUNT:HEX``: kept outside the
database and given back with ``--against``, it proves that the first ``N``
notifications are still exactly the ones seen then, which the per-aggregate
chains cannot (deleting an aggregate's last events leaves a shorter, valid chain).
See docs/integrity.md and ADR 0008.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic

from domain import chain
from domain.errors import InvalidInput
from ledger.application import Ledger

PAGE = 1_000
PROGRESS_EVERY = 500  # events between progress reports
MAX_LISTED = 100  # problems kept in the report; the count goes on
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
        if len(self.problems) < MAX_LISTED:
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


@dataclass
class _Head:
    """What the walk remembers of one aggregate: its last version and chain hash."""

    version: int
    chain_hash: str | None  # None: not chained yet (only pre-chain events so far)
    known: bool = True  # False after an unreadable record: the next link cannot be checked


def verify(
    ledger: Ledger,
    *,
    against: Anchor | None = None,
    progress: Callable[[int], None] | None = None,  # given the notification id reached
    page: int = PAGE,
) -> Report:
    """Check every stored event up to the current last notification; never raises on damage."""
    report = Report(against=against)
    stop = ledger.recorder.max_notification_id() or 0
    report.last_notification_id = stop
    heads: dict[str, _Head] = {}
    log = hashlib.sha256()
    previous_id = 0
    anchor_checked = against is None
    for notification in _notifications(ledger, stop, page):
        if not anchor_checked and notification.id > against.position:  # type: ignore[union-attr]
            _check_anchor(report, against, log.hexdigest())  # type: ignore[arg-type]
            anchor_checked = True
        if notification.id > previous_id + 1 and len(report.notification_gaps) < MAX_GAPS:
            report.notification_gaps.append((previous_id + 1, notification.id - 1))
        previous_id = notification.id
        digest = _check(ledger, notification, heads, report)
        log.update(
            f"{notification.id}:{notification.originator_id}:"
            f"{notification.originator_version}:{digest}\n".encode()
        )
        report.events += 1
        if progress is not None and report.events % PROGRESS_EVERY == 0:
            progress(notification.id)
    if not anchor_checked:
        _check_anchor(report, against, log.hexdigest())  # type: ignore[arg-type]
    if progress is not None:
        progress(stop)
    report.aggregates = len(heads)
    report.anchor = Anchor(previous_id, report.events, log.hexdigest())
    return report


def _notifications(ledger: Ledger, stop: int, page: int) -> Iterator[Notification]:
    start = 1
    while start <= stop:
        batch = ledger.recorder.select_notifications(start=start, limit=page, stop=stop)
        if not batch:
            return
        yield from batch
        start = batch[-1].id + 1


def _check_anchor(report: Report, against: Anchor, digest: str) -> None:
    # Called once every event up to the anchor's position has gone into the digest.
    seen = report.events
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


def _check(ledger: Ledger, n: Notification, heads: dict[str, _Head], report: Report) -> str:
    """Check one stored event against its aggregate's head; answer its digest for the log."""
    key = str(n.originator_id)
    version = n.originator_version
    head = heads.get(key)
    state = _decode(ledger, n, report)
    if state is None:
        heads[key] = _Head(version, None, known=False)
        return hashlib.sha256(n.state).hexdigest()
    stored_hash = state.pop(chain.CHAIN_FIELD, None)

    expected = 1 if head is None else head.version + 1
    if version != expected:
        if version > expected:
            missing = (
                f"version {expected}"
                if version == expected + 1
                else (f"versions {expected} to {version - 1}")
            )
            report.add(_at(n, DELETED, f"{missing} of this aggregate is missing"))
        else:
            report.add(
                _at(
                    n,
                    INSERTED,
                    f"version {version} comes after version {expected - 1} in the log",
                )
            )
        # Checking the link too would only report the same break twice.
        heads[key] = _Head(version, stored_hash if isinstance(stored_hash, str) else None)
        return _log_digest(stored_hash, n.topic, state)

    if not isinstance(stored_hash, str):
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
        heads[key] = _Head(version, head.chain_hash if head else None)
        return _log_digest(None, n.topic, state)

    report.chained_events += 1
    previous = head.chain_hash if head is not None and head.chain_hash else chain.GENESIS
    if head is None or head.known:
        recomputed = chain.link(previous, n.topic, n.originator_id, version, state)
        if recomputed != stored_hash:
            report.add(
                _at(
                    n,
                    ALTERED,
                    "the record does not match its chain hash: its fields were changed, or it "
                    "was forged"
                    + (
                        f" (or version {version - 1} was rewritten with a fresh hash)"
                        if version > 1
                        else ""
                    ),
                )
            )
    heads[key] = _Head(version, stored_hash)
    return stored_hash


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
