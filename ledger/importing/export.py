"""The ledger's units and workers as import sheets: what ``ledger export`` writes beside
a roster, so that the workbook re-imports into a fresh ledger as the same history.

Keys are the ledger's ids (an id used as a key names that aggregate, see keys.py);
coded values are written as their Chinese labels, which the importer reads back; a
post as the label of the policy version in force on its row's date (the importer reads
it against that version). A unit's dated counts are rows of their own (统计日期).
A worker's rows come from their recorded events, in effective-date order (recorded
order breaks ties, as on replay), so notes and document numbers travel too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import zip_longest
from typing import Any
from uuid import UUID

from domain.policy import PolicySchedule
from domain.unit import Unit
from domain.vocabulary import (
    CertificateLevel,
    Channel,
    DismissalReason,
    Education,
    FactType,
    Gender,
    GradeChangeReason,
    Labelled,
    PostChangeReason,
    Rating,
)
from ledger.adapters.spreadsheets import Table
from ledger.application import Ledger
from ledger.importing.columns import COLUMNS, SHEET_TITLES, WORKER_COLUMNS, SheetKind

Row = dict[str, Any]

_FACTS = {
    "Hired": FactType.HIRE,
    "Appraised": FactType.APPRAISAL,
    "AppraisalCorrected": FactType.APPRAISAL_CORRECTION,
    "GradeChanged": FactType.GRADE_CHANGE,
    "GradeStepped": FactType.GRADE_STEP,
    "PostChanged": FactType.POST_CHANGE,
    "Transferred": FactType.TRANSFER,
    "EducationUpgraded": FactType.EDUCATION_UPGRADE,
    "CertificateObtained": FactType.CERTIFICATE,
    "Dismissed": FactType.DISMISSAL,
}
# Event fields under their column's code where the names differ.
_RENAMED = {"hire_date": "effective_date", "unit_id": "unit_key", "level": "certificate"}
_COLUMNS = frozenset(c.code for c in WORKER_COLUMNS)
# Events hold codes; the sheet shows their Chinese labels (the importer reads either).
_CODED: dict[str, type[Labelled]] = {
    "gender": Gender,
    "education": Education,
    "channel": Channel,
    "rating": Rating,
    "certificate": CertificateLevel,
}
_REASONS: dict[FactType, type[Labelled]] = {
    FactType.GRADE_CHANGE: GradeChangeReason,
    FactType.POST_CHANGE: PostChangeReason,
    FactType.DISMISSAL: DismissalReason,
}


def units(ledger: Ledger, roots: Iterable[UUID]) -> Iterator[Unit]:
    """Every unit under ``roots``, each after its parent."""
    for root in roots:
        unit = ledger.get(root, Unit)
        yield unit
        yield from units(ledger, unit.children)


def unit_rows(unit: Unit) -> Iterator[Row]:
    """The unit's row, then one more per further quota approval or dispatch headcount,
    then one per counts record."""
    described: Row = {
        "unit_key": str(unit.id),
        "name": unit.name,
        "kind": unit.kind.label,
        "parent_key": str(unit.parent_id) if unit.parent_id else None,
        "class": unit.unit_class,
        "households": unit.households,
        "population": unit.population,
    }
    approvals, dispatch = unit.approvals, sorted(unit.dispatch_headcount.items())
    for index, (approval, reported) in enumerate(zip_longest(approvals, dispatch)):
        row: Row = dict(described) if index == 0 else {"unit_key": str(unit.id)}
        if approval is not None:
            row["quota"] = approval.quota
            row["quota_effective_date"] = approval.effective_date
            row["document_ref"] = approval.document_ref
        if reported is not None:
            row["dispatch_year"], row["dispatch_headcount"] = reported
        yield row
    if not approvals and not dispatch:
        yield described
    for record in unit.counts_records:
        counted: Row = {"unit_key": str(unit.id), "counts_date": record.effective_date}
        for code in ("households", "grids", "population"):
            counted[code] = getattr(record, code)
        yield counted


def worker_ids(tree: Iterable[Unit]) -> Iterator[UUID]:
    """Everyone who ever held a seat in these units, once each."""
    seen: set[UUID] = set()
    for unit in tree:
        for worker_id in unit.seats:
            if worker_id not in seen:
                seen.add(worker_id)
                yield worker_id


def worker_rows(
    ledger: Ledger, worker_id: UUID, schedule: PolicySchedule | None = None
) -> list[Row]:
    """The worker's rows; ``schedule``: the ledger's policy versions (read if not given)."""
    schedule = schedule or ledger.schedule()
    rows = []
    hire_date = None
    for event in ledger.events.get(worker_id):
        fact = _FACTS.get(type(event).__name__)
        if fact is None:
            continue
        fields = vars(event)
        row: Row = {"worker_key": str(worker_id), "fact": fact.label}
        coded = {**_CODED, "reason": _REASONS.get(fact)}
        for name, value in fields.items():
            code = _RENAMED.get(name, name)
            if code not in _COLUMNS or value is None or value == "":
                continue
            enum = coded.get(code)
            row[code] = enum(value).label if enum else str(value) if code == "unit_key" else value
        if "post" in row:
            day = fields.get("hire_date") or fields["effective_date"]
            row["post"] = _post_label(schedule, row["post"], day)
        if fact is FactType.HIRE:
            hire_date = fields["hire_date"]
            if fields["grade_from_policy"]:
                row.pop("grade", None)  # the policy chooses it again on import
        rows.append((row.get("effective_date") or hire_date, event.originator_version, row))
    return [row for _, _, row in sorted(rows, key=lambda r: (r[0], r[1]))]


def _post_label(schedule: PolicySchedule, code: str, day: Any) -> str:
    """The label, under the version in force on ``day``, of the post ``code`` means there
    (a code that version maps, as the post it maps to): the importer reads it back."""
    return schedule.on(day).post_label(code)


def history_tables(ledger: Ledger, roots: Iterable[UUID]) -> list[Table]:
    """The units sheet and the workers sheet of everything under ``roots``."""
    tree = list(units(ledger, roots))
    schedule = ledger.schedule()
    return [
        _table(SheetKind.UNITS, (row for unit in tree for row in unit_rows(unit))),
        _table(
            SheetKind.WORKERS,
            (row for w in worker_ids(tree) for row in worker_rows(ledger, w, schedule)),
        ),
    ]


def _table(kind: SheetKind, rows: Iterable[Row]) -> Table:
    columns = COLUMNS[kind]
    return Table(SHEET_TITLES[kind], [c.header for c in columns], [c.code for c in columns], rows)
