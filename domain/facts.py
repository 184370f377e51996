"""The facts of a worker's career, as the aggregate holds them for replay.

Each fact has an effective date (when it is true in the world) and a sequence
number (its place in recorded order, which breaks ties between facts of the
same date). Facts hold what was recorded, never what is derived: an education
upgrade holds the new education, not the grade it leads to, so that a fact
inserted earlier in the timeline changes what later facts derive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.values import Immutable
from domain.vocabulary import (
    CertificateLevel,
    Channel,
    DismissalReason,
    Education,
    GradeChangeReason,
    PostChangeReason,
    Rating,
)


@dataclass(frozen=True)
class Fact(Immutable):
    effective_date: date
    seq: int

    @property
    def kind(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class HireFact(Fact):
    unit_id: UUID
    post: str  # the code as recorded; a later version may map it (domain.posts)
    grade: int
    grade_from_policy: bool
    education: Education
    channel: Channel
    prior_service_years: int
    dispatch_service_years: int


@dataclass(frozen=True)
class AppraisalFact(Fact):
    year: int
    rating: Rating


@dataclass(frozen=True)
class AppraisalCorrectionFact(Fact):
    year: int
    rating: Rating


@dataclass(frozen=True)
class GradeChangeFact(Fact):
    grade: int
    reason: GradeChangeReason


@dataclass(frozen=True)
class GradeStepFact(Fact):
    """A three-year step: one grade up, consuming the appraisal years that caused it."""

    caused_by_years: tuple[int, ...]


@dataclass(frozen=True)
class PostChangeFact(Fact):
    post: str  # the code as recorded; a later version may map it (domain.posts)
    reason: PostChangeReason


@dataclass(frozen=True)
class TransferFact(Fact):
    unit_id: UUID


@dataclass(frozen=True)
class EducationFact(Fact):
    education: Education


@dataclass(frozen=True)
class CertificateFact(Fact):
    level: CertificateLevel


@dataclass(frozen=True)
class DismissalFact(Fact):
    reason: DismissalReason
