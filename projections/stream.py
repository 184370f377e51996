"""Reading the events table one aggregate at a time, for the fast rebuild and the simulation.

The table is read once, in primary-key order (originator id, version), so each
aggregate's events arrive together; they are decoded with a faster JSON parser and the
aggregate is made from them without the repository.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import DecoratedFuncCaller, decorated_funcs
from eventsourcing.persistence import JSONTranscoder, Mapper, Transcoder
from eventsourcing.utils import get_topic, resolve_topic

from domain.unit import Unit
from domain.worker import Worker
from ledger.adapters.events_table import has_events_table, stored_rows
from ledger.application import Ledger

# The topics of the events the read models and the simulation follow (every event class
# of these aggregates is nested in it, so its topic starts with the aggregate's).
TOPICS = (get_topic(Worker) + ".", get_topic(Unit) + ".")
FETCH = 5000  # rows per round trip of the server-side cursor


def reconstruct(events: Sequence[Any]) -> Any:
    """The aggregate its events make, without the repository (and its cache), to read.

    The first event creates it; each later one changes it by its ``apply`` (the
    aggregate's own ``@event`` method), as ``mutate`` would, without ``mutate``'s
    checks that the events belong to it and follow each other: the events table's
    key and order guarantee both here. Not fit for recording new events.
    """
    aggregate: Any = events[0].mutate(None)
    for event in events[1:]:
        method = _methods.get(type(event), _UNKNOWN)
        if method is _UNKNOWN:
            method = _methods[type(event)] = _method(type(event))
        if method is None:
            event.apply(aggregate)
        else:
            function, names = method
            values = event.__dict__
            function(aggregate, **{name: values[name] for name in names if name in values})
    last = events[-1]
    aggregate.version = last.originator_version
    aggregate.modified_on = last.timestamp
    return aggregate


Method = tuple[Callable[..., Any], tuple[str, ...]] | None
_UNKNOWN: Method = (print, ())
_methods: dict[type[Any], Method] = {}


def _method(cls: type[Any]) -> Method:
    """The ``@event`` method an event class applies, with the names of its parameters:
    what the library's ``DecoratedFuncCaller.apply`` looks up and filters on every call
    (a tenth of a rebuild's reconstruction). None: an event with its own ``apply``."""
    function = decorated_funcs.get(cls)
    if function is None or cls.apply is not DecoratedFuncCaller.apply:
        return None
    names = tuple(name for name in inspect.signature(function).parameters if name != "self")
    return function, names


def supported(ledger: Ledger) -> bool:
    """Whether the events sit in a table this module can read (not the in-memory store)."""
    return has_events_table(ledger.env)


def aggregates(
    ledger: Ledger, head: int, lo: UUID | None, hi: UUID | None
) -> Iterator[tuple[int, list[Any]]]:
    """Each aggregate's events up to ``head`` as (events read, projected domain events).

    Aggregates the read models do not follow (tokens, the policy book) come
    through with no domain events, so progress still counts their rows.
    """
    for events_read, events, _ in recorded(ledger, head, lo, hi, positions=False):
        yield events_read, events


def recorded(
    ledger: Ledger, head: int, lo: UUID | None, hi: UUID | None, *, positions: bool = True
) -> Iterator[tuple[int, list[Any], dict[int, int]]]:
    """As :func:`aggregates`, with each event's notification id by its version (the rebuild
    writes it beside the rows an event recorded); empty without ``positions``."""
    decode = Decoder(ledger.mapper).event
    table = ledger.recorder.events_table_name  # type: ignore[attr-defined]
    rows = stored_rows(
        ledger.env, table, stop=head, lo=lo, hi=hi, page=FETCH, with_position=positions
    )
    first = 1 if positions else 0  # the notification id comes first
    for originator_id, group in groupby(rows, key=itemgetter(first)):
        found = list(group)
        if not found[0][first + 2].startswith(TOPICS):
            yield len(found), [], {}
            continue
        # The id as a UUID once per aggregate, not parsed again for each of its events.
        key = originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
        if positions:
            events = [decode(key, version, topic, state) for _, _, version, topic, state in found]
            yield len(found), events, {version: at for at, _, version, _, _ in found}
        else:
            events = [decode(key, version, topic, state) for _, version, topic, state in found]
            yield len(found), events, {}


class Decoder:
    """The ledger's mapper's ``to_domain_event`` for reading every stored event in one pass:
    the same decoding (cipher, compressor, transcodings, with orjson), the same upcasting
    (each event class's own ``upcast_vN_vN+1`` methods, from the stored ``class_version``
    up to the class's), the same event object; without the per-event look-ups of the
    topic, the id converter and the ``StoredEvent`` (a tenth of a rebuild's decoding)."""

    def __init__(self, mapper: Mapper[UUID]) -> None:
        self.transcoder = FastTranscoder(mapper.transcoder)
        self.cipher = mapper.cipher
        self.compressor = mapper.compressor
        self.classes: dict[str, tuple[type[Any], int]] = {}

    def event(self, originator_id: UUID, version: int, topic: str, state: Any) -> Any:
        found = self.classes.get(topic)
        if found is None:
            cls = resolve_topic(topic)
            found = self.classes[topic] = (cls, getattr(cls, "class_version", 1))
        cls, class_version = found
        data = bytes(state)
        if self.cipher:
            data = self.cipher.decrypt(data)
        if self.compressor:
            data = self.compressor.decompress(data)
        values: dict[str, Any] = self.transcoder.decode(data)
        values["originator_id"] = originator_id
        values["originator_version"] = version
        from_version = values.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(values)
            from_version += 1
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", values)
        return event


def _fast_mapper(mapper: Mapper[UUID]) -> Mapper[UUID]:
    """The ledger's mapper (cipher, compressor, upcasting) with a faster JSON parser."""
    transcoder = FastTranscoder(mapper.transcoder)
    return type(mapper)(transcoder, compressor=mapper.compressor, cipher=mapper.cipher)


class FastTranscoder(JSONTranscoder):
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
