"""What the demo's loader keeps track of (its own shadow of the story), and its summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain.vocabulary import CertificateLevel, Channel, Education, Post, Rating, UnitKind
from domain.worker import Person
from seed.demo.draws import first_of_next_month
from seed.demo.shape import END_DATE, RETIREMENT_AGE

Progress = Callable[[int, str], None]


@dataclass
class DemoUnit:
    index: int
    name: str
    kind: UnitKind
    unit_class: int
    street: DemoUnit | None  # the street office a community belongs to; None for one itself
    abbreviation: str = ""
    households: int = 0
    population: int = 0
    id: UUID | None = None
    quota: int = 0
    computed_quota: int = 0
    active: list[DemoWorker] = field(default_factory=list)
    dispatch: dict[int, int] = field(default_factory=dict)
    conversions: Counter[int] = field(default_factory=Counter)

    @property
    def uid(self) -> UUID:
        assert self.id is not None  # registered before use
        return self.id

    @property
    def office(self) -> DemoUnit:
        """The street office this unit answers to (itself for a street office)."""
        return self.street or self

    @property
    def vacancy(self) -> int:
        return self.quota - len(self.active)


@dataclass
class DemoWorker:
    index: int
    person: Person
    unit: DemoUnit
    post: Post
    education: Education
    channel: Channel
    hire_date: date
    prior_service_years: int = 0
    dispatch_service_years: int = 0
    certificate: CertificateLevel | None = None
    script: str = ""  # "star" (a run of excellent years) or "failing" (two unqualified)
    script_years: tuple[int, ...] = ()
    temperament: str = "steady"
    id: UUID | None = None
    active: bool = True
    ratings: dict[int, Rating] = field(default_factory=dict)
    view: dict[str, Any] = field(default_factory=dict)

    @property
    def uid(self) -> UUID:
        assert self.id is not None  # hired before use
        return self.id

    @property
    def retirement_date(self) -> date:
        born = self.person.birth_date
        age = RETIREMENT_AGE[self.person.gender]
        try:
            birthday = born.replace(year=born.year + age)
        except ValueError:  # 29 February
            birthday = date(born.year + age, 3, 1)
        return first_of_next_month(birthday)


@dataclass
class CohortPlan:
    """Who is hired when: the first cohort's seats by batch, and the later budgets."""

    late: int
    conversions: int
    transition: list[tuple[DemoUnit, Post]] = field(default_factory=list)
    open_2020: list[tuple[DemoUnit, Post]] = field(default_factory=list)
    open_2021: list[tuple[DemoUnit, Post]] = field(default_factory=list)


@dataclass
class DemoSummary:
    """What the demo loaded; ``counts`` are the facts recorded, by kind."""

    workers: int
    seed: int
    units: int
    approved_quota_2020: int
    approved_quota_now: int
    active_at_end: int
    commands: int
    counts: Counter[str]
    hires_by_channel: Counter[str]
    dismissals_by_reason: Counter[str]
    steps_due_at_end: int
    promotion_candidates_at_end: int
    dismissals_required_at_end: int
    unit_ids: dict[str, UUID]
    worker_ids: list[UUID]
    end_date: date = END_DATE
