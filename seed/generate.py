"""A province-sized history for benchmarks, recorded through the domain's own rules.

Every fact is made by the aggregates' methods (so the timeline check, the
grade ranges and the quota check all run) but saved many aggregates per
transaction: the PostgreSQL recorder locks the table for each insert, so one
save per command would take hours at a province's size.

The history is a function of ``workers``, ``years``, ``seed`` and
``start_year`` only (ids and recorded times aside): a seeded ``random.Random``
per street office, fixed dates, and actions taken in date order, so that a seat
freed by a departure is free for every later action. A street office and its
communities are generated, saved and dropped before the next, which bounds the
memory whatever the size; only the district aggregates stay (children lists).
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

from eventsourcing.domain import Aggregate

from domain.directory import UnitDirectory
from domain.policy import PolicySchedule
from domain.provenance import recorded_as
from domain.rules import dismissal_due, promotion_candidate, step_clock
from domain.unit import Unit
from domain.vocabulary import (
    CertificateLevel,
    Channel,
    DismissalReason,
    Education,
    Gender,
    Post,
    PostChangeReason,
    Rating,
    UnitKind,
    WorkerStatus,
)
from domain.worker import Person, Worker
from ledger.application import Ledger

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
NEXT_POST = {
    Post.ASSISTANT: Post.OFFICER,
    Post.OFFICER: Post.DEPUTY_DIRECTOR,
    Post.DEPUTY_DIRECTOR: Post.DIRECTOR,
}
REASSIGNABLE = {Post.ASSISTANT: Post.OFFICER, Post.OFFICER: Post.ASSISTANT}


@dataclass
class Summary:
    units: int = 0
    workers: int = 0
    saves: int = 0


@dataclass
class _Street:
    """One street office being generated: its units, workers and pending actions."""

    rng: random.Random
    street: Unit
    communities: list[Unit]
    workers: list[Worker] = field(default_factory=list)
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
        self.run_id = run_id
        self.schedule: PolicySchedule = ledger.schedule()
        self.summary = Summary()

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
        with recorded_as("generator", self.run_id):
            sizes = self.street_sizes()
            districts: list[Unit] = []
            for index, size in enumerate(sizes):
                if index % STREETS_PER_DISTRICT == 0:
                    districts.append(self._district(len(districts) + 1))
                street = self._street(districts[-1], index, size)
                self._save(districts[-1], street.street, *street.communities, *street.workers)
                if progress:
                    progress(size)
        return self.summary

    def _save(self, *aggregates: Aggregate) -> None:
        self.ledger.save(*aggregates)
        self.summary.saves += 1

    def _district(self, number: int) -> Unit:
        district = Unit.register(name=f"第{number}区", kind=UnitKind.DISTRICT, parent=None)
        directory = self._directory()
        directory.add_root(district.id)
        self._save(district, directory)
        self.summary.units += 1
        return district

    def _directory(self) -> UnitDirectory:
        return self.ledger.directory()

    # -- one street office ------------------------------------------------------------------
    def _street(self, district: Unit, index: int, size: int) -> _Street:
        rng = random.Random(f"{self.seed}:{index}")  # noqa: S311 - made-up people
        street = Unit.register(
            name=f"{district.name}第{index + 1}街道", kind=UnitKind.STREET_OFFICE, parent=district
        )
        count = max(1, -(-size // WORKERS_PER_COMMUNITY))
        communities = [
            Unit.register(
                name=f"{street.name}{n + 1}社区",
                kind=rng.choice(
                    [
                        UnitKind.URBAN_COMMUNITY,
                        UnitKind.ADMINISTRATIVE_VILLAGE,
                        UnitKind.VILLAGE_CONVERTED_COMMUNITY,
                    ]
                ),
                parent=street,
                unit_class=rng.randint(1, 3),
                households=rng.randint(1500, 6000),
            )
            for n in range(count)
        ]
        plan = _Street(rng, street, communities)
        start = date(self.start_year, 1, 1)
        shares = [size // count + (1 if n < size % count else 0) for n in range(count)]
        for community, share in zip(communities, shares, strict=True):
            quota = max(1, round(share * SLACK))
            community.approve_quota(
                quota=quota,
                effective_date=start,
                document_ref=f"编〔{self.start_year}〕{index + 1}号",
            )
            plan.open_seats[community.id] = quota
            for _ in range(share):
                day = start + timedelta(days=rng.randrange(180))
                hire = functools.partial(self._hire, plan, community, day, Channel.TRANSITION)
                plan.at(day, hire)
        self.summary.units += 1 + count
        for year in range(self.start_year, self.start_year + self.years):
            self._year(plan, year)
        self._drain(plan, self.end)
        return plan

    def _year(self, plan: _Street, year: int) -> None:
        """Queue the year's career moves for every worker, then take them in date order."""
        self._drain(plan, date(year, 1, 1) - timedelta(days=1))
        rng = plan.rng
        for worker in list(plan.workers):
            if worker.facts and self._state(worker).status is not WorkerStatus.ACTIVE:
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
    def _state(self, worker: Worker) -> Any:
        return worker.state(self.schedule)

    def _active(self, worker: Worker, day: date) -> bool:
        state = self._state(worker)
        return state.status is WorkerStatus.ACTIVE and state.hire_date <= day

    def _hire(self, plan: _Street, community: Unit, day: date, channel: Channel) -> None:
        if day > self.end or plan.open_seats[community.id] <= 0:
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
        worker = Worker.hire(
            person=Person(
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), gender, birth
            ),
            unit_id=community.id,
            post=post,
            education=education,
            channel=channel,
            hire_date=day,
            schedule=self.schedule,
            prior_service_years=rng.randint(0, 8) if channel is Channel.TRANSITION else 0,
        )
        community.assign_seats(
            worker_id=worker.id,
            placements=self._state(worker).placements,
            schedule=self.schedule,
        )
        plan.open_seats[community.id] -= 1
        plan.workers.append(worker)
        self.summary.workers += 1
        retire = date(birth.year + RETIREMENT_AGE[gender], birth.month, birth.day)
        if retire <= self.end:
            plan.at(retire, lambda: self._leave(plan, worker, retire, DismissalReason.RETIREMENT))

    def _units(self, plan: _Street) -> dict[UUID, Unit]:
        return {unit.id: unit for unit in plan.communities}

    def _change(self, plan: _Street, worker: Worker, change: Callable[[], None]) -> None:
        """Run one change on a worker and move the units' seats with it (as the service does)."""
        before = self._state(worker).placements
        change()
        after = self._state(worker).placements
        if before == after:
            return
        units = self._units(plan)
        for unit_id in sorted({p.unit_id for p in (*before, *after)}):
            mine_before = [p for p in before if p.unit_id == unit_id]
            mine_after = [p for p in after if p.unit_id == unit_id]
            if mine_before != mine_after:
                units[unit_id].assign_seats(
                    worker_id=worker.id, placements=mine_after, schedule=self.schedule
                )

    def _leave(self, plan: _Street, worker: Worker, day: date, reason: DismissalReason) -> None:
        if not self._active(worker, day) or day > self.end:
            return
        unit_id = self._state(worker).unit_id
        self._change(
            plan,
            worker,
            lambda: worker.dismiss(effective_date=day, reason=reason, schedule=self.schedule),
        )
        plan.open_seats[unit_id] += 1
        # The vacancy is filled by open recruitment a month or two later.
        refill = day + timedelta(days=plan.rng.randint(20, 80))
        community = self._units(plan)[unit_id]
        plan.at(refill, lambda: self._hire(plan, community, refill, Channel.OPEN_RECRUITMENT))

    def _resign(self, plan: _Street, worker: Worker, day: date) -> None:
        self._leave(plan, worker, day, DismissalReason.RESIGNATION)

    def _transfer(self, plan: _Street, worker: Worker, day: date) -> None:
        if not self._active(worker, day) or len(plan.communities) < 2:
            return
        here = self._state(worker).unit_id
        targets = [u for u in plan.communities if u.id != here and plan.open_seats[u.id] > 0]
        if not targets:
            return
        target = plan.rng.choice(targets)
        self._change(
            plan,
            worker,
            lambda: worker.transfer(unit_id=target.id, effective_date=day, schedule=self.schedule),
        )
        plan.open_seats[here] += 1
        plan.open_seats[target.id] -= 1

    def _reassign(self, plan: _Street, worker: Worker, day: date) -> None:
        post = self._state(worker).post
        if not self._active(worker, day) or post not in REASSIGNABLE:
            return
        worker.change_post(
            post=REASSIGNABLE[post],
            effective_date=day,
            reason=PostChangeReason.REASSIGNMENT,
            schedule=self.schedule,
        )

    def _educate(self, plan: _Street, worker: Worker, day: date) -> None:
        education = self._state(worker).education
        higher = [e for e in Education if e.rank == education.rank + 1]
        if self._active(worker, day) and higher and higher[0] is not Education.DOCTORATE:
            worker.upgrade_education(
                education=higher[0], effective_date=day, schedule=self.schedule
            )

    def _certify(self, plan: _Street, worker: Worker, day: date) -> None:
        held = self._state(worker).certificate
        rank = held.rank + 1 if held else 0
        if self._active(worker, day) and rank < len(CertificateLevel):
            worker.obtain_certificate(
                level=list(CertificateLevel)[rank], effective_date=day, schedule=self.schedule
            )

    def _year_end(self, plan: _Street, worker: Worker, year: int) -> None:
        """The appraisal, then what the rules make of it: steps, promotion, dismissal."""
        appraised = date(year, 12, 31)
        if not self._active(worker, appraised) or self._state(worker).hire_date.year > year:
            return
        worker.record_appraisal(
            year=year,
            rating=_pick(plan.rng, RATINGS),
            schedule=self.schedule,
            document_ref=f"考核〔{year}〕",
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
        for step in step_clock(state, self.schedule).due:
            worker.apply_step(step, self.schedule)
        state = self._state(worker)
        if promotion_candidate(state, self.schedule) and plan.rng.random() < PROMOTE:
            worker.change_post(
                post=NEXT_POST[state.post],
                effective_date=date(year + 1, 1, 1),
                reason=PostChangeReason.PROMOTION,
                schedule=self.schedule,
            )


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
