"""The January appraisals, their corrections, and the rules' runs that follow them."""

from __future__ import annotations

from datetime import date

from domain.vocabulary import DismissalReason, Post, Rating
from ledger.commands import ApplySteps, Appraise, CorrectAppraisal
from seed.demo.draws import pick
from seed.demo.hiring import HiringLoader
from seed.demo.records import DemoWorker
from seed.demo.shape import FIRST_APPRAISAL_YEAR, LAST_APPRAISAL_YEAR, RATINGS


class AppraisalLoader(HiringLoader):
    """Appraisals by the unit's clerk; the step runs by the system."""

    def _cast_scripts(self) -> None:
        """Before the first appraisals, pick a few careers that make the rules fire:
        runs of three excellent years and pairs of unqualified years."""
        rng = self.rng
        pool = [
            w
            for w in self.workers
            if w.active
            and w.hire_date.year <= 2020
            and w.retirement_date.year > 2026
            and w.post != Post.DIRECTOR
        ]
        rng.shuffle(pool)
        stars = max(3, round(len(self.workers) * 0.035))
        failing = max(4, round(len(self.workers) * 0.012))
        star_runs = ((2021, 2022, 2023), (2022, 2023, 2024), (2023, 2024, 2025))
        fail_pairs = ((2024, 2025), (2021, 2022), (2022, 2023), (2023, 2024))
        for i, worker in enumerate(pool[:stars]):
            worker.script, worker.script_years = "star", star_runs[i % 3]
        for i, worker in enumerate(pool[stars : stars + failing]):
            worker.script, worker.script_years = "failing", fail_pairs[i % 4]

    def _rating(self, worker: DemoWorker, year: int) -> Rating:
        rng = self.rng
        if worker.script == "star":
            return Rating.EXCELLENT if year in worker.script_years else Rating.COMPETENT
        if worker.script == "failing":
            if year in worker.script_years:
                return Rating.UNQUALIFIED
            return Rating.BASICALLY_COMPETENT if year > worker.script_years[0] else Rating.COMPETENT
        weights = RATINGS[worker.temperament]
        return pick(rng, weights)

    def _appraise(self, year: int) -> None:
        """January: record last year's appraisals, correct a few, then act on the rules."""
        if year == FIRST_APPRAISAL_YEAR:
            self._cast_scripts()
        rng = self.rng
        appraised: list[DemoWorker] = []
        for worker in self.workers:
            if not worker.active or worker.hire_date > date(year, 6, 30):
                continue
            rating = self._rating(worker, year)
            document = f"包社考〔{year + 1}〕{worker.unit.office.index + 1}号"
            command = Appraise(worker.uid, year, rating, document_ref=document)
            self._change(worker, "appraised", self.ledger.appraise, command)
            worker.ratings[year] = rating
            appraised.append(worker)

        # A few ratings are corrected after review (复核); the first stays on record.
        reviewable = [w for w in appraised if not w.script]
        corrected = rng.sample(
            reviewable, min(len(reviewable), max(1, round(len(appraised) / 180)))
        )
        for worker in sorted(corrected, key=lambda w: w.index):
            old = worker.ratings[year]
            new = {
                Rating.BASICALLY_COMPETENT: Rating.COMPETENT,
                Rating.COMPETENT: Rating.EXCELLENT,
                Rating.EXCELLENT: Rating.COMPETENT,
                Rating.UNQUALIFIED: Rating.BASICALLY_COMPETENT,
            }[old]
            correction = CorrectAppraisal(worker.uid, year, new, reason="考核结果复核更正")
            self._change(worker, "appraisal_corrected", self.ledger.correct_appraisal, correction)
            worker.ratings[year] = new

        if year == LAST_APPRAISAL_YEAR:
            return  # January 2026's dismissals and step run are left for the user
        # Two consecutive unqualified years: the contract is terminated.
        dismissal_day = date(year + 1, 1, 20)
        for worker in appraised:
            if worker.active and worker.view["flags"]["dismissal_required"]:
                self._leave(
                    worker,
                    dismissal_day,
                    DismissalReason.TWO_CONSECUTIVE_UNQUALIFIED,
                    "连续两年考核不称职,依法解除劳动合同",
                )
        # The January step run: record the three-year steps the ledger says are due.
        run_date = date(year + 1, 1, 31)
        for worker in appraised:
            if worker.active and worker.view["steps_due"]:
                steps = ApplySteps(worker.uid, run_date)
                result = self.ledger.apply_steps(self._ctx(self.rules), steps)
                self.counts["grade_stepped"] += len(worker.view["steps_due"])
                worker.view = result
