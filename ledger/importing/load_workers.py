"""One worker's rows through the application's use cases, then their seats.

The hire comes first; the other facts follow in effective-date order (file order
breaks ties, as recorded order does in the ledger). A three-year step is recorded
only where the rule finds one due on that date. A worker already in the ledger
keeps what it has: a row identical to a recorded fact is skipped, a different one is
checked like any new fact (and refused if it conflicts). The units' seats are set
once by the application (``settle_seats``), from the worker's final placements, so
the quota check sees the whole career.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from domain.errors import LedgerError
from domain.facts import Fact
from domain.rules import StepDue, step_clock
from domain.unit import Unit
from domain.vocabulary import FactType
from domain.worker import Person, Worker
from ledger.commands import (
    AddCertificate,
    ApplySteps,
    Appraise,
    ChangeGrade,
    ChangePost,
    CorrectAppraisal,
    Dismiss,
    Transfer,
    UpgradeEducation,
    WorkerChange,
)
from ledger.commands import Hire as HireCommand
from ledger.importing import keys
from ledger.importing.rows import Values
from ledger.importing.scope import Scope

FactRow = tuple[str, int, Values]  # sheet, row, values

MAIN_COLUMN = {
    FactType.HIRE: "unit_key",
    FactType.APPRAISAL: "rating",
    FactType.APPRAISAL_CORRECTION: "rating",
    FactType.GRADE_CHANGE: "grade",
    FactType.GRADE_STEP: "effective_date",
    FactType.POST_CHANGE: "post",
    FactType.TRANSFER: "unit_key",
    FactType.EDUCATION_UPGRADE: "education",
    FactType.CERTIFICATE: "certificate",
    FactType.DISMISSAL: "effective_date",
}
# The recorded fact each row becomes, and the fields that make two of them the same
# (by the row's column names; the transfer's unit is resolved to its id).
SIGNATURE: dict[FactType, tuple[str, tuple[str, ...]]] = {
    FactType.APPRAISAL: ("AppraisalFact", ("year", "rating")),
    FactType.APPRAISAL_CORRECTION: ("AppraisalCorrectionFact", ("year", "rating")),
    FactType.GRADE_CHANGE: ("GradeChangeFact", ("grade", "reason")),
    FactType.GRADE_STEP: ("GradeStepFact", ()),
    FactType.POST_CHANGE: ("PostChangeFact", ("post", "reason")),
    FactType.TRANSFER: ("TransferFact", ("unit_key",)),
    FactType.EDUCATION_UPGRADE: ("EducationFact", ("education",)),
    FactType.CERTIFICATE: ("CertificateFact", ("certificate",)),
    FactType.DISMISSAL: ("DismissalFact", ("reason",)),
}
_FACT_FIELD = {"unit_key": "unit_id", "certificate": "level"}
_BY_KIND = {kind: columns for kind, columns in SIGNATURE.values()}


def load_worker(scope: Scope, key: str, rows: Sequence[FactRow], may_exist: bool) -> None:
    """Record the worker's rows in the scope's batch; each refusal is told on its row."""
    worker_id = keys.worker_id(scope.district, key)
    known = scope.stored(worker_id, Worker) if may_exist else None
    hires = [r for r in rows if r[2]["fact"] is FactType.HIRE]
    for sheet, row, _ in hires[1:]:
        scope.problem(
            sheet,
            row,
            "fact",
            f"a second hire of worker {key!r} (the first is on row {hires[0][1]})",
            "one 入职 hire row per worker",
        )
    if known is None and not hires:
        sheet, row, _ = rows[0]
        scope.problem(
            sheet,
            row,
            "worker_key",
            f"worker {key!r} has no hire in the file or the ledger",
            "a 入职 hire row for this worker",
        )
        return
    if known is not None:
        scope.counts["workers_known"] += 1
        worker: Worker | None = known
        if hires and not _same_hire(scope, known, hires[0]):
            return
    else:
        worker = _hire(scope, worker_id, hires[0])
    if worker is None:
        return
    _facts(scope, worker, [r for r in rows if r[2]["fact"] is not FactType.HIRE], known)
    for unit_id, error in scope.ledger.settle_seats(scope.ctx, worker.id):
        sheet, row = _moving_in(scope, rows, unit_id)
        scope.refused(sheet, row, error, "unit_key")


def _hire(scope: Scope, worker_id: UUID, hire: FactRow) -> Worker | None:
    sheet, row, values = hire
    if _unit(scope, sheet, row, values["unit_key"]) is None:
        return None
    try:
        scope.ledger.hire(
            scope.ctx,
            HireCommand(
                person=Person(
                    values["name"], values["gender"], values["birth_date"], values.get("id_number")
                ),
                unit_id=scope.unit_id(values["unit_key"]),
                post=values["post"],
                education=values["education"],
                channel=values["channel"],
                hire_date=values["effective_date"],
                prior_service_years=values.get("prior_service_years", 0),
                dispatch_service_years=values.get("dispatch_service_years", 0),
                grade=values.get("grade"),
                note=values.get("note", ""),
                worker_id=worker_id,
            ),
        )
    except LedgerError as error:
        scope.refused(sheet, row, error, "unit_key")
        return None
    scope.counts["workers"] += 1
    scope.counts["facts"] += 1
    return scope.stored(worker_id, Worker)


def _same_hire(scope: Scope, worker: Worker, hire: FactRow) -> bool:
    sheet, row, values = hire
    fact, person = worker.hire_fact, worker.person
    policy = scope.schedule.on(fact.effective_date)
    recorded = {
        "name": person.name,
        "gender": person.gender,
        "birth_date": person.birth_date,
        "id_number": person.id_number,
        "effective_date": fact.effective_date,
        "unit_key": fact.unit_id,
        # The post the recorded code means on the hire date, as the row's was read.
        "post": policy.post_of(fact.post),
        "education": fact.education,
        "channel": fact.channel,
        "prior_service_years": fact.prior_service_years,
        "dispatch_service_years": fact.dispatch_service_years,
        "grade": fact.grade,
    }
    given = {**values, "unit_key": scope.unit_id(values["unit_key"])}
    given.setdefault("prior_service_years", 0)
    given.setdefault("dispatch_service_years", 0)
    given.setdefault("id_number", None)
    given.setdefault("grade", fact.grade)  # the policy's grade when none is given
    differ = [code for code in recorded if given[code] != recorded[code]]
    for code in differ:
        found = recorded[code]
        shown = f"{policy.post_label(fact.post)} {found}" if code == "post" else _shown(found)
        scope.problem(
            sheet,
            row,
            code,
            f"the worker's hire was recorded with {shown}",
            "the hire as recorded (a hire is never changed: later changes are rows of their own)",
        )
    if not differ:
        scope.counts["facts_known"] += 1
    return not differ


def _facts(scope: Scope, worker: Worker, rows: list[FactRow], known: Worker | None) -> None:
    existing = Counter(_recorded(scope, f) for f in (known.facts[1:] if known else ()))
    appraised = {v["year"]: _when(v, {}) for _, _, v in rows if v["fact"] is FactType.APPRAISAL}
    appraised.update(worker.appraisal_years)
    deferred: list[FactRow] = []
    for sheet, row, values in sorted(rows, key=lambda r: (_when(r[2], appraised), r[1])):
        if "name" in values and values["name"] != worker.person.name:
            scope.problem(
                sheet,
                row,
                "name",
                f"worker {values['worker_key']!r} is {worker.person.name!r}",
                "the name on the worker's hire row",
            )
            continue
        signature = _signature(scope, sheet, row, values, appraised)
        if signature is None:
            continue
        if existing[signature]:
            existing[signature] -= 1
            scope.counts["facts_known"] += 1
        elif values["fact"] is FactType.GRADE_STEP:
            step = _step_on(_steps_due(scope, worker), values["effective_date"])
            if step is None:
                deferred.append((sheet, row, values))  # a late-dated appraisal may make it due
            else:
                _apply(scope, worker, sheet, row, values, step)
        else:
            _apply(scope, worker, sheet, row, values)
    for sheet, row, values in deferred:
        due = _steps_due(scope, worker)
        step = _step_on(due, values["effective_date"])
        if step is not None:
            _apply(scope, worker, sheet, row, values, step)
            continue
        listed = ", ".join(str(d.effective_date) for d in due) or "none"
        scope.problem(
            sheet,
            row,
            "effective_date",
            f"the rule finds no three-year step due on {values['effective_date']}",
            f"a step on a date the rule finds due "
            f"(now: {listed}); other grade changes are 等级调整 grade_change rows",
        )


def _when(values: Values, appraised: dict[int, date]) -> date:
    if "effective_date" in values:
        found: date = values["effective_date"]
        return found
    year: int = values["year"]
    if values["fact"] is FactType.APPRAISAL_CORRECTION and year in appraised:
        return appraised[year]
    return date(year, 12, 31)


def _recorded(scope: Scope, fact: Fact) -> tuple[Hashable, ...]:
    """A recorded fact's signature; a correction's date is its appraisal's, so not in it.
    A post is the one its code means on the fact's date, as a row's post is read."""
    when = None if fact.kind == "AppraisalCorrectionFact" else fact.effective_date
    found = []
    for name in _BY_KIND.get(fact.kind, ()):
        value = getattr(fact, _FACT_FIELD.get(name, name))
        if name == "post":
            value = scope.schedule.on(fact.effective_date).post_of(value)
        found.append(value)
    return (fact.kind, when, *found)


def _signature(
    scope: Scope, sheet: str, row: int, values: Values, appraised: dict[int, date]
) -> tuple[Hashable, ...] | None:
    """The row's signature, as :func:`_recorded` makes it; None if its unit is unknown."""
    kind, fields = SIGNATURE[values["fact"]]
    found = dict(values)
    if "unit_key" in values:
        unit = _unit(scope, sheet, row, values["unit_key"])
        if unit is None:
            return None
        found["unit_key"] = unit.id
    when = None if kind == "AppraisalCorrectionFact" else _when(values, appraised)
    return (kind, when, *(found[f] for f in fields))


def _unit(scope: Scope, sheet: str, row: int, key: str) -> Unit | None:
    unit_id = scope.unit_id(key)
    unit = scope.unit(unit_id)
    if unit is None and unit_id not in scope.failed_units:
        scope.problem(
            sheet,
            row,
            "unit_key",
            f"no unit {key!r} in the units sheet or the ledger",
            "the key of a unit in the units sheet or already imported",
        )
    return unit


def _steps_due(scope: Scope, worker: Worker) -> Sequence[StepDue]:
    return step_clock(worker.state(scope.schedule), scope.schedule).due


def _step_on(due: Sequence[StepDue], when: date) -> StepDue | None:
    return next((d for d in due if d.effective_date == when), None)


def _apply(
    scope: Scope,
    worker: Worker,
    sheet: str,
    row: int,
    values: Values,
    step: StepDue | None = None,
) -> None:
    """Record the row's fact by its use case; a grade-step row comes with the due ``step``."""
    fact: FactType = values["fact"]
    if fact is FactType.APPRAISAL_CORRECTION:
        recorded = worker.appraisal_years.get(values["year"])
        when = values.get("effective_date")
        if when is not None and recorded is not None and when != recorded:
            scope.problem(
                sheet,
                row,
                "effective_date",
                "a correction takes effect on its appraisal's date",
                f"{recorded} or an empty cell",
            )
            return
    if fact is FactType.GRADE_STEP and step is None:  # a caller's mistake, not the file's
        raise ValueError("a grade-step row is recorded with the step found due")
    try:
        _record(scope, _command(scope, worker.id, values, step))
    except LedgerError as error:
        scope.refused(sheet, row, error, MAIN_COLUMN[fact])
        return
    scope.counts["facts"] += 1


def _command(scope: Scope, worker_id: UUID, values: Values, step: StepDue | None) -> WorkerChange:
    """The row as the command of its use case."""
    note = values.get("note", "")
    when: Any = values.get("effective_date")  # present for every fact that needs one
    match values["fact"]:
        case FactType.APPRAISAL:
            return Appraise(
                worker_id,
                values["year"],
                values["rating"],
                effective_date=when,
                document_ref=values.get("document_ref", ""),
                note=note,
            )
        case FactType.APPRAISAL_CORRECTION:
            return CorrectAppraisal(worker_id, values["year"], values["rating"], values["reason"])
        case FactType.GRADE_CHANGE:
            return ChangeGrade(worker_id, values["grade"], when, values["reason"], note=note)
        case FactType.GRADE_STEP:
            assert step is not None  # checked by the caller
            return ApplySteps(worker_id, step.effective_date)
        case FactType.POST_CHANGE:
            return ChangePost(worker_id, values["post"], when, values["reason"], note=note)
        case FactType.TRANSFER:
            return Transfer(worker_id, scope.unit_id(values["unit_key"]), when, note=note)
        case FactType.EDUCATION_UPGRADE:
            return UpgradeEducation(worker_id, values["education"], when, note=note)
        case FactType.CERTIFICATE:
            return AddCertificate(worker_id, values["certificate"], when, note=note)
        case FactType.DISMISSAL:
            return Dismiss(
                worker_id,
                when,
                values["reason"],
                document_ref=values.get("document_ref", ""),
                note=note,
            )
    raise ValueError(f"no use case records a {values['fact']} row")


def _record(scope: Scope, command: WorkerChange) -> None:
    """Call the command's use case on the application."""
    ledger, ctx = scope.ledger, scope.ctx
    match command:
        case Appraise():
            ledger.appraise(ctx, command)
        case CorrectAppraisal():
            ledger.correct_appraisal(ctx, command)
        case ChangeGrade():
            ledger.change_grade(ctx, command)
        case ApplySteps():
            ledger.apply_steps(ctx, command)
        case ChangePost():
            ledger.change_post(ctx, command)
        case Transfer():
            ledger.transfer(ctx, command)
        case UpgradeEducation():
            ledger.upgrade_education(ctx, command)
        case AddCertificate():
            ledger.add_certificate(ctx, command)
        case Dismiss():
            ledger.dismiss(ctx, command)


def _moving_in(scope: Scope, rows: Sequence[FactRow], unit_id: UUID) -> tuple[str, int]:
    """The row that brings the worker into ``unit_id``: its hire or a transfer."""
    for sheet, row, values in rows:
        if "unit_key" in values and scope.unit_id(values["unit_key"]) == unit_id:
            return sheet, row
    return rows[0][0], rows[0][1]


def _shown(value: object) -> str:
    label = getattr(value, "label", None)
    return f"{label} {value}" if label else "empty" if value is None else str(value)
