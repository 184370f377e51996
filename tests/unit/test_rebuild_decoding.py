"""The rebuild parses stored events with orjson: every value must come out exactly as the
ledger's own transcoder (the stdlib's parser) gives it, or the read models would differ."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, UUIDAsHex

from ledger.transcodings import DateAsISO
from projections.stream import FastTranscoder


def ledgers() -> JSONTranscoder:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DatetimeAsISO(), DecimalAsStr(), DateAsISO()):
        transcoder.register(transcoding)
    return transcoder


STATE: dict[str, Any] = {
    "timestamp": datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
    "unit_id": uuid4(),
    "effective_date": date(2024, 12, 31),
    "caused_by_years": [2022, 2023, 2024],
    "amount": Decimal("2620.00"),
    "name": "何秀娜",
    "note": None,
    "grade_from_policy": True,
    "nested": {"days": [date(2020, 1, 1), {"unit": uuid4()}], "count": 3},
}


def test_a_stored_state_decodes_to_the_same_values_of_the_same_types() -> None:
    transcoder = ledgers()
    data = transcoder.encode(STATE)

    decoded = FastTranscoder(transcoder).decode(data)

    assert decoded == transcoder.decode(data) == STATE
    assert [type(v) for v in decoded.values()] == [type(v) for v in STATE.values()]


@pytest.mark.parametrize(
    "data",
    [
        b'{"x": NaN}',  # orjson refuses it
        b'{"x": 123456789012345678901234567890}',  # orjson would read a float
        b'{"x": [1.5, {"y": 0.1}]}',
        b'{"s": "\\ud800"}',  # a lone surrogate: orjson refuses it
    ],
)
def test_what_orjson_refuses_or_reads_otherwise_is_parsed_by_the_ledgers_transcoder(
    data: bytes,
) -> None:
    transcoder = ledgers()
    decoded = FastTranscoder(transcoder).decode(data)
    assert repr(decoded) == repr(transcoder.decode(data))
