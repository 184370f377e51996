"""Access tokens over HTTP, for admins: list, issue, revoke. The same as ``ledger tokens``.

``POST /tokens`` ignores ``Idempotency-Key``: its answer holds the new secret,
and the ledger keeps idempotent answers in its store, where no secret may go.
Retrying it issues a second token; revoke the one you did not keep.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from api import problems
from api.deps import ActorDep, ContextDep, LedgerDep
from api.schemas.tokens import IssuedTokenOut, RevocationIn, TokenIn, TokenListOut, TokenOut
from domain.access import AccessToken, token_id
from ledger import views

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.get(
    "",
    response_model=TokenListOut,
    responses=problems.responses(401, 403, 503),
    summary="Every access token issued (admin)",
)
def list_tokens(actor: ActorDep, ledger: LedgerDep) -> dict[str, Any]:
    """Oldest first, revoked and expired ones included; never a secret."""
    return {"items": ledger.tokens(actor), "next_cursor": None}


@router.post(
    "",
    status_code=201,
    response_model=IssuedTokenOut,
    responses=problems.responses(401, 403, 404, 422, 503),
    summary="Issue an access token (admin)",
)
def issue_token(body: TokenIn, ctx: ContextDep, ledger: LedgerDep) -> dict[str, Any]:
    """The answer carries the secret, once. Not idempotent (see the module notes)."""
    secret = ledger.create_token(
        body.name, body.role, body.unit_id, expires_at=body.expires_at, ctx=ctx
    )
    token: object = ledger.repository.get(token_id(secret))
    assert isinstance(token, AccessToken)
    return {**views.token(token), "token": secret}


@router.post(
    "/{token_id}/revocation",
    status_code=201,
    response_model=TokenOut,
    responses=problems.responses(401, 403, 404, 409, 422, 503),
    summary="Revoke an access token (admin)",
)
def revoke_token(
    token_id: UUID, body: RevocationIn, ctx: ContextDep, ledger: LedgerDep
) -> dict[str, Any]:
    """From now on the token answers 401. Revoking it again is refused (409
    `token_already_revoked`); the first revocation stays on record."""
    return ledger.revoke_token(token_id, body.reason, ctx=ctx)
