"""The demo's story, year by year, and what it loaded."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date

from domain.vocabulary import Channel, Post, PostChangeReason
from ledger.application import Ledger
from seed.demo.appraisals import AppraisalLoader
from seed.demo.draws import bind, random_day
from seed.demo.records import DemoSummary, Progress
from seed.demo.shape import (
    DEFAULT_SEED,
    DEFAULT_WORKERS,
    DISTRICT_NAME,
    EDUCATION_UPGRADES,
    FIRST_APPRAISAL_YEAR,
    FULL_SIZE,
    LAST_APPRAISAL_YEAR,
    QUOTA_DOCUMENT,
    QUOTA_START,
    REVIEW_DATE,
    REVIEW_DOCUMENT,
    STREETS,
    TRANSITION_DATE,
)


class DemoLoader(AppraisalLoader):
    """Loads the demo district: the units, the hires, then five years of careers."""

    def run(self) -> DemoSummary:
        self.phase = "units and quotas"
        self._register_units()
        self._approve_quotas(QUOTA_START, QUOTA_DOCUMENT, adjust=False)
        self._report_dispatch(2020)
        self._report_dispatch(2021)
        approved_2020 = sum(u.quota for u in self.units)

        plan = self._plan_cohort()
        self.phase = "2020 hires"
        self._hire_batch(plan.transition, Channel.TRANSITION, TRANSITION_DATE)
        self._hire_batch(plan.open_2020, Channel.OPEN_RECRUITMENT, date(2020, 12, 1))
        self.late_budget = plan.late
        self.conversion_budget = plan.conversions
        self.open_2021 = plan.open_2021

        for year in range(FIRST_APPRAISAL_YEAR, LAST_APPRAISAL_YEAR + 1):
            self.phase = f"{year}"
            if year >= 2022:
                self._report_dispatch(year)
            self._live_year(year)
            self.phase = f"{year} appraisals"
            self._appraise(year)

        self.progress(self.commands, "done")
        return self._summary(approved_2020)

    def _live_year(self, year: int) -> None:
        rng = self.rng
        actions: list[tuple[date, int, Callable[[], None]]] = []

        def at(day: date, action: Callable[[], None]) -> None:
            actions.append((day, len(actions), action))

        if year == 2021:
            at(date(2021, 3, 15), self._elections)
            at(date(2021, 7, 1), lambda: self._hire_open_2021(date(2021, 7, 1)))
        if year >= 2022:
            at(date(year, 3, 1), lambda: self._promote_candidates(date(year, 3, 1)))
            at(date(year, 7, 1), lambda: self._recruit(date(year, 7, 1), year))
        if year in (2021, 2023):
            at(date(year, 4, 1), lambda: self._convert(date(year, 4, 1), year))
        if year == 2023:
            at(REVIEW_DATE, lambda: self._approve_quotas(REVIEW_DATE, REVIEW_DOCUMENT, adjust=True))

        for worker in [w for w in self.workers if w.active]:
            retire = worker.retirement_date
            if retire.year <= year and not worker.script:
                retire = max(retire, date(year, 2, 1))
                at(retire, bind(self._retire, worker, retire))
                continue
            day = random_day(rng, year)
            roll = rng.random()
            if worker.script or worker.hire_date.year >= year:
                continue
            if roll < 0.012:
                at(day, bind(self._resign, worker, day))
            elif roll < 0.027 and worker.post in (Post.ASSISTANT, Post.OFFICER):
                at(day, bind(self._transfer, worker, day))
            elif roll < 0.033 and worker.post == Post.ASSISTANT:
                promotion = PostChangeReason.PROMOTION
                at(day, bind(self._promote, worker, day, promotion, Post.ASSISTANT))
            elif roll < 0.036 and worker.post == Post.OFFICER:
                at(day, bind(self._demote, worker, day))
            upgrade = EDUCATION_UPGRADES.get(worker.education)
            if upgrade and rng.random() < upgrade[1]:
                graduation = date(year, 7, rng.randint(1, 10))
                at(graduation, bind(self._upgrade_education, worker, upgrade[0], graduation))
            certificate = self._next_certificate(worker)
            if certificate and rng.random() < certificate[1]:
                issued = date(year, 11, rng.randint(1, 28))
                at(issued, bind(self._certify, worker, certificate[0], issued))

        for _day, _order, action in sorted(actions, key=lambda a: (a[0], a[1])):
            action()

    def _summary(self, approved_2020: int) -> DemoSummary:
        active = [w for w in self.workers if w.active]
        return DemoSummary(
            workers=len(self.workers),
            seed=self.seed,
            units=len(self.units) + 1,
            approved_quota_2020=approved_2020,
            approved_quota_now=sum(u.quota for u in self.units),
            active_at_end=len(active),
            commands=self.commands,
            counts=self.counts,
            hires_by_channel=Counter(w.channel.value for w in self.workers),
            dismissals_by_reason=Counter(
                {
                    k.removeprefix("dismissed_"): v
                    for k, v in self.counts.items()
                    if k.startswith("dismissed_")
                }
            ),
            steps_due_at_end=sum(1 for w in active if w.view.get("steps_due")),
            promotion_candidates_at_end=sum(
                1 for w in active if w.view.get("flags", {}).get("promotion_candidate")
            ),
            dismissals_required_at_end=sum(
                1 for w in active if w.view.get("flags", {}).get("dismissal_required")
            ),
            unit_ids={
                **({DISTRICT_NAME: self.district_id} if self.district_id else {}),
                **{u.name: u.uid for u in self.units},
            },
            worker_ids=[w.uid for w in self.workers],
        )


def load_demo(
    ledger: Ledger,
    *,
    workers: int = DEFAULT_WORKERS,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
) -> DemoSummary:
    """Load the demo district into ``ledger`` (which must be bootstrapped)."""
    return DemoLoader(ledger, workers=workers, seed=seed, progress=progress).run()


def estimated_commands(workers: int) -> int:
    """About how many commands :func:`load_demo` runs, for a progress bar."""
    units = len(STREETS) + sum(
        max(1, round(n * min(1.0, workers / FULL_SIZE)))
        for s in STREETS
        for n in (s.urban, s.villages, s.converted)
    )
    return units * 4 + int(workers * 7.2)
