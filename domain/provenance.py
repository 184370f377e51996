"""Who recorded a fact, and in which request.

The service layer enters :func:`recorded_as` around a command; every event an
aggregate triggers inside it carries the actor and request id. A context
variable keeps these cross-cutting fields out of every command's signature.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Provenance:
    recorded_by: str
    request_id: str


SYSTEM = Provenance(recorded_by="system", request_id="")

_current: ContextVar[Provenance] = ContextVar("provenance", default=SYSTEM)


def current() -> Provenance:
    return _current.get()


@contextmanager
def recorded_as(recorded_by: str, request_id: str) -> Iterator[Provenance]:
    provenance = Provenance(recorded_by=recorded_by, request_id=request_id)
    token = _current.set(provenance)
    try:
        yield provenance
    finally:
        _current.reset(token)
