"""The worker aggregate: a community worker's career as dated facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.base import LedgerAggregate
from domain.errors import (
    DispatchConversionRefused,
    DuplicateAppraisal,
    GradeOutOfRange,
    IneligibleForChannel,
    InvalidInput,
    NotFound,
)
from domain.facts import (
    AppraisalCorrectionFact,
    AppraisalFact,
    CertificateFact,
    DismissalFact,
    EducationFact,
    Fact,
    GradeChangeFact,
    GradeStepFact,
    HireFact,
    PostChangeFact,
    TransferFact,
)
from domain.policy import PolicySchedule
from domain.policy_parts import age_on
from domain.rules import StepDue, step_clock
from domain.timeline import WorkerState, replay
from domain.values import Immutable
from domain.vocabulary import (
    PERSON_GRADE_CHANGE_REASONS,
    CertificateLevel,
    Channel,
    DismissalReason,
    Education,
    Gender,
    GradeChangeReason,
    PostChangeReason,
    Rating,
)

# Steps recorded before the rule was named by its interval were three-year steps.
LEGACY_STEP_YEARS = 3


@dataclass(frozen=True)
class Person(Immutable):
    name: str
    gender: Gender
    birth_date: date
    id_number: str | None = None


class Worker(LedgerAggregate):
    """Holds the recorded facts; :func:`domain.timeline.replay` derives the state."""

    # -- hire ----------------------------------------------------------------
    @classmethod
    def hire(
        cls,
        *,
        person: Person,
        unit_id: UUID,
        post: str,
        education: Education,
        channel: Channel,
        hire_date: date,
        schedule: PolicySchedule,
        prior_service_years: int = 0,
        dispatch_service_years: int = 0,
        grade: int | None = None,
        note: str = "",
        aggregate_id: UUID | None = None,
    ) -> Worker:
        """``aggregate_id``: an id the caller derived (an importer's); default a new one."""
        policy = schedule.on(hire_date)
        post = policy.require_post(str(post))
        if person.birth_date >= hire_date:
            raise InvalidInput.because("birth_before_hire", field="birth_date")
        refusal = policy.eligibility(channel).refusal(
            age_on(person.birth_date, hire_date), education
        )
        if refusal is not None:
            limit, field = refusal
            raise IneligibleForChannel(
                f"{channel.value} ({channel.label}) under policy {policy.policy_id} hires only "
                f"people {limit}",
                field=field,
            )
        if channel is Channel.DISPATCH_CONVERSION and (
            dispatch_service_years < policy.dispatch_min_service_years
        ):
            raise DispatchConversionRefused.because(
                "dispatch_service_too_short",
                field="dispatch_service_years",
                minimum=policy.dispatch_min_service_years,
                years=dispatch_service_years,
            )
        if grade is None:
            grade = policy.initial_grade(post, prior_service_years, education)
            from_policy = True
        else:
            low, high = policy.grade_range(post)
            if not low <= grade <= high:
                raise GradeOutOfRange.because(
                    "grade_outside_post",
                    field="grade",
                    grade=grade,
                    post=policy.post_name(post),
                    low=low,
                    high=high,
                )
            from_policy = False
        worker: Worker = cls._create_with_id(
            "Hired",
            aggregate_id,
            name=person.name,
            gender=person.gender.value,
            birth_date=person.birth_date,
            id_number=person.id_number,
            unit_id=unit_id,
            post=post,
            grade=grade,
            grade_from_policy=from_policy,
            education=education.value,
            channel=channel.value,
            hire_date=hire_date,
            prior_service_years=prior_service_years,
            dispatch_service_years=dispatch_service_years,
            note=note,
        )
        return worker

    @event("Hired")
    def __init__(
        self,
        *,
        name: str,
        gender: str,
        birth_date: date,
        id_number: str | None,
        unit_id: UUID,
        post: str,
        grade: int,
        grade_from_policy: bool,
        education: str,
        channel: str,
        hire_date: date,
        prior_service_years: int,
        dispatch_service_years: int,
        note: str,
    ) -> None:
        self.person = Person(name, Gender(gender), birth_date, id_number)
        self.facts: list[Fact] = [
            HireFact(
                effective_date=hire_date,
                seq=1,
                unit_id=unit_id,
                post=post,
                grade=grade,
                grade_from_policy=grade_from_policy,
                education=Education(education),
                channel=Channel(channel),
                prior_service_years=prior_service_years,
                dispatch_service_years=dispatch_service_years,
            )
        ]
        self.appraisal_years: dict[int, date] = {}

    # -- queries ---------------------------------------------------------------
    @property
    def hire_fact(self) -> HireFact:
        fact = self.facts[0]
        assert isinstance(fact, HireFact)  # the constructor puts it first
        return fact

    def state(self, schedule: PolicySchedule, as_of: date | None = None) -> WorkerState:
        return replay(self.facts, schedule, as_of)

    @staticmethod
    def default_appraisal_date(year: int) -> date:
        """An appraisal takes effect on the last day of its year unless a date is given."""
        return date(year, 12, 31)

    def appraisal_date(self, year: int) -> date:
        """The date the year's appraisal took effect, or would by default."""
        return self.appraisal_years.get(year) or self.default_appraisal_date(year)

    def _next_seq(self) -> int:
        return len(self.facts) + 1

    def _check(self, candidate: Fact, schedule: PolicySchedule) -> WorkerState:
        """The timeline check: the whole timeline, with the candidate, must hold."""
        step = candidate if isinstance(candidate, GradeStepFact) else None
        return replay([*self.facts, candidate], schedule, strict=True, new_step=step)

    # -- appraisals --------------------------------------------------------------
    def record_appraisal(
        self,
        *,
        year: int,
        rating: Rating,
        schedule: PolicySchedule,
        effective_date: date | None = None,
        document_ref: str = "",
        note: str = "",
    ) -> None:
        if year in self.appraisal_years:
            raise DuplicateAppraisal.because("appraisal_year_taken", field="year", year=year)
        effective = effective_date or self.default_appraisal_date(year)
        if effective.year < year:
            raise InvalidInput.because("appraisal_before_year", field="effective_date", year=year)
        self._check(AppraisalFact(effective, self._next_seq(), year, rating), schedule)
        self._appraised(
            year=year,
            rating=rating.value,
            effective_date=effective,
            document_ref=document_ref,
            note=note,
        )

    @event("Appraised")
    def _appraised(
        self, year: int, rating: str, effective_date: date, document_ref: str, note: str
    ) -> None:
        self.facts.append(AppraisalFact(effective_date, self._next_seq(), year, Rating(rating)))
        self.appraisal_years[year] = effective_date

    def correct_appraisal(
        self, *, year: int, rating: Rating, reason: str, schedule: PolicySchedule
    ) -> None:
        if year not in self.appraisal_years:
            raise NotFound.because("no_appraisal_for_year", field="year", year=year)
        effective = self.appraisal_years[year]
        self._check(AppraisalCorrectionFact(effective, self._next_seq(), year, rating), schedule)
        self._appraisal_corrected(
            year=year, rating=rating.value, reason=reason, effective_date=effective
        )

    @event("AppraisalCorrected")
    def _appraisal_corrected(
        self, year: int, rating: str, reason: str, effective_date: date
    ) -> None:
        self.facts.append(
            AppraisalCorrectionFact(effective_date, self._next_seq(), year, Rating(rating))
        )

    # -- grade and post ------------------------------------------------------------
    def change_grade(
        self,
        *,
        grade: int,
        effective_date: date,
        reason: GradeChangeReason,
        schedule: PolicySchedule,
        note: str = "",
    ) -> None:
        if reason not in PERSON_GRADE_CHANGE_REASONS:
            raise InvalidInput.because("reason_recorded_by_ledger", field="reason", reason=reason)
        self._check(GradeChangeFact(effective_date, self._next_seq(), grade, reason), schedule)
        self._grade_changed(
            grade=grade, effective_date=effective_date, reason=reason.value, note=note
        )

    @event("GradeChanged")
    def _grade_changed(self, grade: int, effective_date: date, reason: str, note: str) -> None:
        self.facts.append(
            GradeChangeFact(effective_date, self._next_seq(), grade, GradeChangeReason(reason))
        )

    def apply_step(self, due: StepDue, schedule: PolicySchedule) -> None:
        """Record a due step as a derived fact, with the rule that made it due (named by
        its interval: the policy's ``step_years`` on the step's date) and what caused it."""
        self._check(
            GradeStepFact(due.effective_date, self._next_seq(), due.caused_by_years), schedule
        )
        self._grade_stepped(
            effective_date=due.effective_date,
            rule=GradeChangeReason.GRADE_STEP.value,
            interval_years=schedule.on(due.effective_date).step_years,
            caused_by_years=list(due.caused_by_years),
            policy_version=due.policy_version,
        )

    def apply_due_steps(self, as_of: date, schedule: PolicySchedule) -> None:
        """Record every step the step clock has due by ``as_of``, oldest first."""
        for due in step_clock(self.state(schedule, as_of), schedule).due:
            if due.effective_date <= as_of:
                self.apply_step(due, schedule)

    class GradeStepped(LedgerAggregate.Event):
        """A step the rules made due, recorded. Version 3 names the rule by its interval
        (``rule`` ``grade_step`` with ``interval_years``); versions 1 and 2 recorded
        ``rule`` ``three_year_step`` whatever the policy said, and only three-year steps
        were ever made due then, so they read as a three-year ``grade_step``."""

        class_version = 3

        effective_date: date
        rule: str
        interval_years: int
        caused_by_years: list[int]
        policy_version: int

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            if state.get("rule") == GradeChangeReason.THREE_YEAR_STEP.value:
                state["rule"] = GradeChangeReason.GRADE_STEP.value
            state.setdefault("interval_years", LEGACY_STEP_YEARS)

    @event(GradeStepped)
    def _grade_stepped(
        self,
        effective_date: date,
        rule: str,
        interval_years: int,
        caused_by_years: list[int],
        policy_version: int,
    ) -> None:
        self.facts.append(GradeStepFact(effective_date, self._next_seq(), tuple(caused_by_years)))

    def change_post(
        self,
        *,
        post: str,
        effective_date: date,
        reason: PostChangeReason,
        schedule: PolicySchedule,
        note: str = "",
    ) -> None:
        post = schedule.on(effective_date).require_post(str(post))
        self._check(PostChangeFact(effective_date, self._next_seq(), post, reason), schedule)
        self._post_changed(post=post, effective_date=effective_date, reason=reason.value, note=note)

    @event("PostChanged")
    def _post_changed(self, post: str, effective_date: date, reason: str, note: str) -> None:
        self.facts.append(
            PostChangeFact(effective_date, self._next_seq(), post, PostChangeReason(reason))
        )

    # -- unit ------------------------------------------------------------------------
    def transfer(
        self, *, unit_id: UUID, effective_date: date, schedule: PolicySchedule, note: str = ""
    ) -> None:
        self._check(TransferFact(effective_date, self._next_seq(), unit_id), schedule)
        self._transferred(unit_id=unit_id, effective_date=effective_date, note=note)

    @event("Transferred")
    def _transferred(self, unit_id: UUID, effective_date: date, note: str) -> None:
        self.facts.append(TransferFact(effective_date, self._next_seq(), unit_id))

    # -- qualifications ----------------------------------------------------------------
    def upgrade_education(
        self,
        *,
        education: Education,
        effective_date: date,
        schedule: PolicySchedule,
        note: str = "",
    ) -> None:
        self._check(EducationFact(effective_date, self._next_seq(), education), schedule)
        self._education_upgraded(
            education=education.value, effective_date=effective_date, note=note
        )

    @event("EducationUpgraded")
    def _education_upgraded(self, education: str, effective_date: date, note: str) -> None:
        self.facts.append(EducationFact(effective_date, self._next_seq(), Education(education)))

    def obtain_certificate(
        self,
        *,
        level: CertificateLevel,
        effective_date: date,
        schedule: PolicySchedule,
        note: str = "",
    ) -> None:
        self._check(CertificateFact(effective_date, self._next_seq(), level), schedule)
        self._certificate_obtained(level=level.value, effective_date=effective_date, note=note)

    @event("CertificateObtained")
    def _certificate_obtained(self, level: str, effective_date: date, note: str) -> None:
        self.facts.append(
            CertificateFact(effective_date, self._next_seq(), CertificateLevel(level))
        )

    # -- leaving -------------------------------------------------------------------------
    def dismiss(
        self,
        *,
        effective_date: date,
        reason: DismissalReason,
        schedule: PolicySchedule,
        document_ref: str = "",
        note: str = "",
    ) -> None:
        self._check(DismissalFact(effective_date, self._next_seq(), reason), schedule)
        self._dismissed(
            effective_date=effective_date,
            reason=reason.value,
            document_ref=document_ref,
            note=note,
        )

    @event("Dismissed")
    def _dismissed(self, effective_date: date, reason: str, document_ref: str, note: str) -> None:
        self.facts.append(DismissalFact(effective_date, self._next_seq(), DismissalReason(reason)))
