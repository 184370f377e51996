"""A province-sized history for benchmarks, recorded through the application's use cases.

Every fact is a use case of :class:`ledger.application.Ledger` (register_unit,
approve_quota, hire, transfer, dismiss, appraise, apply_steps, ...) called by the
``generator`` actor, so every rule runs as it does for any client, the seats follow
the placements by the application's own rule, and a refused command surfaces. The
calls run inside ``ledger.batch()``, flushed once per street office: the PostgreSQL
recorder locks the table for each insert, so one save per command would take hours
at a province's size.

The history is a function of ``workers``, ``years``, ``seed`` and
``start_year`` only (ids and recorded times aside): a seeded ``random.Random``
per street office, fixed dates, and actions taken in date order, so that a seat
freed by a departure is free for every later action. A street office and its
communities are generated, saved and forgotten before the next, which bounds the
memory whatever the size.
"""

from __future__ import annotations

import functools
import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from domain.access import Actor
from domain.policy import PolicySchedule
from domain.rules import dismissal_due, promotion_candidate, step_clock
from domain.timeline import WorkerState
from domain.vocabulary import (
    CertificateLevel,
    Channel,
    DismissalReason,
    Education,
    Gender,
    Post,
    PostChangeReason,
    Rating,
    Role,
    UnitKind,
    WorkerStatus,
)
from domain.worker import Person, Worker
from ledger.application import Batch, Ledger
from ledger.commands import (
    AddCertificate,
    ApplySteps,
    Appraise,
    ChangePost,
    Context,
    Dismiss,
    Hire,
    Transfer,
    UpgradeEducation,
)

ACTOR = Actor("generator", Role.ADMIN)
WORKERS_PER_COMMUNITY = 15
COMMUNITIES_PER_STREET = 10
STREETS_PER_DISTRICT = 12
SLACK = 1.3  # approved quota over the initial headcount: room for transfers in
RATINGS = {
    Rating.EXCELLENT: 0.2,
    Rating.COMPETENT: 0.72,
    Rating.BASICALLY_COMPETENT: 0.06,
    Rating.UNQUALIFIED: 0.02,
}
# Yearly chances per active worker; community work has a high turnover.
RESIGN, TRANSFER, REASSIGN, EDUCATION, CERTIFICATE, PROMOTE = 0.08, 0.08, 0.06, 0.03, 0.07, 0.4
RETIREMENT_AGE = {Gender.FEMALE: 55, Gender.MALE: 60}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
NEXT_POST: dict[str, Post] = {
    Post.ASSISTANT: Post.OFFICER,
    Post.OFFICER: Post.DEPUTY_DIRECTOR,
    Post.DEPUTY_DIRECTOR: Post.DIRECTOR,
}
REASSIGNABLE: dict[str, Post] = {Post.ASSISTANT: Post.OFFICER, Post.OFFICER: Post.ASSISTANT}


@dataclass
class Summary:
    units: int = 0
    workers: int = 0
    saves: int = 0


@dataclass
class _Street:
    """One street office being generated: its communities, workers and pending actions.

    ``open_seats`` is the generator's plan of where it may hire or transfer to; the
    seats themselves are the application's (a plan that went wrong is refused)."""

    rng: random.Random
    communities: list[UUID]
    workers: list[UUID] = field(default_factory=list)
    actions: list[tuple[date, int, Callable[[], None]]] = field(default_factory=list)
    open_seats: dict[UUID, int] = field(default_factory=dict)
    seq: int = 0

    def at(self, day: date, action: Callable[[], None]) -> None:
        self.seq += 1
        heapq.heappush(self.actions, (day, self.seq, action))


class Generator:
    def __init__(
        self,
        ledger: Ledger,
        *,
        workers: int,
        years: int,
        seed: int = 2016,
        start_year: int = 2016,
        run_id: str = "generate",
    ) -> None:
        self.ledger = ledger
        self.workers = workers
        self.years = years
        self.seed = seed
        self.start_year = start_year
        self.end = date(start_year + years - 1, 12, 31)
        self.ctx = Context(ACTOR, run_id)
        self.schedule: PolicySchedule = ledger.schedule()
        self.summary = Summary()
        self._states: dict[UUID, tuple[int, WorkerState]] = {}  # by worker: version, state

    # -- the plan ---------------------------------------------------------------------
    def street_sizes(self) -> list[int]:
        """Workers per street office: full streets, then the remainder."""
        per_street = WORKERS_PER_COMMUNITY * COMMUNITIES_PER_STREET
        sizes = [per_street] * (self.workers // per_street)
        if self.workers % per_street:
            sizes.append(self.workers % per_street)
        return sizes

    def run(self, progress: Callable[[int], None] | None = None) -> Summary:
        """Generate and save every street office; ``progress`` gets each street's workers."""
        with self.ledger.batch() as batch:
            district: tuple[UUID, str] | None = None
            for index, size in enumerate(self.street_sizes()):
                if index % STREETS_PER_DISTRICT == 0:
                    district = self._district(index // STREETS_PER_DISTRICT + 1)
                assert district is not None  # the first street opens one
                self._street(district, index, size)
                self._flush(batch)
                if progress:
                    progress(size)
        return self.summary

    def _flush(self, batch: Batch) -> None:
        """One save for the street office, then drop its aggregates: it is done."""
        batch.flush()
        batch.forget()
        self._states.clear()
        self.summary.saves += 1

    def _register(self, name: str, kind: UnitKind, parent_id: UUID | None, **more: Any) -> UUID:
        self.summary.units += 1
        more = {"unit_class": None, "households": None, "population": None, **more}
        result = self.ledger.register_unit(
            self.ctx, name=name, kind=kind, parent_id=parent_id, **more
        )
        return UUID(result["unit_id"])

    def _district(self, number: int) -> tuple[UUID, str]:
        name = f"第{number}区"
        return self._register(name, UnitKind.DISTRICT, None), name

    # -- one street office ------------------------------------------------------------------
    def _street(self, district: tuple[UUID, str], index: int, size: int) -> _Street:
        rng = random.Random(f"{self.seed}:{index}")  # noqa: S311 - made-up people
        street_name = f"{district[1]}第{index + 1}街道"
        street = self._register(street_name, UnitKind.STREET_OFFICE, district[0])
        count = max(1, -(-size // WORKERS_PER_COMMUNITY))
        communities = [
            self._register(
                f"{street_name}{n + 1}社区",
                rng.choice(
                    [
                        UnitKind.URBAN_COMMUNITY,
                        UnitKind.ADMINISTRATIVE_VILLAGE,
                        UnitKind.VILLAGE_CONVERTED_COMMUNITY,
                    ]
                ),
                street,
                unit_class=rng.randint(1, 3),
                households=rng.randint(1500, 6000),
            )
            for n in range(count)
        ]
        plan = _Street(rng, communities)
        start = date(self.start_year, 1, 1)
        shares = [size // count + (1 if n < size % count else 0) for n in range(count)]
        for community, share in zip(communities, shares, strict=True):
            quota = max(1, round(share * SLACK))
            self.ledger.approve_quota(
                self.ctx,
                community,
                quota=quota,
                effective_date=start,
                document_ref=f"编〔{self.start_year}〕{index + 1}号",
            )
            plan.open_seats[community] = quota
            for _ in range(share):
                day = start + timedelta(days=rng.randrange(180))
                hire = functools.partial(self._hire, plan, community, day, Channel.TRANSITION)
                plan.at(day, hire)
        for year in range(self.start_year, self.start_year + self.years):
            self._year(plan, year)
        self._drain(plan, self.end)
        return plan

    def _year(self, plan: _Street, year: int) -> None:
        """Queue the year's career moves for every worker, then take them in date order."""
        self._drain(plan, date(year, 1, 1) - timedelta(days=1))
        rng = plan.rng
        for worker in list(plan.workers):
            if self._state(worker).status is not WorkerStatus.ACTIVE:
                continue
            for chance, move in (
                (RESIGN, self._resign),
                (TRANSFER, self._transfer),
                (REASSIGN, self._reassign),
                (EDUCATION, self._educate),
                (CERTIFICATE, self._certify),
            ):
                if rng.random() < chance:
                    day = date(year, 1, 1) + timedelta(days=rng.randrange(360))
                    plan.at(day, functools.partial(move, plan, worker, day))
        self._drain(plan, date(year, 12, 30))
        for worker in list(plan.workers):
            self._year_end(plan, worker, year)

    def _drain(self, plan: _Street, until: date) -> None:
        """Take the queued actions dated up to ``until``, earliest first."""
        # A heap: actions queued while draining (refills) still run in date order.
        while plan.actions and plan.actions[0][0] <= until:
            _, _, action = heapq.heappop(plan.actions)
            action()

    # -- the moves ---------------------------------------------------------------------------
    def _state(self, worker_id: UUID) -> WorkerState:
        """The worker as the batch has it (loaded once, kept until the street is saved);
        replayed once per version, as the moves ask often."""
        worker = self.ledger.get(worker_id, Worker)
        cached = self._states.get(worker_id)
        if cached is None or cached[0] != worker.version:
            cached = self._states[worker_id] = (worker.version, worker.state(self.schedule))
        return cached[1]

    def _active(self, worker_id: UUID, day: date) -> bool:
        state = self._state(worker_id)
        return state.status is WorkerStatus.ACTIVE and state.hire_date <= day

    def _hire(self, plan: _Street, community: UUID, day: date, channel: Channel) -> None:
        if day > self.end or plan.open_seats[community] <= 0:
            return
        rng = plan.rng
        gender = rng.choice([Gender.FEMALE, Gender.MALE])
        age = rng.randint(22, 50)
        birth = date(day.year - age, rng.randint(1, 12), rng.randint(1, 28))
        education = _pick(
            rng,
            {
                Education.BELOW_ASSOCIATE: 0.15,
                Education.ASSOCIATE: 0.45,
                Education.BACHELOR: 0.37,
                Education.MASTER: 0.03,
            },
        )
        post = _pick(
            rng,
            {
                Post.ASSISTANT: 0.55,
                Post.OFFICER: 0.3,
                Post.DEPUTY_DIRECTOR: 0.1,
                Post.DIRECTOR: 0.05,
            },
        )
        hire = Hire(
            person=Person(
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), gender, birth
            ),
            unit_id=community,
            post=post,
            education=education,
            channel=channel,
            hire_date=day,
            prior_service_years=rng.randint(0, 8) if channel is Channel.TRANSITION else 0,
        )
        worker = UUID(self.ledger.hire(self.ctx, hire)["worker_id"])
        plan.open_seats[community] -= 1
        plan.workers.append(worker)
        self.summary.workers += 1
        retire = date(birth.year + RETIREMENT_AGE[gender], birth.month, birth.day)
        if retire <= self.end:
            plan.at(retire, lambda: self._leave(plan, worker, retire, DismissalReason.RETIREMENT))

    def _leave(self, plan: _Street, worker: UUID, day: date, reason: DismissalReason) -> None:
        if not self._active(worker, day) or day > self.end:
            return
        unit_id = self._state(worker).unit_id
        self.ledger.dismiss(self.ctx, Dismiss(worker, day, reason))
        plan.open_seats[unit_id] += 1
        # The vacancy is filled by open recruitment a month or two later.
        refill = day + timedelta(days=plan.rng.randint(20, 80))
        plan.at(refill, lambda: self._hire(plan, unit_id, refill, Channel.OPEN_RECRUITMENT))

    def _resign(self, plan: _Street, worker: UUID, day: date) -> None:
        self._leave(plan, worker, day, DismissalReason.RESIGNATION)

    def _transfer(self, plan: _Street, worker: UUID, day: date) -> None:
        if not self._active(worker, day) or len(plan.communities) < 2:
            return
        here = self._state(worker).unit_id
        targets = [u for u in plan.communities if u != here and plan.open_seats[u] > 0]
        if not targets:
            return
        target = plan.rng.choice(targets)
        self.ledger.transfer(self.ctx, Transfer(worker, target, day))
        plan.open_seats[here] += 1
        plan.open_seats[target] -= 1

    def _reassign(self, plan: _Street, worker: UUID, day: date) -> None:
        post = self._state(worker).post
        if not self._active(worker, day) or post not in REASSIGNABLE:
            return
        reason = PostChangeReason.REASSIGNMENT
        self.ledger.change_post(self.ctx, ChangePost(worker, REASSIGNABLE[post], day, reason))

    def _educate(self, plan: _Street, worker: UUID, day: date) -> None:
        education = self._state(worker).education
        higher = [e for e in Education if e.rank == education.rank + 1]
        if self._active(worker, day) and higher and higher[0] is not Education.DOCTORATE:
            self.ledger.upgrade_education(self.ctx, UpgradeEducation(worker, higher[0], day))

    def _certify(self, plan: _Street, worker: UUID, day: date) -> None:
        held = self._state(worker).certificate
        rank = held.rank + 1 if held else 0
        if self._active(worker, day) and rank < len(CertificateLevel):
            level = list(CertificateLevel)[rank]
            self.ledger.add_certificate(self.ctx, AddCertificate(worker, level, day))

    def _year_end(self, plan: _Street, worker: UUID, year: int) -> None:
        """The appraisal, then what the rules make of it: steps, promotion, dismissal."""
        appraised = date(year, 12, 31)
        if not self._active(worker, appraised) or self._state(worker).hire_date.year > year:
            return
        rating = _pick(plan.rng, RATINGS)
        self.ledger.appraise(
            self.ctx, Appraise(worker, year, rating, document_ref=f"考核〔{year}〕")
        )
        state = self._state(worker)
        if year == self.end.year:
            return
        due = dismissal_due(state, self.schedule)
        if due is not None:
            when = min(due, self.end)
            plan.at(
                when,
                lambda: self._leave(
                    plan, worker, when, DismissalReason.TWO_CONSECUTIVE_UNQUALIFIED
                ),
            )
            return
        if step_clock(state, self.schedule).due:  # every due step falls on 1 January next
            self.ledger.apply_steps(self.ctx, ApplySteps(worker, date(year + 1, 1, 1)))
            state = self._state(worker)
        if promotion_candidate(state, self.schedule) and plan.rng.random() < PROMOTE:
            promotion = ChangePost(
                worker, NEXT_POST[state.post], date(year + 1, 1, 1), PostChangeReason.PROMOTION
            )
            self.ledger.change_post(self.ctx, promotion)


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generate(
    ledger: Ledger,
    *,
    workers: int,
    years: int,
    seed: int = 2016,
    start_year: int = 2016,
    run_id: str = "generate",
    progress: Callable[[int], None] | None = None,
) -> Summary:
    return Generator(
        ledger, workers=workers, years=years, seed=seed, start_year=start_year, run_id=run_id
    ).run(progress)
