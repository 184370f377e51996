"""Workers: the hire, every later fact of a career, the state on a date and the history.

Each endpoint builds one command (``ledger.commands``) and calls its use case on
the ledger, which loads the worker, checks the actor against the unit the worker
is in on the command's date, records the fact (the domain checks the whole
timeline) and keeps the units' seats in step, all in one save.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response

from api import history, problems
from api.csv import TABLE_CONTENT, table_response
from api.deps import (
    ActorDep,
    AsOf,
    ContextDep,
    KnownAt,
    LedgerDep,
    ReadModelsDep,
    WorkerCursor,
    etag,
)
from api.personal import redact, sees_id_numbers
from api.schemas.common import FIRST_YEAR, LAST_YEAR
from api.schemas.reports import RosterOut
from api.schemas.workers import (
    AppraisalCorrectionIn,
    AppraisalIn,
    CertificateIn,
    DismissalIn,
    EducationIn,
    GradeChangeIn,
    HireIn,
    HistoryOut,
    PostChangeIn,
    TransferIn,
    WorkerOut,
)
from domain import limits
from domain.posts import POST_CODE
from domain.vocabulary import WorkerStatus
from domain.worker import Person
from ledger.commands import (
    AddCertificate,
    Appraise,
    ChangeGrade,
    ChangePost,
    CorrectAppraisal,
    Dismiss,
    Hire,
    Transfer,
    UpgradeEducation,
)
from projections.queries import roster
from projections.queries.scope import report_root

router = APIRouter(prefix="/workers", tags=["workers"])

WRITE_PROBLEMS = problems.responses(401, 403, 404, 409, 422, 503)
READ_PROBLEMS = problems.responses(401, 403, 404, 422, 503)

PathYear = Annotated[int, Path(ge=FIRST_YEAR, le=LAST_YEAR, description="The appraised year")]


def _write(path: str, summary: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    post = router.post(
        path,
        status_code=201,
        response_model=WorkerOut,
        responses=WRITE_PROBLEMS,
        summary=summary,
    )

    def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        # The answer to a write is the worker's view, so it is shown like a read: masked
        # by the writer's role (api/personal.py). FastAPI reads the wrapped signature.
        @functools.wraps(endpoint)
        def shown(**params: Any) -> Any:
            return redact(params["ctx"].actor, endpoint(**params))

        return post(shown)

    return register


@_write("", "Hire a worker into a unit with a free seat")
def hire(body: HireIn, ctx: ContextDep, ledger: LedgerDep) -> dict[str, Any]:
    """Without `grade`, the initial grade comes from the policy (post minimum, prior
    service and education)."""
    person = Person(body.name, body.gender, body.birth_date, body.id_number)
    command = Hire(
        person=person,
        unit_id=body.unit_id,
        post=body.post,
        education=body.education,
        channel=body.channel,
        hire_date=body.hire_date,
        prior_service_years=body.prior_service_years,
        dispatch_service_years=body.dispatch_service_years,
        grade=body.grade,
        note=body.note,
    )
    return ledger.hire(ctx, command)


@_write("/{worker_id}/appraisals", "Record a year's appraisal")
def record_appraisal(
    worker_id: UUID, body: AppraisalIn, ctx: ContextDep, ledger: LedgerDep
) -> dict[str, Any]:
    """Without `effective_date`, the appraisal takes effect on 31 December of its year."""
    command = Appraise(
        worker_id,
        year=body.year,
        rating=body.rating,
        effective_date=body.effective_date,
        document_ref=body.document_ref,
        note=body.note,
    )
    return ledger.appraise(ctx, command)


@_write("/{worker_id}/appraisals/{year}/corrections", "Correct a year's appraisal")
def correct_appraisal(
    worker_id: UUID,
    year: PathYear,
    body: AppraisalCorrectionIn,
    ctx: ContextDep,
    ledger: LedgerDep,
) -> dict[str, Any]:
    """The earlier rating stays on record; the correction points at it."""
    command = CorrectAppraisal(worker_id, year=year, rating=body.rating, reason=body.reason)
    return ledger.correct_appraisal(ctx, command)


@_write("/{worker_id}/grade-changes", "Change a worker's grade")
def change_grade(
    worker_id: UUID, body: GradeChangeIn, ctx: ContextDep, ledger: LedgerDep
) -> dict[str, Any]:
    """Only the reasons a person gives; three-year steps and education upgrades are derived."""
    command = ChangeGrade(
        worker_id,
        grade=body.grade,
        effective_date=body.effective_date,
        reason=body.reason,
        note=body.note,
    )
    return ledger.change_grade(ctx, command)


@_write("/{worker_id}/post-changes", "Change a worker's post")
def change_post(
    worker_id: UUID, body: PostChangeIn, ctx: ContextDep, ledger: LedgerDep
) -> dict[str, Any]:
    """The grade is kept, clamped into the new post's range; the answer shows it."""
    command = ChangePost(
        worker_id,
        post=body.post,
        effective_date=body.effective_date,
        reason=body.reason,
        note=body.note,
    )
    return ledger.change_post(ctx, command)


@_write("/{worker_id}/transfers", "Transfer a worker to another unit")
def transfer(
    worker_id: UUID, body: TransferIn, ctx: ContextDep, ledger: LedgerDep
) -> dict[str, Any]:
    """Needs a free seat in the new unit; a clerk must be allowed to write in both units."""
    command = Transfer(
        worker_id, unit_id=body.unit_id, effective_date=body.effective_date, note=body.note
    )
    return ledger.transfer(ctx, command)


@_write("/{worker_id}/education", "Record a higher education")
def upgrade_education(
    worker_id: UUID, body: EducationIn, ctx: ContextDep, ledger: LedgerDep
) -> dict[str, Any]:
    """The grade rises by the difference in education bonus; the answer shows it."""
    command = UpgradeEducation(
        worker_id, education=body.education, effective_date=body.effective_date, note=body.note
    )
    return ledger.upgrade_education(ctx, command)


@_write("/{worker_id}/certificates", "Record a social-work certificate")
def obtain_certificate(
    worker_id: UUID, body: CertificateIn, ctx: ContextDep, ledger: LedgerDep
) -> dict[str, Any]:
    command = AddCertificate(
        worker_id, level=body.level, effective_date=body.effective_date, note=body.note
    )
    return ledger.add_certificate(ctx, command)


@_write("/{worker_id}/dismissal", "Record a dismissal")
def dismiss(
    worker_id: UUID, body: DismissalIn, ctx: ContextDep, ledger: LedgerDep
) -> dict[str, Any]:
    """Frees the worker's seat from the dismissal date."""
    command = Dismiss(
        worker_id,
        effective_date=body.effective_date,
        reason=body.reason,
        document_ref=body.document_ref,
        note=body.note,
    )
    return ledger.dismiss(ctx, command)


@router.get(
    "",
    response_model=RosterOut,
    responses={**READ_PROBLEMS, 200: {"content": TABLE_CONTENT}},
    summary="The roster on a date",
)
def list_workers(
    request: Request,
    actor: ActorDep,
    ledger: LedgerDep,
    read_models: ReadModelsDep,
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            # Documented, and checked by the search itself with a message that says why.
            json_schema_extra={"pattern": limits.SEARCH_PATTERN},
            description="Part of a name (any case), or a whole ID number (18 characters or "
            "15 digits: a query with digits is one); a reporter cannot search by ID number",
        ),
    ] = None,
    unit_id: Annotated[UUID | None, Query(description="That unit's whole subtree")] = None,
    post: Annotated[
        str | None,
        Query(
            max_length=40,
            # Documented; which codes are posts on `as_of` is the policy's to say (a 422
            # naming them), not an enum's.
            json_schema_extra={"pattern": POST_CODE.pattern},
            description="A post code of the policy in force on `as_of` (see GET "
            "/policies/current); holders of a code it maps count under its post",
        ),
    ] = None,
    grade: Annotated[int | None, Query(ge=1, le=99, description="The grade on `as_of`")] = None,
    status: Annotated[
        WorkerStatus | None,
        Query(description="`not_yet_hired`: hired after `as_of`; default: every status"),
    ] = None,
    as_of: AsOf = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size")] = 100,
    cursor: WorkerCursor = None,
) -> Any:
    """Every worker's state on `as_of`, in a stable order, a page at a time. A clerk sees
    only their own unit's subtree. A worker hired after `as_of` is listed as
    `not_yet_hired` with the state of their first day.

    With `Accept: text/csv` the answer is every matching worker in one streamed CSV
    (UTF-8 with BOM, code and Chinese label columns side by side), with the .xlsx media
    type in a workbook (bilingual headers): `limit` and `cursor` do not apply.

    `q` searches: part of a name, or a whole ID number, which a clerk may search by
    though they see it masked; a reporter, who sees no ID numbers, is refused (403)."""
    store = read_models.store
    name_part, id_number = roster.search_terms(q, may_search_id_numbers=sees_id_numbers(actor))
    where = roster.RosterFilter(
        as_of=as_of or date.today(),
        root=report_root(store, actor, unit_id),
        post=post,
        status=status,
        grade=grade,
        name_part=name_part,
        id_number=id_number,
        schedule=ledger.schedule(),
    )
    after = roster.decode_cursor(str(cursor)) if cursor else ""
    table = table_response(request, roster.every(store, where), roster.COLUMNS, "roster")
    if table is not None:
        return table
    items = roster.page(store, where, after, limit + 1)
    more = len(items) > limit
    items = items[:limit]
    return {
        "items": items,
        "next_cursor": roster.encode_cursor(items[-1]["worker_id"]) if more else None,
    }


@router.get("/{worker_id}", response_model=WorkerOut, responses=READ_PROBLEMS)
def get_worker(
    worker_id: UUID,
    actor: ActorDep,
    ledger: LedgerDep,
    response: Response,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> Any:
    """The worker on `as_of`, as the ledger knew it at `known_at`. The `ETag` is the
    worker's version: send it back as `If-Match` on a change to refuse it (409
    `concurrent_modification`) if someone changed the worker in between."""
    found = ledger.worker_view(actor, worker_id, as_of or date.today(), known_at)
    response.headers["ETag"] = etag(found["version"])
    return redact(actor, found)


@router.get(
    "/{worker_id}/history",
    response_model=HistoryOut,
    responses={**READ_PROBLEMS, 200: {"content": TABLE_CONTENT}},
)
def get_history(
    worker_id: UUID,
    request: Request,
    actor: ActorDep,
    ledger: LedgerDep,
    read_models: ReadModelsDep,
    known_at: KnownAt = None,
) -> Any:
    """Every recorded fact in effective-date order, with who recorded it and when; each
    with its Chinese label (`type_label`), a Chinese label beside each code of its data
    (`rating_label`, `post_label`, `reason_label`...), the unit the worker was in
    (`unit_id`, `unit_name`) and, for a transfer, the unit left (`from_unit_id`,
    `from_unit_name`). `Accept: text/csv` gives one row per fact (UTF-8 with BOM,
    bilingual headers), the .xlsx media type a workbook."""
    found = redact(actor, ledger.worker_history(actor, worker_id, known_at))
    names = history.unit_names(read_models.store)
    items = history.labelled(found, names, ledger.schedule())
    table = table_response(
        request, history.rows(items), history.COLUMNS, f"history-{worker_id}", bilingual=True
    )
    if table is not None:
        return table
    return {"items": items}
