"""Policy versions: adopt one (admins), list them, read the one in force on a date."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api import problems
from api.deps import ActorDep, AsOf, ContextDep, KnownAt, LedgerDep, VersionCursor
from api.schemas.policies import PolicyAdoptedOut, PolicyIn, PolicyInForceOut, PolicyListOut
from domain.policy_schema import policy_schema

router = APIRouter(prefix="/policies", tags=["policies"])

WRITE_PROBLEMS = problems.responses(401, 403, 409, 422, 503)
READ_PROBLEMS = problems.responses(401, 404, 422, 503)


@router.post("", status_code=201, response_model=PolicyAdoptedOut, responses=WRITE_PROBLEMS)
def adopt_policy(body: PolicyIn, ctx: ContextDep, ledger: LedgerDep) -> Any:
    """Adopt a new policy version from `effective_date` (admins only). The document is
    checked completely first: a bad one answers 422 `policy_invalid` with every problem
    in `errors`, and nothing is recorded. The date must fall after the latest adopted
    version's (409 `policy_out_of_order`); a date before today is allowed, and the
    payroll as known before the adoption (`known_at`) then gives the back pay owed.
    Every figure dated from `effective_date` on follows the new version; earlier ones
    do not change."""
    return ledger.adopt_policy(ctx, body.policy, body.effective_date, body.document_ref)


@router.get("", response_model=PolicyListOut, responses=READ_PROBLEMS)
def list_policies(
    actor: ActorDep,
    ledger: LedgerDep,
    known_at: KnownAt = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size")] = 100,
    cursor: VersionCursor = None,
) -> Any:
    """The adopted versions in version order, each with its effective dates, who adopted
    it and when the ledger recorded it; with `known_at`, only those recorded by then."""
    after = int(cursor) if cursor else 0  # the last version of the previous page
    found = [v for v in ledger.policy_versions(known_at) if v["version"] > after]
    items = found[:limit]
    more = len(found) > limit
    return {"items": items, "next_cursor": str(items[-1]["version"]) if more else None}


@router.get("/current", response_model=PolicyInForceOut, responses=READ_PROBLEMS)
def current_policy(
    actor: ActorDep, ledger: LedgerDep, as_of: AsOf = None, known_at: KnownAt = None
) -> Any:
    """The version in force on `as_of` (default today) with every parameter, its source
    and note, as the ledger knew it at `known_at` (default now)."""
    return ledger.policy_in_force(as_of or date.today(), known_at)


@router.get("/current/document", response_model=dict[str, Any], responses=READ_PROBLEMS)
def current_policy_document(
    actor: ActorDep, ledger: LedgerDep, as_of: AsOf = None, known_at: KnownAt = None
) -> Any:
    """The document of the version in force on `as_of` (default today), exactly as it was
    adopted, as the ledger knew it at `known_at`: `POST /policies` (as `policy`) and
    `POST /simulations` accept it unchanged, so "take the policy in force, change one
    number, try it" needs no hand editing. Its shape is `GET /policies/schema`."""
    return ledger.policy_document(as_of or date.today(), known_at)


@router.get("/schema", response_model=dict[str, Any], responses=problems.responses(401, 503))
def policy_format_schema(actor: ActorDep) -> Any:
    """The JSON Schema (draft 2020-12) of a policy document, as `docs/policy-schema.json`:
    point an editor at it to check a policy file as it is written. The schema says the
    shape; adopting or simulating also checks what a schema cannot (a coefficient for every
    grade of a band, bands in post order) and lists every problem."""
    return policy_schema()
