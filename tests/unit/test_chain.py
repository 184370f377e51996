"""The hash chain: every event an aggregate records links to its predecessor."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import event
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain import chain
from domain.base import LedgerAggregate
from domain.provenance import recorded_as
from domain.vocabulary import UnitKind
from ledger.application import Ledger


class Note(LedgerAggregate):
    def __init__(self, text: str) -> None:
        self.text = text

    def amend(self, text: str) -> None:
        self._amended(text=text)

    @event("Amended")
    def _amended(self, text: str) -> None:
        self.text = text


def recompute(event: Any, previous: str) -> str:
    cls = type(event)
    return chain.link(
        previous,
        get_topic(cls),
        event.originator_id,
        event.originator_version,
        chain.recorded_state(event, cls.class_version),
    )


def test_each_event_is_chained_to_its_predecessor_from_the_genesis() -> None:
    note = Note("first")
    note.amend("second")
    note.amend("third")
    created, second, third = note.collect_events()
    assert created.chain_hash == recompute(created, chain.GENESIS)
    assert second.chain_hash == recompute(second, created.chain_hash)
    assert third.chain_hash == recompute(third, second.chain_hash)
    assert len({created.chain_hash, second.chain_hash, third.chain_hash}) == 3


def test_the_chain_covers_every_recorded_field_including_provenance() -> None:
    note_id = uuid4()
    hashes = set()
    for who in ("alice", "bob"):
        with recorded_as(who, "req-1"):
            note = Note._create(Note.Created, id=note_id, text="same")
        event = note.collect_events()[0]
        object.__setattr__(event, "timestamp", datetime(2024, 1, 1, tzinfo=UTC))
        hashes.add(recompute(event, chain.GENESIS))
    assert len(hashes) == 2


def test_a_reloaded_aggregate_continues_the_chain_from_its_last_recorded_event() -> None:
    app: Application[UUID] = Application()
    note = Note("first")
    note.amend("second")
    app.save(note)
    last = list(app.events.get(note.id))[-1]
    loaded = app.repository.get(note.id)
    loaded.amend("third")
    app.save(loaded)
    third = list(app.events.get(note.id))[-1]
    assert third.chain_hash == recompute(third, last.chain_hash)


def test_an_event_recorded_before_the_chain_reads_as_unchained_and_the_chain_starts_after_it() -> (
    None
):
    app = Ledger()
    note = Note("before the chain")
    created = note.collect_events()[0]
    # What an event looked like when it was recorded before version 2: no chain hash,
    # no class version.
    state = {k: v for k, v in vars(created).items() if k not in chain._IDENTITY_FIELDS}
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=note.id,
                originator_version=1,
                topic=get_topic(type(created)),
                state=app.mapper.transcoder.encode(state),
            )
        ]
    )
    loaded = app.repository.get(note.id)
    assert loaded.text == "before the chain"
    assert next(iter(app.events.get(note.id))).chain_hash is None
    loaded.amend("after")
    app.save(loaded)
    amended = list(app.events.get(note.id))[-1]
    assert amended.chain_hash == recompute(amended, chain.GENESIS)


def test_canonical_form_is_the_same_before_and_after_a_json_round_trip() -> None:
    recorded = {
        "years": (2021, 2022),
        "by_year": {2022: "a", 10: "b"},
        "on": date(2024, 2, 29),
        "at": datetime(2024, 2, 29, 8, 0, tzinfo=UTC),
        "id": UUID(int=7),
        "amount": Decimal("12.50"),
        "kind": UnitKind.DISTRICT,
    }
    decoded = {
        "years": [2021, 2022],
        "by_year": {"10": "b", "2022": "a"},
        "on": "2024-02-29",
        "at": "2024-02-29T08:00:00+00:00",
        "id": "00000000-0000-0000-0000-000000000007",
        "amount": "12.50",
        "kind": "district",
    }
    assert chain.canonical(recorded) == chain.canonical(decoded)


def test_a_value_the_store_could_not_record_is_refused_when_it_is_chained() -> None:
    with pytest.raises(TypeError, match="object"):
        chain.canonical({"what": object()})
