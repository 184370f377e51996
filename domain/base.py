"""The base aggregate: each event records its author, its request and its chain hash."""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.utils import get_topic

from domain import chain, provenance
from domain.values import Immutable

# Values a copy may share: immutable, and common in aggregates (seat maps are keyed by UUID).
_SHARED = (str, int, float, bool, type(None), date, datetime, Decimal, UUID, Enum, Immutable)


class LedgerAggregate(Aggregate):
    """An aggregate whose events record their author, request id and chain hash."""

    class Event(Aggregate.Event):
        recorded_by: str
        request_id: str
        # The hash chain (ADR 0008): set when the event is triggered, None on events
        # recorded before the chain existed (class version 1, see upcast_v1_v2).
        chain_hash: str | None

        # Version 2 added ``chain_hash``. An event class that changes its own fields
        # continues from version 3, and its upcasters run after this one.
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state[chain.CHAIN_FIELD] = None  # a pre-chain event: nothing to verify it by

        def mutate(self, aggregate: Any) -> Any:
            mutated = super().mutate(aggregate)
            # Replaying keeps the head too, so the next event links to the last recorded one.
            object.__setattr__(mutated, "_chain_head", self.chain_hash)
            return mutated

    class Created(Event, Aggregate.Created):
        pass

    _chain_head: str | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        """The repository deep-copies a cached aggregate on every load. The generic copy
        rebuilt every UUID key of a community's seat map through ``__reduce_ex__`` (about
        1 ms for a community of 150 seats, per hire); here only the containers are new,
        immutable values are shared, and anything else is deep-copied as before."""
        copied = object.__new__(type(self))
        memo[id(self)] = copied
        copied.__dict__.update({name: _copy(value, memo) for name, value in vars(self).items()})
        return copied

    def trigger_event(self, event_class: type[CanMutateAggregate[UUID]], **kwargs: Any) -> None:
        previous = self._chain_head  # read first: applying the event moves the head
        super().trigger_event(event_class, **_with_provenance(kwargs))
        _seal(self, self.pending_events[-1], previous)

    @classmethod
    def _create(cls, event_class: type[Any], *, id: UUID | None = None, **kwargs: Any) -> Any:
        aggregate = super()._create(event_class, id=id, **_with_provenance(kwargs))
        _seal(aggregate, aggregate.pending_events[-1], None)
        return aggregate

    @classmethod
    def _create_with_id(cls, created: str, aggregate_id: UUID | None, **kwargs: Any) -> Any:
        """Create by the ``created`` event with a caller-chosen id, or a new one if None.

        An importer derives ids from a file's keys, so that importing the same file
        again finds what it recorded instead of recording it twice.
        """
        if aggregate_id is None:
            return cls(**kwargs)
        return cls._create(vars(cls)[created], id=aggregate_id, **kwargs)


def _with_provenance(kwargs: dict[str, Any]) -> dict[str, Any]:
    who = provenance.current()
    kwargs.setdefault("recorded_by", who.recorded_by)
    kwargs.setdefault("request_id", who.request_id)
    kwargs[chain.CHAIN_FIELD] = None  # sealed below, once the event holds all its fields
    return kwargs


def _seal(aggregate: LedgerAggregate, event: Any, previous: str | None) -> None:
    """Link the just-triggered ``event`` to the aggregate's chain head.

    The hash is taken over the constructed event's own fields (what the mapper
    will record), so it must be set after construction: the event is frozen, and
    nothing has seen it yet but the aggregate it just mutated.
    """
    cls = type(event)
    digest = chain.link(
        previous or chain.GENESIS,
        get_topic(cls),
        event.originator_id,
        event.originator_version,
        chain.recorded_state(event, getattr(cls, "class_version", 1)),
    )
    object.__setattr__(event, chain.CHAIN_FIELD, digest)
    aggregate._chain_head = digest


def _copy(value: Any, memo: dict[int, Any]) -> Any:
    if isinstance(value, _SHARED):
        return value
    kind = type(value)
    if kind is dict:
        return {_copy(key, memo): _copy(item, memo) for key, item in value.items()}
    if kind is list:
        return [_copy(item, memo) for item in value]
    if kind is tuple:
        return tuple(_copy(item, memo) for item in value)
    return copy.deepcopy(value, memo)
