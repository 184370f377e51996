"""Each worker's recorded facts read from the career-facts read model, not the events.

A simulation needs of a worker only its id, its name and ``Worker.facts``
(``Comparison.career``). ``rm_career_facts`` (``projections.models.career_facts``) holds
those facts one typed row each, so one id range's workers are read here in id order with a
server-side cursor, a page at a time, and each row made into the very ``domain.facts``
object the aggregate holds: no event is decoded and no aggregate rebuilt. The agreement
tests (tests/integration/test_simulation_career_facts.py) hold every answer to the
event stream's.

The rows are trusted only when the read models hold every event up to the simulation's
head and every table of them was derived from the first event (``moment.ready``): a
ledger projected before this model existed has rows for the facts recorded since, not
the earlier ones, until its next rebuild. Each row carries the notification id of the
event that recorded it, so the processes, reading later over connections of their own,
keep to the facts recorded up to the head: each worker as of that one moment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any
from uuid import UUID

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
from domain.vocabulary import (
    CertificateLevel,
    Channel,
    DismissalReason,
    Education,
    GradeChangeReason,
    PostChangeReason,
    Rating,
)
from ledger.adapters.events_table import connection, is_postgres, sqlite_placeholders
from ledger.application import Ledger
from projections import stream
from projections.models.career_facts import CAREER_FACTS
from projections.simulation.moment import moment
from projections.simulation.moment import ready as moment_ready
from projections.sql import ReadStore

PAGE = 5000  # rows per round trip of the server-side cursor

Career = tuple[str, str, list[Fact]]  # worker id, name, recorded facts

# Each column's place in a row, from the table's one declaration of them.
_AT = {name: index for index, name in enumerate(CAREER_FACTS.column_names)}
_WORKER, _SEQ, _KIND, _DAY, _NAME = (
    _AT[n] for n in ("worker_id", "seq", "kind", "effective_date", "name")
)
_UNIT, _POST, _GRADE, _FROM_POLICY = (
    _AT[n] for n in ("unit_id", "post", "grade", "grade_from_policy")
)
_EDUCATION, _CHANNEL, _PRIOR, _DISPATCH = (
    _AT[n] for n in ("education", "channel", "prior_service_years", "dispatch_service_years")
)
_YEAR, _RATING, _REASON, _YEARS, _LEVEL = (
    _AT[n] for n in ("year", "rating", "reason", "caused_by_years", "level")
)


def ready(ledger: Ledger, store: ReadStore) -> bool:
    """Whether a simulation asked now would read the careers from here (tests, benchmarks):
    the read models at its head, complete, in a database other processes can read."""
    with moment(ledger, store) as (tx, head):
        return stream.supported(ledger) and moment_ready(tx, head)


def careers(
    env: Mapping[str, str], lo: UUID | None, hi: UUID | None, head: int
) -> Iterator[Career]:
    """Each worker with an id from ``lo`` up to ``hi`` (None: no end), in id order, with the
    facts recorded up to notification ``head``, over a connection of its own (a forked
    process must not use its parent's). A worker hired after ``head`` is not among them."""
    build = _Builder()
    key: str | None = None
    name = ""
    facts: list[Fact] = []
    for page in _pages(env, lo, hi, head):
        for row in page:
            if row[_WORKER] != key:
                if key is not None:
                    yield key, name, facts
                # The hire's row comes first (seq 1) and holds the name.
                key, name, facts = row[_WORKER], row[_NAME], []
            facts.append(build(row))
    if key is not None:
        yield key, name, facts


def _pages(
    env: Mapping[str, str], lo: UUID | None, hi: UUID | None, head: int
) -> Iterator[list[Any]]:
    """The rows a page at a time: iterating a server-side cursor row by row cost a
    method call per row, a tenth of the reading."""
    # A fact recorded after the head is left out, projected already or not (and one whose
    # event is unknown, NULL, too: ``tables.with_positions``).
    where: list[str] = ["position <= %s"]
    params: list[Any] = [head]
    # Ids are lower-case hyphenated text, which sorts (bytewise: the C collation
    # PostgreSQL is set up with, and SQLite's) as their UUIDs do.
    if lo is not None:
        where, params = [*where, "worker_id >= %s"], [*params, str(lo)]
    if hi is not None:
        where, params = [*where, "worker_id < %s"], [*params, str(hi)]
    sql = f"SELECT {', '.join(CAREER_FACTS.column_names)} FROM {CAREER_FACTS.name}"
    sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY worker_id, seq"
    with connection(env) as conn:
        if not is_postgres(env):
            rows = conn.execute(sqlite_placeholders(sql), params)
            while page := rows.fetchmany(PAGE):
                yield page
            return
        with conn.cursor(name="career_facts") as cursor:
            cursor.execute(sql, params)
            while page := cursor.fetchmany(PAGE):
                yield page


def _members(enum: Any) -> dict[str, Any]:
    """Value to member, looked up once (calling the enum class costs a method call each)."""
    return {member.value: member for member in enum}


class _Builder:
    """Rows to facts: each column as the fact's field types it (dates, unit ids and the
    vocabulary's members made once per distinct text)."""

    def __init__(self) -> None:
        self.units: dict[str, UUID] = {}
        self.days: dict[str, date] = {}
        self.education = _members(Education)
        self.channel = _members(Channel)
        self.rating = _members(Rating)
        self.level = _members(CertificateLevel)
        self.grade_reason = _members(GradeChangeReason)
        self.post_reason = _members(PostChangeReason)
        self.dismissal = _members(DismissalReason)
        self.kinds: dict[str, Callable[[tuple[Any, ...], date], Fact]] = {
            "HireFact": self._hire,
            "AppraisalFact": self._appraisal,
            "AppraisalCorrectionFact": self._correction,
            "GradeChangeFact": self._grade_change,
            "GradeStepFact": self._grade_step,
            "PostChangeFact": self._post_change,
            "TransferFact": self._transfer,
            "EducationFact": self._education,
            "CertificateFact": self._certificate,
            "DismissalFact": self._dismissal,
        }

    def __call__(self, row: tuple[Any, ...]) -> Fact:
        text = row[_DAY]
        day = self.days.get(text)
        if day is None:
            day = self.days[text] = date.fromisoformat(text)
        return self.kinds[row[_KIND]](row, day)

    def _unit(self, text: str) -> UUID:
        found = self.units.get(text)
        if found is None:
            found = self.units[text] = UUID(text)
        return found

    def _hire(self, r: tuple[Any, ...], day: date) -> Fact:
        return HireFact(
            day,
            r[_SEQ],
            self._unit(r[_UNIT]),
            r[_POST],
            r[_GRADE],
            bool(r[_FROM_POLICY]),
            self.education[r[_EDUCATION]],
            self.channel[r[_CHANNEL]],
            r[_PRIOR],
            r[_DISPATCH],
        )

    def _appraisal(self, r: tuple[Any, ...], day: date) -> Fact:
        return AppraisalFact(day, r[_SEQ], r[_YEAR], self.rating[r[_RATING]])

    def _correction(self, r: tuple[Any, ...], day: date) -> Fact:
        return AppraisalCorrectionFact(day, r[_SEQ], r[_YEAR], self.rating[r[_RATING]])

    def _grade_change(self, r: tuple[Any, ...], day: date) -> Fact:
        return GradeChangeFact(day, r[_SEQ], r[_GRADE], self.grade_reason[r[_REASON]])

    def _grade_step(self, r: tuple[Any, ...], day: date) -> Fact:
        years = tuple(int(y) for y in r[_YEARS].split(",")) if r[_YEARS] else ()
        return GradeStepFact(day, r[_SEQ], years)

    def _post_change(self, r: tuple[Any, ...], day: date) -> Fact:
        return PostChangeFact(day, r[_SEQ], r[_POST], self.post_reason[r[_REASON]])

    def _transfer(self, r: tuple[Any, ...], day: date) -> Fact:
        return TransferFact(day, r[_SEQ], self._unit(r[_UNIT]))

    def _education(self, r: tuple[Any, ...], day: date) -> Fact:
        return EducationFact(day, r[_SEQ], self.education[r[_EDUCATION]])

    def _certificate(self, r: tuple[Any, ...], day: date) -> Fact:
        return CertificateFact(day, r[_SEQ], self.level[r[_LEVEL]])

    def _dismissal(self, r: tuple[Any, ...], day: date) -> Fact:
        return DismissalFact(day, r[_SEQ], self.dismissal[r[_REASON]])
