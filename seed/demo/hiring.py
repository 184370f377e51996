"""Hiring: the first cohort's plan, each hire with its person, and the later recruitments."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from domain.vocabulary import CertificateLevel, Channel, Gender, Post
from domain.worker import Person
from ledger.commands import Hire
from seed.demo.careers import CareerLoader
from seed.demo.draws import apportion, check_digit, pick, posts_for
from seed.demo.records import CohortPlan, DemoUnit, DemoWorker
from seed.demo.shape import (
    EDUCATION_DISPATCH,
    EDUCATION_OPEN,
    EDUCATION_TRANSITION,
    FEMALE_CHARS,
    LAST_APPRAISAL_YEAR,
    MALE_CHARS,
    REGION_CODES,
    RETIREMENT_AGE,
    SHARED_CHARS,
    SURNAMES,
    TEMPERAMENTS,
)


class HiringLoader(CareerLoader):
    """Hires through the hire use case, as the unit's clerk."""

    def _plan_cohort(self) -> CohortPlan:
        """Split the workers over the hire batches and the first cohort over the units."""
        n = self.target
        late = round(n * 0.07)
        conversions = max(1, round(n * 0.015))
        early_open = round(n * 0.12)
        transition = n - late - conversions - early_open
        capacity = sum(int(u.quota * 0.96) for u in self.units)
        first = min(transition + early_open, capacity)
        targets = apportion(first, [int(u.quota * 0.96) for u in self.units])
        share = transition / max(1, transition + early_open)
        plan = CohortPlan(late=late + transition + early_open - first, conversions=conversions)
        for unit, target in zip(self.units, targets, strict=True):
            posts = posts_for(unit.kind, target)
            in_post = round(target * share)
            plan.transition.extend((unit, p) for p in posts[:in_post])
            for i, post in enumerate(posts[in_post:]):
                (plan.open_2020 if i % 2 == 0 else plan.open_2021).append((unit, post))
        return plan

    def _hire_batch(self, seats: list[tuple[DemoUnit, Post]], channel: Channel, day: date) -> None:
        for unit, post in seats:
            self._hire(unit, post, channel, day)

    def _hire(self, unit: DemoUnit, post: Post, channel: Channel, day: date) -> DemoWorker | None:
        rng = self.rng
        leader = post != Post.ASSISTANT
        gender = Gender.FEMALE if rng.random() < 0.62 else Gender.MALE
        oldest = RETIREMENT_AGE[gender] - 2
        if channel is Channel.TRANSITION:
            youngest = 30 if leader else 23
            age = int(rng.triangular(youngest, oldest if leader else min(52, oldest), 38))
            education = pick(rng, EDUCATION_TRANSITION)
            prior = min(age - 20, int(rng.triangular(0, 24, 7)) + (6 if leader else 0))
            dispatch = 0
        elif channel is Channel.DISPATCH_CONVERSION:
            age = rng.randint(25, 45)
            education = pick(rng, EDUCATION_DISPATCH)
            prior = 0
            dispatch = rng.randint(3, 9)
        else:
            age = rng.randint(22, 35)
            education = pick(rng, EDUCATION_OPEN)
            prior = 0
            dispatch = 0
        person = self._person(gender, age, day)
        worker = DemoWorker(
            index=len(self.workers),
            person=person,
            unit=unit,
            post=post,
            education=education,
            channel=channel,
            hire_date=day,
            prior_service_years=prior,
            dispatch_service_years=dispatch,
        )
        worker.temperament = pick(rng, TEMPERAMENTS)
        note = {
            Channel.TRANSITION: "员额制实施时在岗人员(老人老办法)",
            Channel.OPEN_RECRUITMENT: f"包河区{day.year}年专职社区工作者统一公开招聘",
            Channel.DISPATCH_CONVERSION: "劳务派遣人员经规范程序转岗",
        }[channel]
        result = self.ledger.hire(
            self._ctx(self._clerk(unit)),
            Hire(
                person=person,
                unit_id=unit.uid,
                post=post,
                education=education,
                channel=channel,
                hire_date=day,
                prior_service_years=prior,
                dispatch_service_years=dispatch,
                note=note,
            ),
        )
        worker.id = UUID(result["worker_id"])
        worker.view = result
        self.workers.append(worker)
        unit.active.append(worker)
        self.counts["hired"] += 1
        self.counts[f"hired_{channel.value}"] += 1
        if channel is Channel.DISPATCH_CONVERSION:
            unit.conversions[day.year] += 1
        # Some arrive with a social-work certificate already.
        roll = rng.random()
        level = None
        if roll < 0.03:
            level = CertificateLevel.SOCIAL_WORKER
        elif roll < (0.16 if channel is Channel.OPEN_RECRUITMENT else 0.10):
            level = CertificateLevel.ASSISTANT_SOCIAL_WORKER
        if level is not None:
            self._certify(worker, level, day)
        return worker

    def _person(self, gender: Gender, age: int, day: date) -> Person:
        rng = self.rng
        birth = day - timedelta(days=age * 365 + rng.randint(0, 364))
        surname = rng.choice(SURNAMES[:40]) if rng.random() < 0.7 else rng.choice(SURNAMES)
        pool = FEMALE_CHARS if gender is Gender.FEMALE else MALE_CHARS
        given = rng.choice(pool + SHARED_CHARS)
        if rng.random() < 0.7:
            given += rng.choice(pool + SHARED_CHARS)
        return Person(surname + given, gender, birth, self._id_number(birth, gender))

    def _id_number(self, birth: date, gender: Gender) -> str:
        """A well-formed resident ID number (GB 11643, ISO 7064 MOD 11-2 check digit)."""
        while True:
            order = self.rng.randrange(0, 1000)
            if (order % 2 == 1) != (gender is Gender.MALE):
                order = (order + 1) % 1000
            body = f"{self.rng.choice(REGION_CODES)}{birth:%Y%m%d}{order:03d}"
            number = body + check_digit(body)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def _hire_open_2021(self, day: date) -> None:
        for unit, post in self.open_2021:
            if unit.vacancy > 0:
                self._hire(unit, post, Channel.OPEN_RECRUITMENT, day)
            else:
                self.late_budget += 1

    def _recruit(self, day: date, year: int) -> None:
        """Each July the district's open recruitment fills vacancies, fullest need first."""
        years_left = LAST_APPRAISAL_YEAR - year + 1
        budget = -(-self.late_budget // years_left)
        for _ in range(budget):
            candidates = [u for u in self.units if u.vacancy > 1]
            if not candidates:
                break
            unit = max(candidates, key=lambda u: (u.vacancy / u.quota, -u.index))
            self._hire(unit, Post.ASSISTANT, Channel.OPEN_RECRUITMENT, day)
            self.late_budget -= 1

    def _convert(self, day: date, year: int) -> None:
        """Dispatch conversions, within quota and 10% of the reported dispatch headcount."""
        share = 2 / 3 if year == 2021 else 1.0
        budget = round(self.conversion_budget * share)
        policy = self.schedule.on(day)
        order = sorted(self.units, key=lambda u: (-u.dispatch.get(year, 0), u.index))
        while budget > 0:
            converted = 0
            for unit in order:
                limit = policy.dispatch_conversion_limit(unit.dispatch.get(year, 0))
                if budget and unit.conversions[year] < limit and unit.vacancy > 0:
                    self._hire(unit, Post.ASSISTANT, Channel.DISPATCH_CONVERSION, day)
                    budget -= 1
                    self.conversion_budget -= 1
                    converted += 1
            if not converted:
                break
        # What could not be converted goes to open recruitment.
        if year == 2023:
            self.late_budget += self.conversion_budget
            self.conversion_budget = 0
