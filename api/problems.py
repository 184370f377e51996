"""The one place that turns refusals and failures into ``application/problem+json``.

Every error answer has ``{type, title, status, detail, code}`` (RFC 9457 plus
a stable machine ``code``), ``field`` when one field is to blame, ``errors``
for validation, and the ``request_id`` to quote when asking for help.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, cast

import psycopg
from eventsourcing import persistence
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.problem_docs import PROBLEM_JSON, declare_common_problems
from api.problem_docs import responses as responses  # the routers declare their own
from domain import catalogue
from domain.errors import (
    AccountLocked,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    LedgerError,
    NotFound,
    PolicyInvalid,
    RuleViolation,
    TooManyFailedAuthentications,
    Unauthorized,
)
from projections.live import StaleReadModels

logger = logging.getLogger("api")

RETRY_AFTER_SECONDS = "5"

# First match wins, so a subclass listed before its base would take precedence.
STATUS_BY_ERROR: tuple[tuple[type[LedgerError], int], ...] = (
    (NotFound, 404),
    (InvalidInput, 422),
    (PolicyInvalid, 422),
    (IdempotencyKeyReused, 422),
    (RuleViolation, 409),
    (Unauthorized, 401),
    (AccountLocked, 429),  # a person's account, after too many wrong passwords
    (TooManyFailedAuthentications, 429),
    (Forbidden, 403),
)

# The store did not answer: worth retrying later, so 503 rather than 500.
STORE_ERRORS: tuple[type[Exception], ...] = (
    persistence.OperationalError,
    persistence.InterfaceError,
    psycopg.OperationalError,
    sqlite3.OperationalError,
)

HTTP_CODES = {
    401: ("unauthorized", "A valid bearer token is required"),
    403: ("forbidden", "Your role or unit does not allow this"),
    404: ("not_found", "No such resource"),
    405: ("method_not_allowed", "The resource does not allow this method"),
    406: ("not_acceptable", "The resource cannot answer in the requested format"),
    413: ("payload_too_large", "The request body is too large"),
    415: ("unsupported_media_type", "The request body must be JSON"),
}


# A detail as it is (English, said by a library or a probe), or in a locale.
Detail = str | Callable[[str], str]


def keyed(english: str, key: str, **params: Any) -> Callable[[str], str]:
    """``english`` as it is, and in another locale the catalogue's ``problem.detail.<key>``."""

    def written(locale: str) -> str:
        return english if locale == catalogue.EN else catalogue.message(key, locale, params)

    return written


def locale_for(request: Request | None) -> str:
    """The language of a problem: a console page's reader's (``app.state.problem_locale``),
    else what ``Accept-Language`` asks among ours, else English (for callers that ask
    nothing, as the API always answered)."""
    if request is None:
        return catalogue.EN
    if not request.url.path.startswith("/api/"):
        reader = getattr(request.app.state, "problem_locale", None)
        if reader is not None:
            return cast(str, reader(request))
    return catalogue.negotiate(request.headers.get("accept-language"), default=catalogue.EN)


def title_in(code: str, title: str, locale: str) -> str:
    """The title of ``code``: as given in English, else the catalogue's ``problem.<code>.title``."""
    key = f"problem.{code}.title"
    if locale == catalogue.EN or key not in catalogue.entries(locale):
        return title
    return catalogue.text(key, locale)


def status_for(error: LedgerError) -> int:
    for cls, status in STATUS_BY_ERROR:
        if isinstance(error, cls):
            return status
    return 400


def problem(
    request: Request | None,
    status: int,
    code: str,
    title: str,
    detail: Detail,
    *,
    field: str | None = None,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The problem answer, its title and detail in the reader's language: ``code`` and
    ``field`` never change with it."""
    locale = locale_for(request)
    title = title_in(code, title, locale)
    detail = detail(locale) if callable(detail) else detail
    if request is not None and not request.url.path.startswith("/api/"):
        # A page of the console (or an unknown path): a person reads it, so it answers
        # HTML in their language when the console is installed (console/web.py).
        page = getattr(request.app.state, "problem_page", None)
        if page is not None:
            return cast(Response, page(request, status, code, title, detail, headers))
    headers = {**(headers or {}), "Content-Language": locale, "Vary": "Accept-Language"}
    body: dict[str, Any] = {
        "type": f"urn:community-worker-ledger:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if field is not None:
        body["field"] = field
    if extra:
        body.update(extra)
    if request is not None:
        body["instance"] = request.url.path
        body["request_id"] = getattr(request.state, "request_id", None)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def ledger_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, LedgerError)
    status = status_for(error)
    extra: dict[str, Any] = {}
    if isinstance(error, PolicyInvalid):
        # Each problem in English (`message`) and Chinese (`message_zh`), with its kind.
        extra["errors"] = [
            {"message": p, "message_zh": zh, "kind": getattr(p, "kind", "text")}
            for p, zh in zip(error.problems, error.in_locale(catalogue.ZH), strict=True)
        ]
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(error, TooManyFailedAuthentications):
        headers = {"Retry-After": str(error.retry_after_seconds)}
    return problem(
        request,
        status,
        error.code,
        error.title,
        error.detail_in,
        field=error.field,
        extra=extra,
        headers=headers,
    )


def validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    locale = locale_for(request)
    errors = [_describe(e, locale) for e in error.errors()]
    fields = list(dict.fromkeys(e["field"] for e in errors))
    separator = "; " if locale == catalogue.EN else ";"
    detail = separator.join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(
        request,
        422,
        InvalidInput.code,
        InvalidInput.title,
        detail or catalogue.text("problem.detail.request_invalid", locale),
        field=fields[0] if len(fields) == 1 else None,
        extra={"errors": errors},
    )


def _describe(error: Mapping[str, Any], locale: str = catalogue.EN) -> dict[str, Any]:
    """One pydantic error without its input (which may be large, or a person's ID number)."""
    location, path = _split(error.get("loc", ()))
    kind = error.get("type", "value_error")
    if kind == "json_invalid":
        path = []  # the position inside the body, not a field
    message = error.get("msg", "is not valid")
    if locale != catalogue.EN:
        message = validation_message(kind, error.get("ctx") or {}, locale)
    return {
        "field": ".".join(str(p) for p in path) or location,
        "in": location,
        "message": message,
        "type": kind,
    }


def validation_message(kind: str, context: Mapping[str, Any], locale: str) -> str:
    """Pydantic's message for an error ``kind`` in ``locale``: the catalogue's
    ``validation.<kind>`` (``.listed`` when the context lists what is taken), filled
    from the error's context; the generic words for a kind it does not know."""
    key = f"validation.{kind}" + (".listed" if "takes" in context else "")
    if key not in catalogue.entries(locale):
        key = "validation.invalid"
    try:
        return catalogue.text(key, locale, **{k: str(v) for k, v in context.items()})
    except (KeyError, IndexError):
        return catalogue.text("validation.invalid", locale)


def _split(loc: Sequence[Any]) -> tuple[str, list[Any]]:
    if loc and loc[0] in ("body", "query", "path", "header", "cookie"):
        return str(loc[0]), list(loc[1:])
    return "body", list(loc)


def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400:
        # FastAPI's answer to a body it cannot decode (bad UTF-8, a 5000-digit
        # number): malformed input like any other, so 422 as the contract says.
        locale = locale_for(request)
        message = str(error.detail)
        if locale != catalogue.EN:
            message = validation_message("body_unreadable", {}, locale)
        return problem(
            request,
            422,
            InvalidInput.code,
            InvalidInput.title,
            f"body: {message}",
            field="body",
            extra={
                "errors": [
                    {"field": "body", "in": "body", "message": message, "type": "body_unreadable"}
                ]
            },
        )
    code, title = HTTP_CODES.get(error.status_code, ("http_error", "The request failed"))
    detail: Detail = error.detail if isinstance(error.detail, str) else title
    if isinstance(error.detail, str) and error.detail == _PHRASES.get(error.status_code):
        # Starlette's bare phrase ("Not Found"): the catalogue says it in another language.
        detail = keyed(error.detail, f"http_{error.status_code}")
    headers = error.headers
    if error.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed(request)}
    return problem(request, error.status_code, code, title, detail, headers=headers)


_PHRASES = {status: HTTPStatus(status).phrase for status in HTTP_CODES}


def _allowed(request: Request) -> str:
    """Every method of the path. Starlette names only the first route matching it, and
    ``GET /tokens`` and ``POST /tokens`` are two routes."""
    methods = [
        method
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.router.routes
        )
    ]
    return ", ".join(methods)


def store_unavailable(request: Request, error: Exception) -> Response:
    logger.warning("the event store did not answer: %s", error)
    return problem(
        request,
        503,
        "store_unavailable",
        "The ledger's store is not answering",
        keyed("the database could not be reached; try again shortly", "store_unavailable"),
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def read_models_behind(request: Request, error: Exception) -> Response:
    return problem(
        request,
        503,
        "read_models_behind",
        "The reports are catching up with recent writes",
        keyed(f"{error}; try again shortly", "read_models_behind"),
        headers={"Retry-After": "1"},
    )


def internal_error(request: Request | None) -> Response:
    return problem(
        request,
        500,
        "internal_error",
        "The ledger failed unexpectedly",
        keyed(
            "nothing was recorded by the failed step; the error is logged under the request id",
            "internal_error",
        ),
    )


def install(app: FastAPI) -> None:
    declare_common_problems(app)
    app.add_exception_handler(LedgerError, ledger_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    for cls in STORE_ERRORS:
        app.add_exception_handler(cls, store_unavailable)
    app.add_exception_handler(StaleReadModels, read_models_behind)
