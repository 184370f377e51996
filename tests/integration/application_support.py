"""Helpers for the ``Ledger`` application tests: a unit tree, commands, and the event log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.access import Actor
from domain.vocabulary import (
    Channel,
    DismissalReason,
    Education,
    Gender,
    GradeChangeReason,
    Post,
    PostChangeReason,
    Rating,
    Role,
    UnitKind,
)
from domain.worker import Person
from ledger.application import Ledger
from ledger.commands import (
    ApplySteps,
    Appraise,
    ChangeGrade,
    ChangePost,
    Context,
    Dismiss,
    Hire,
    Transfer,
)

ADMIN = Actor("admin", Role.ADMIN)
HIRE_DATE = date(2021, 3, 1)


def as_(actor: Actor = ADMIN, *, key: str | None = None, fingerprint: str = "") -> Context:
    return Context(
        actor=actor, request_id=uuid4().hex, idempotency_key=key, fingerprint=fingerprint
    )


@dataclass(frozen=True)
class Tree:
    district: UUID
    street_a: UUID
    street_b: UUID
    community_a: UUID  # under street A


def unit_id(result: dict[str, Any]) -> UUID:
    return UUID(result["unit_id"])


def build_tree(ledger: Ledger, quotas: dict[str, int] | None = None) -> Tree:
    """District -> streets A and B; community A1 under A. Quotas approved from 2020."""
    ctx = as_()
    district = unit_id(
        ledger.register_unit(
            ctx,
            name="包河区",
            kind=UnitKind.DISTRICT,
            parent_id=None,
            unit_class=None,
            households=None,
            population=None,
        )
    )

    def street(name: str) -> UUID:
        return unit_id(
            ledger.register_unit(
                ctx,
                name=name,
                kind=UnitKind.STREET_OFFICE,
                parent_id=district,
                unit_class=2,
                households=None,
                population=None,
            )
        )

    street_a, street_b = street("望湖街道"), street("常青街道")
    community_a = unit_id(
        ledger.register_unit(
            ctx,
            name="南湖社区",
            kind=UnitKind.URBAN_COMMUNITY,
            parent_id=street_a,
            unit_class=2,
            households=3000,
            population=9000,
        )
    )
    tree = Tree(district, street_a, street_b, community_a)
    for name, quota in (quotas or {}).items():
        approve(ledger, getattr(tree, name), quota)
    return tree


def approve(
    ledger: Ledger, unit: UUID, quota: int, on: date = date(2020, 1, 1), ctx: Context | None = None
) -> dict[str, Any]:
    ref = f"包编〔{on.year}〕{quota}号"
    return ledger.approve_quota(
        ctx or as_(), unit, quota=quota, effective_date=on, document_ref=ref
    )


def hire(
    ledger: Ledger,
    unit: UUID,
    *,
    hire_date: date = HIRE_DATE,
    ctx: Context | None = None,
    post: Post = Post.ASSISTANT,
    education: Education = Education.BELOW_ASSOCIATE,
    channel: Channel = Channel.OPEN_RECRUITMENT,
    grade: int | None = None,
    name: str = "张三",
) -> dict[str, Any]:
    return ledger.hire(
        ctx or as_(),
        Hire(
            person=Person(name, Gender.FEMALE, date(1988, 8, 8), "340104198808081234"),
            unit_id=unit,
            post=post,
            education=education,
            channel=channel,
            hire_date=hire_date,
            grade=grade,
        ),
    )


def worker_id(result: dict[str, Any]) -> UUID:
    return UUID(result["worker_id"])


def appraise(
    ledger: Ledger, worker: UUID, year: int, rating: Rating, *, ctx: Context | None = None
) -> dict[str, Any]:
    return ledger.appraise(ctx or as_(), Appraise(worker, year, rating))


def change_grade(
    ledger: Ledger, worker: UUID, grade: int, on: date, *, ctx: Context | None = None
) -> dict[str, Any]:
    return ledger.change_grade(
        ctx or as_(), ChangeGrade(worker, grade, on, GradeChangeReason.REWARD)
    )


def change_post(
    ledger: Ledger, worker: UUID, post: Post, on: date, *, ctx: Context | None = None
) -> dict[str, Any]:
    command = ChangePost(worker, post, on, PostChangeReason.REASSIGNMENT)
    return ledger.change_post(ctx or as_(), command)


def transfer(
    ledger: Ledger, worker: UUID, to: UUID, on: date, *, ctx: Context | None = None
) -> dict[str, Any]:
    return ledger.transfer(ctx or as_(), Transfer(worker, to, on))


def dismiss(
    ledger: Ledger, worker: UUID, on: date, *, ctx: Context | None = None
) -> dict[str, Any]:
    return ledger.dismiss(ctx or as_(), Dismiss(worker, on, DismissalReason.RESIGNATION))


def apply_steps(
    ledger: Ledger, worker: UUID, as_of: date, *, ctx: Context | None = None
) -> dict[str, Any]:
    return ledger.apply_steps(ctx or as_(), ApplySteps(worker, as_of))


def event_log(ledger: Ledger) -> list[tuple[UUID | str, int, str]]:
    """Every recorded event, in notification order: (aggregate id, version, topic)."""
    return [
        (n.originator_id, n.originator_version, n.topic)
        for n in ledger.recorder.select_notifications(start=None, limit=1_000_000)
    ]


def topics_since(ledger: Ledger, before: list[tuple[UUID | str, int, str]]) -> list[str]:
    """The event class names recorded after the ``before`` snapshot of the log."""
    after = event_log(ledger)
    assert after[: len(before)] == before, "recorded events were changed"
    return [topic.rsplit(".", 1)[-1] for _, _, topic in after[len(before) :]]


def headcount(ledger: Ledger, unit: UUID, on: date) -> int:
    return int(ledger.quota_usage(ADMIN, unit, on)["headcount"])
