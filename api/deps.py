"""What endpoints need from a request: the ledger, who is asking, and the write context."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, cast
from uuid import UUID

from fastapi import Depends, Header, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth_limits import FailedAuthentications
from api.schemas.common import LedgerDate, LedgerMoment
from domain.access import Actor, token_id
from domain.errors import InvalidInput, Unauthorized
from ledger.application import Ledger
from ledger.commands import Context
from projections.live import LiveReadModels, StaleReadModels
from projections.projector import Projector
from projections.sql import ReadStore

MAX_TOKEN_LENGTH = 256

_bearer = HTTPBearer(
    auto_error=False,
    description="An access token: `Authorization: Bearer lgr_...`",
)


# Dependencies that only read the request are ``async``: FastAPI runs a plain ``def``
# dependency in its thread pool, a thread hop each (three per write, measured in the load
# test). Those that touch the store (``get_actor``, ``get_read_models``) stay ``def``.


async def get_ledger(request: Request) -> Ledger:
    return cast(Ledger, request.app.state.ledger)


LedgerDep = Annotated[Ledger, Depends(get_ledger)]


def get_actor(
    request: Request,
    ledger: LedgerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The caller. A valid token always gets through: failures from the same address
    (an office behind one shared address) never lock out a colleague's valid token.
    A token that fails counts against the client's address and the token's id, and once
    either failed too often in the window, further failures answer 429 instead of 401."""
    limits: FailedAuthentications = request.app.state.auth_failures
    secret = credentials.credentials if credentials else None
    if secret is None:
        # Not an attempt at a secret, so not counted: a client that forgot its header.
        raise Unauthorized.because("token_missing")
    keys = [f"address:{request.client.host if request.client else 'unknown'}"]
    if len(secret) <= MAX_TOKEN_LENGTH:
        keys.append(f"token:{token_id(secret)}")
    try:
        if len(secret) > MAX_TOKEN_LENGTH:
            raise Unauthorized.because("token_unknown")
        return ledger.authenticate(secret)
    except Unauthorized:
        limits.check(*keys)  # over the limit: 429, and this failure is not counted again
        limits.failed(*keys)
        raise


ActorDep = Annotated[Actor, Depends(get_actor)]


async def get_request_id(request: Request) -> str:
    """Set by :class:`api.middleware.RequestContext`: the caller's X-Request-ID or a new one."""
    return cast(str, request.state.request_id)


RequestIdDep = Annotated[str, Depends(get_request_id)]


async def get_fingerprint(request: Request) -> str:
    """What the request asks for, so a reused Idempotency-Key with another request is caught.

    The body is canonicalised (keys sorted, no spacing) so that the same JSON
    sent with other formatting is still the same request. Async only because
    reading the body is; FastAPI has already read and cached it.
    """
    body = await request.body()
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
    except (ValueError, RecursionError):
        canonical = body.decode("utf-8", "replace")  # refused by validation anyway
    text = f"{request.method}\n{request.url.path}\n{canonical}"
    # surrogatepass: a lone surrogate must reach validation (a 422), not crash the hash.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Send the same key with the same body again to get the first answer, "
        "with nothing recorded twice",
    ),
]


# ``*``, or ETags (versions, quoted or not) separated by commas.
IF_MATCH_PATTERN = r'^(\*|"?[0-9]{1,9}"?([ \t]*,[ \t]*"?[0-9]{1,9}"?)*)$'
IF_MATCH = "If-Match"
IfMatch = Annotated[
    str | None,
    Header(
        alias=IF_MATCH,
        max_length=200,
        pattern=IF_MATCH_PATTERN,
        description="On a change to one worker or unit: the ETag (version) you read it at; "
        "if someone changed it since, nothing is recorded and the answer is 409 "
        "`concurrent_modification`",
    ),
]
_VERSION_TAG = re.compile(r'^"?([0-9]{1,9})"?$')


def etag(version: int) -> str:
    """A worker's or unit's version as an ETag: it changes with every recorded fact."""
    return f'"{version}"'


def parse_if_match(request: Request, value: str | None) -> frozenset[int] | None:
    if value is None or value.strip() == "*":
        return None
    path = getattr(request.scope.get("route"), "path", "")
    if "{worker_id}" not in path and "{unit_id}" not in path:
        # Refused rather than ignored: a caller relying on it would be unprotected.
        raise InvalidInput.because("if_match_scope", field="If-Match")
    versions = set()
    for tag in value.split(","):
        found = _VERSION_TAG.match(tag.strip())
        if not found:
            raise InvalidInput.because("if_match_form", field="If-Match")
        versions.add(int(found.group(1)))
    return frozenset(versions)


async def get_context(
    request: Request,
    actor: ActorDep,
    request_id: RequestIdDep,
    fingerprint: Annotated[str, Depends(get_fingerprint)],
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Context:
    return Context(
        actor=actor,
        request_id=request_id,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        if_match=parse_if_match(request, if_match),
    )


ContextDep = Annotated[Context, Depends(get_context)]


AsOf = Annotated[
    LedgerDate | None,
    Query(description="The effective date to answer for (YYYY-MM-DD); default today"),
]
# Cursors are opaque to clients (passed back unchanged) but their form is stated, so that
# every cursor the document allows is one the server can read.
CURSOR = "Opaque: the `next_cursor` of the previous page, passed unchanged"
VersionCursor = Annotated[str | None, Query(pattern=r"^[0-9]{1,9}$", description=CURSOR)]
WorkerCursor = Annotated[UUID | None, Query(description=CURSOR)]
KnownAt = Annotated[
    LedgerMoment | None,
    Query(
        description="Answer with only what was recorded by this time (RFC 3339, with a "
        "timezone); default now"
    ),
]


def get_read_models(request: Request) -> Projector:
    """The read models, caught up with every write recorded before this request."""
    live: LiveReadModels | None = request.app.state.read_models
    if live is None:
        raise StaleReadModels(0, 0)
    return live.fresh()


ReadModelsDep = Annotated[Projector, Depends(get_read_models)]


def fresh_read_store(request: Request) -> ReadStore | None:
    """The read models when they hold every write so far (a simulation then prices a
    pay-only draft from the stored careers, or reads the recorded facts); behind, or
    absent, None: the simulation replays the history instead, never refuses."""
    live: LiveReadModels | None = request.app.state.read_models
    if live is None:
        return None
    try:
        return live.fresh().store
    except StaleReadModels:
        return None


async def refuse_unknown_query(request: Request) -> None:
    """Refuse query parameters the endpoint does not take, as unknown body fields are.

    Ignored, a misspelt ``knwon_at`` would answer with today's payroll as if it were the
    one asked for: an auditor would never know. Every endpoint runs this first.
    """
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    takes = _query_names(route)
    unknown = [name for name in request.query_params if name not in takes]
    if unknown:
        listed = ", ".join(sorted(takes)) or "none"
        raise RequestValidationError(
            [
                {
                    "loc": ("query", name),
                    "msg": f"is not a parameter of this endpoint (it takes: {listed})",
                    "ctx": {"takes": listed},
                    "type": "extra_forbidden",
                }
                for name in unknown
            ]
        )


def _query_names(route: APIRoute) -> frozenset[str]:
    """What the route's endpoint and its dependencies declare, worked out once per route
    and kept on it (routes compare by path, not identity, so they cannot key a cache)."""
    found: frozenset[str] | None = getattr(route, "_declared_query", None)
    if found is None:
        found = frozenset(_declared(route.dependant))
        route._declared_query = found  # type: ignore[attr-defined]
    return found


def _declared(dependant: Dependant) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared(sub)
    return names
