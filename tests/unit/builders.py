"""Builders for domain tests: a policy schedule, workers and units, no store.

The numbers a test expects come from DOMAIN.md, written out here once:
``GRADES`` is the published "four posts, eighteen grades" table and
``EDUCATION_BONUS`` the default bonus per education level.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.policy import AdoptedVersion, Policy, PolicySchedule, load_document
from domain.unit import Unit
from domain.vocabulary import (
    Channel,
    DismissalReason,
    Education,
    Gender,
    Post,
    Rating,
    UnitKind,
)
from domain.worker import Person, Worker

# DOMAIN.md "Posts and grades": the range of each post.
GRADES: dict[Post, tuple[int, int]] = {
    Post.DIRECTOR: (7, 18),
    Post.DEPUTY_DIRECTOR: (5, 16),
    Post.OFFICER: (3, 14),
    Post.ASSISTANT: (1, 12),
}

# DOMAIN.md: below associate 0, associate 1, bachelor 2, master 3, doctorate 4.
EDUCATION_BONUS: dict[Education, int] = {
    Education.BELOW_ASSOCIATE: 0,
    Education.ASSOCIATE: 1,
    Education.BACHELOR: 2,
    Education.MASTER: 3,
    Education.DOCTORATE: 4,
}

LONG_AGO = date(2000, 1, 1)
HIRE_DATE = date(2020, 3, 1)


def document(pack: str = "chibi-2020", *, channel_limits: bool = False) -> dict[str, Any]:
    """The pack's document. Chibi's entry-channel limits (open recruitment under 40 with
    大专 or higher) are lifted unless ``channel_limits``: these tests hire people of every
    education through open recruitment to test other rules; the limits have their own."""
    doc = copy.deepcopy(load_document(pack))
    if not channel_limits:
        doc["parameters"]["channel_eligibility"]["value"] = {}
    return doc


def schedule(pack: str = "chibi-2020", **overrides: Any) -> PolicySchedule:
    """One adopted version, in force since long ago; ``overrides`` replace parameter values
    (Chibi's entry-channel limits are lifted, as in :func:`document`, unless given)."""
    doc = document(pack)
    for name, value in overrides.items():
        doc["parameters"][name]["value"] = value
    policy = Policy.from_document(doc)
    return PolicySchedule([AdoptedVersion(1, LONG_AGO, "test policy", policy)])


SCHEDULE = schedule()


def person(name: str = "张三") -> Person:
    return Person(name=name, gender=Gender.FEMALE, birth_date=date(1985, 6, 1))


def hire(
    *,
    post: Post = Post.ASSISTANT,
    hire_date: date = HIRE_DATE,
    education: Education = Education.BELOW_ASSOCIATE,
    prior_service_years: int = 0,
    grade: int | None = None,
    channel: Channel = Channel.OPEN_RECRUITMENT,
    dispatch_service_years: int = 0,
    unit_id: UUID | None = None,
    sched: PolicySchedule = SCHEDULE,
) -> Worker:
    """A hired worker whose hire event has already been collected (a given fact)."""
    worker = Worker.hire(
        person=person(),
        unit_id=unit_id or uuid4(),
        post=post,
        education=education,
        channel=channel,
        hire_date=hire_date,
        schedule=sched,
        prior_service_years=prior_service_years,
        dispatch_service_years=dispatch_service_years,
        grade=grade,
    )
    worker.collect_events()
    return worker


def appraise(
    worker: Worker,
    ratings: dict[int, Rating],
    *,
    sched: PolicySchedule = SCHEDULE,
) -> Worker:
    """Given appraisals, each on 31 December of its year."""
    for year, rating in ratings.items():
        worker.record_appraisal(year=year, rating=rating, schedule=sched)
    worker.collect_events()
    return worker


def dismiss(worker: Worker, on: date, sched: PolicySchedule = SCHEDULE) -> Worker:
    worker.dismiss(effective_date=on, reason=DismissalReason.RESIGNATION, schedule=sched)
    worker.collect_events()
    return worker


def new_events(aggregate: Aggregate) -> list[str]:
    """The names of the events the command just triggered (and collects them)."""
    return [type(e).__name__ for e in aggregate.collect_events()]


E = TypeVar("E", bound=Exception)


def refused(aggregate: Aggregate, command: Callable[[], object], error: type[E]) -> E:
    """Run ``command``, expect the named refusal, and check that no event was triggered."""
    facts_before = list(getattr(aggregate, "facts", []))
    version_before = aggregate.version
    try:
        command()
    except error as caught:
        assert aggregate.collect_events() == [], "a refused command triggered an event"
        assert aggregate.version == version_before
        assert list(getattr(aggregate, "facts", [])) == facts_before
        return caught
    raise AssertionError(f"expected {error.__name__}, but the command was accepted")


# -- units ---------------------------------------------------------------------------------
def unit_tree() -> tuple[Unit, Unit, Unit]:
    """A district, a street office under it and an urban community under that."""
    district = Unit.register(name="包河区", kind=UnitKind.DISTRICT, parent=None)
    street = Unit.register(name="望湖街道", kind=UnitKind.STREET_OFFICE, parent=district)
    community = Unit.register(name="南湖社区", kind=UnitKind.URBAN_COMMUNITY, parent=street)
    for unit in (district, street, community):
        unit.collect_events()
    return district, street, community


def community_with_quota(quota: int | None, since: date = date(2020, 1, 1)) -> Unit:
    _, _, community = unit_tree()
    if quota is not None:
        community.approve_quota(quota=quota, effective_date=since, document_ref="包编〔2020〕1号")
        community.collect_events()
    return community


def hire_into(
    unit: Unit,
    *,
    hire_date: date = HIRE_DATE,
    channel: Channel = Channel.OPEN_RECRUITMENT,
    dispatch_service_years: int = 0,
    sched: PolicySchedule = SCHEDULE,
) -> Worker:
    """Hire as the service layer does: the worker, then the unit's seats from its placements."""
    worker = Worker.hire(
        person=person(),
        unit_id=unit.id,
        post=Post.ASSISTANT,
        education=Education.BELOW_ASSOCIATE,
        channel=channel,
        hire_date=hire_date,
        schedule=sched,
        dispatch_service_years=dispatch_service_years,
    )
    conversion = hire_date.year if channel is Channel.DISPATCH_CONVERSION else None
    unit.assign_seats(
        worker_id=worker.id,
        placements=worker.state(sched).placements,
        schedule=sched,
        dispatch_conversion_year=conversion,
    )
    worker.collect_events()
    unit.collect_events()
    return worker


def sync_seats(worker: Worker, *units: Unit, sched: PolicySchedule = SCHEDULE) -> None:
    """Give each unit the worker's current placements in it, as the service layer does."""
    placements = worker.state(sched).placements
    for unit in units:
        unit.assign_seats(worker_id=worker.id, placements=placements, schedule=sched)


DEFAULT_RANKS = ("director", "deputy_director", "officer", "assistant")


def rank_mapping(codes: tuple[str, ...]) -> dict[str, str]:
    """The four default posts placed by rank among ``codes`` (top first): the top to the top,
    the ones below to the lower posts, the rest to the lowest. Empty when the four remain."""
    if set(DEFAULT_RANKS) <= set(codes):
        return {}
    return {code: codes[min(i, len(codes) - 1)] for i, code in enumerate(DEFAULT_RANKS)}


def adoptable_over_default(pack: str) -> dict[str, Any]:
    """The pack's document, adoptable over a ledger recorded with the four default posts:
    a pack with posts of its own maps them by rank (``post_mapping``)."""
    doc = copy.deepcopy(load_document(pack))
    mapping = rank_mapping(Policy.from_document(doc).post_codes)
    if mapping:
        doc["post_mapping"] = mapping
    return doc
