"""Each worker's recorded facts (``Worker.facts``) as narrow typed rows, for a simulation
to read instead of the events.

A simulation that changes careers replays each worker's recorded facts under both
schedules; it needs nothing else of the worker but its id and name. Decoding the events
and rebuilding each aggregate to get those facts was a fifth of its time (BENCHMARKS.md),
so the projector keeps them here, one row per fact, in the fact's own types:
``projections.simulation.career_facts`` makes the very same ``domain.facts`` objects from
these rows.

Append mode: no event changes a recorded fact (a correction is a fact of its own), so a
fact's row, once written, stays right. The name is on the hire's row (no event changes
it): a worker without that row was hired before this model existed, and a reader must
not trust its rows until the next rebuild writes them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

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
from domain.worker import Worker
from projections.tables import Rows, Table

CAREER_FACTS = Table(
    "rm_career_facts",
    (
        ("worker_id", "TEXT NOT NULL"),
        ("seq", "INTEGER NOT NULL"),
        ("kind", "TEXT NOT NULL"),  # the fact's class name (``Fact.kind``)
        ("effective_date", "TEXT NOT NULL"),
        ("name", "TEXT"),  # the worker's, on the hire's row only
        # Only the columns of the fact's own fields are set; the others are NULL.
        ("unit_id", "TEXT"),
        ("post", "TEXT"),
        ("grade", "INTEGER"),
        ("grade_from_policy", "INTEGER"),  # 0 or 1: both databases read an integer back
        ("education", "TEXT"),
        ("channel", "TEXT"),
        ("prior_service_years", "INTEGER"),
        ("dispatch_service_years", "INTEGER"),
        ("year", "INTEGER"),
        ("rating", "TEXT"),
        ("reason", "TEXT"),
        ("caused_by_years", "TEXT"),  # comma-separated years, '' for none
        ("level", "TEXT"),
        # The notification id of the event that recorded the fact (set by the projector
        # and the rebuild): a simulation reads each worker's facts as of its moment.
        ("position", "BIGINT"),
    ),
    primary_key=("worker_id", "seq"),
    owner="worker_id",
    mode="append",
    position_column="position",
    version_column="seq",  # each event records one fact, its seq the event's version
)

Row = tuple[Any, ...]
_N = None


def _hire(key: str, name: str, f: Any) -> Row:
    return (
        key,
        f.seq,
        "HireFact",
        f.effective_date.isoformat(),
        name,
        str(f.unit_id),
        f.post,
        f.grade,
        int(f.grade_from_policy),
        f.education._value_,
        f.channel._value_,
        f.prior_service_years,
        f.dispatch_service_years,
        _N,
        _N,
        _N,
        _N,
        _N,
    )


def _appraisal(kind: str) -> Callable[[str, str, Any], Row]:
    def row(key: str, name: str, f: Any) -> Row:
        day = f.effective_date.isoformat()
        return (key, f.seq, kind, day, _N, _N, _N, _N, _N, _N, _N, _N, _N, f.year,
                f.rating._value_, _N, _N, _N)  # fmt: skip

    return row


def _grade_change(key: str, name: str, f: Any) -> Row:
    day = f.effective_date.isoformat()
    return (key, f.seq, "GradeChangeFact", day, _N, _N, _N, f.grade, _N, _N, _N, _N, _N, _N, _N,
            f.reason._value_, _N, _N)  # fmt: skip


def _grade_step(key: str, name: str, f: Any) -> Row:
    day = f.effective_date.isoformat()
    years = ",".join(map(str, f.caused_by_years))
    return (key, f.seq, "GradeStepFact", day, _N, _N, _N, _N, _N, _N, _N, _N, _N, _N, _N, _N,
            years, _N)  # fmt: skip


def _post_change(key: str, name: str, f: Any) -> Row:
    day = f.effective_date.isoformat()
    return (key, f.seq, "PostChangeFact", day, _N, _N, f.post, _N, _N, _N, _N, _N, _N, _N, _N,
            f.reason._value_, _N, _N)  # fmt: skip


def _transfer(key: str, name: str, f: Any) -> Row:
    day = f.effective_date.isoformat()
    return (key, f.seq, "TransferFact", day, _N, str(f.unit_id), _N, _N, _N, _N, _N, _N, _N,
            _N, _N, _N, _N, _N)  # fmt: skip


def _education(key: str, name: str, f: Any) -> Row:
    day = f.effective_date.isoformat()
    return (key, f.seq, "EducationFact", day, _N, _N, _N, _N, _N, f.education._value_, _N, _N,
            _N, _N, _N, _N, _N, _N)  # fmt: skip


def _certificate(key: str, name: str, f: Any) -> Row:
    day = f.effective_date.isoformat()
    return (key, f.seq, "CertificateFact", day, _N, _N, _N, _N, _N, _N, _N, _N, _N, _N, _N, _N,
            _N, f.level._value_)  # fmt: skip


def _dismissal(key: str, name: str, f: Any) -> Row:
    day = f.effective_date.isoformat()
    return (key, f.seq, "DismissalFact", day, _N, _N, _N, _N, _N, _N, _N, _N, _N, _N, _N,
            f.reason._value_, _N, _N)  # fmt: skip


_ROWS: dict[type[Fact], Callable[[str, str, Any], Row]] = {
    HireFact: _hire,
    AppraisalFact: _appraisal("AppraisalFact"),
    AppraisalCorrectionFact: _appraisal("AppraisalCorrectionFact"),
    GradeChangeFact: _grade_change,
    GradeStepFact: _grade_step,
    PostChangeFact: _post_change,
    TransferFact: _transfer,
    EducationFact: _education,
    CertificateFact: _certificate,
    DismissalFact: _dismissal,
}


_NO_POSITION = (None,)  # the position column, set by whoever writes the rows


def fact_rows(key: str, name: str, facts: Sequence[Fact]) -> list[Row]:
    rows = _ROWS
    return [rows[type(f)](key, name, f) + _NO_POSITION for f in facts]


class CareerFacts:
    kind: Literal["worker"] = "worker"
    tables = (CAREER_FACTS,)

    def rows(self, worker: Worker, schedule: PolicySchedule, new_events: Sequence[Any]) -> Rows:
        facts = worker.facts
        first = 0
        if new_events and len(facts) == worker.version:
            # Each event records one fact (domain/worker.py), its seq the event's version:
            # the new events' facts are the last ones. Were that ever not so, every fact is
            # given, and the projector skips the rows it has (append mode).
            first = new_events[0].originator_version - 1
        return {CAREER_FACTS.name: fact_rows(str(worker.id), worker.person.name, facts[first:])}


CAREER_FACTS_MODEL = CareerFacts()
