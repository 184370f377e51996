"""What a caller asks the ledger to record: plain data, validated at the edge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.access import Actor
from domain.vocabulary import Channel, Education, Post
from domain.worker import Person


@dataclass(frozen=True)
class Context:
    """Who asks, in which request, and the idempotency key if the caller gave one.

    ``if_match``: the versions the caller decided on (HTTP If-Match); a write to a
    worker or unit at another version is refused. None: any version.
    """

    actor: Actor
    request_id: str
    idempotency_key: str | None = None
    fingerprint: str = ""
    if_match: frozenset[int] | None = None


@dataclass(frozen=True)
class Hire:
    person: Person
    unit_id: UUID
    post: Post
    education: Education
    channel: Channel
    hire_date: date
    prior_service_years: int = 0
    dispatch_service_years: int = 0
    grade: int | None = None
    note: str = ""
