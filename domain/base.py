"""The base aggregate: every event carries who recorded it and in which request."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate

from domain import provenance


class LedgerAggregate(Aggregate):
    """An aggregate whose events record their author and request id."""

    class Event(Aggregate.Event):
        recorded_by: str
        request_id: str

    class Created(Event, Aggregate.Created):
        pass

    def trigger_event(self, event_class: type[CanMutateAggregate[UUID]], **kwargs: Any) -> None:
        super().trigger_event(event_class, **_with_provenance(kwargs))

    @classmethod
    def _create(
        cls, event_class: type[Any], *, id: UUID | None = None, **kwargs: Any
    ) -> Any:
        return super()._create(event_class, id=id, **_with_provenance(kwargs))


def _with_provenance(kwargs: dict[str, Any]) -> dict[str, Any]:
    who = provenance.current()
    kwargs.setdefault("recorded_by", who.recorded_by)
    kwargs.setdefault("request_id", who.request_id)
    return kwargs
