"""What a comparison answers: each differing worker's stretches, and the sums over the window."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.vocabulary import UnitKind
from projections.simulation.pricing import Priced

PROMOTION = "promotion_candidate"
DISMISSAL = "dismissal_required"
FLAG_LABELS = {PROMOTION: "优先晋升候选", DISMISSAL: "应予解聘"}
CHANGE_LABELS = {"appears": "新出现", "vanishes": "消失"}


@dataclass(frozen=True)
class PayStretch:
    """Consecutive months in which the two sides pay differently, the same each month."""

    from_month: str
    to_month: str
    months: int
    adopted: tuple[str, str, int, Priced] | None  # unit, post, grade, pay; None: not paid
    draft: tuple[str, str, int, Priced] | None


@dataclass(frozen=True)
class GradeStretch:
    start: date
    end: date  # inclusive
    post: str
    post_label: str  # as the adopted policy names it on ``start``
    adopted: int
    draft: int


@dataclass(frozen=True)
class FlagChange:
    flag: str
    change: str  # "appears" under the draft, or "vanishes" under it
    start: date
    end: date  # inclusive


@dataclass
class WorkerDifference:
    worker_id: str
    name: str
    unit_id: str  # where the first difference falls
    first_month: str
    adopted: tuple[int, int, int]  # fen over the window: total, city share, local share
    draft: tuple[int, int, int]
    pay: list[PayStretch]
    grades: list[GradeStretch]
    steps_gained: list[date]
    steps_lost: list[date]
    flags: list[FlagChange]


# -- sums ----------------------------------------------------------------------------------------
@dataclass
class UnitInfo:
    unit_id: str
    name: str
    kind: UnitKind
    parent_id: str | None
    approved_quota: int | None
    computed_adopted: int | None
    computed_draft: int | None


@dataclass
class Sums:
    """What one process adds up; the parent merges every process's."""

    months: int
    # Six running differences (adopted total, city, local, then the draft's) over the
    # window's months: a stretch adds at its first month and takes away after its last.
    by_month: list[list[int]] = field(default_factory=list)
    units: dict[str, list[int]] = field(default_factory=dict)  # 6 sums, workers, affected
    unit_info: dict[str, UnitInfo] = field(default_factory=dict)
    compared: int = 0
    affected: int = 0
    gaining: int = 0
    losing: int = 0

    def __post_init__(self) -> None:
        if not self.by_month:
            self.by_month = [[0] * (self.months + 1) for _ in range(6)]

    def merge(self, other: Sums) -> None:
        for mine, theirs in zip(self.by_month, other.by_month, strict=True):
            for index, value in enumerate(theirs):
                mine[index] += value
        for unit_id, values in other.units.items():
            found = self.units.setdefault(unit_id, [0] * 8)
            for index, value in enumerate(values):
                found[index] += value
        self.unit_info.update(other.unit_info)
        self.compared += other.compared
        self.affected += other.affected
        self.gaining += other.gaining
        self.losing += other.losing
