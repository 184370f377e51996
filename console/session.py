"""Who is using the console: the signed-in person, from their session cookie; and the
checks that keep another site from acting in their name (CSRF).

The accounts and sessions themselves are the ledger's (``ledger/use_cases/accounts.py``);
this module reads the cookie, checks every POST before anything is looked up or
recorded, and turns an answer into a redirect. Pages depend on ``current_person``; a
page test may override it with a fixed ``Actor``.

CSRF: every form carries ``csrf_token`` (htmx sends it as ``X-CSRF-Token``, from
``hx-headers`` in base.html): an HMAC of the session's id under a key kept in the
ledger. Every POST must bring it, and must not come from another site
(``Sec-Fetch-Site``, ``Origin``). The sign-in form, before any session, carries a
random value that must match its own cookie (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import cast
from urllib.parse import urlsplit
from uuid import UUID

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from domain.access import Actor
from domain.errors import Forbidden, Unauthorized
from domain.session import session_id
from ledger.application import Ledger
from ledger.settings import Settings, get_settings

SESSION_COOKIE = "ledger_session"
SIGN_IN_COOKIE = "ledger_sign_in"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
PASSWORD_PATH = "/account/password"  # noqa: S105 - a path, not a password
SIGN_OUT_PATH = "/sign-out"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SignInRequired(Exception):
    """No valid session: the page answers a redirect to the sign-in page."""


class PasswordChangeRequired(Exception):
    """Signed in with a one-time password: the page answers a redirect to change it."""


class CsrfRefused(Forbidden):
    """A POST without this session's anti-forgery token, or from another site."""

    code = "csrf_failed"
    title = "The form could not be verified as coming from this site"


async def current_person(request: Request) -> Actor:
    """The person signed in on this request's session, or ``SignInRequired``.

    A POST is checked for forgery first, from the cookie alone, so a forged request
    records nothing (not even that the session was seen).
    """
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        raise SignInRequired
    if request.method not in SAFE_METHODS:
        await check_csrf(request, _session_key(secret))
    ledger = cast(Ledger, request.app.state.ledger)
    try:
        person = await run_in_threadpool(ledger.session_person, secret)
    except Unauthorized:
        raise SignInRequired from None
    request.state.console_session = person.session_id
    request.state.console_secret = secret
    request.state.must_change_password = person.must_change_password
    if person.must_change_password and request.url.path not in (PASSWORD_PATH, SIGN_OUT_PATH):
        raise PasswordChangeRequired
    return person.actor


def csrf_token(request: Request, actor: Actor | None = None) -> str:
    """This session's anti-forgery token (for a page test's fixed person: of its name)."""
    found: UUID | None = getattr(request.state, "console_session", None)
    subject = found.hex if found else f"actor:{actor.name if actor else ''}"
    return _sign(request, subject)


async def check_csrf(request: Request, subject: str) -> None:
    """Refuse a POST from another site, or without this session's token."""
    check_same_origin(request)
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()  # parsed once: the endpoint's Form fields reuse it
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not given or not hmac.compare_digest(given, _sign(request, subject)):
        raise CsrfRefused.because("csrf_token")


def check_same_origin(request: Request) -> None:
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise CsrfRefused.because("csrf_other_site")
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise CsrfRefused.because("csrf_other_site")


async def check_sign_in_form(request: Request, given: str) -> None:
    """The sign-in form (no session yet): same origin, and its token matches its cookie."""
    check_same_origin(request)
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    if not expected or not given or not hmac.compare_digest(given, expected):
        raise CsrfRefused.because("csrf_sign_in_form")


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(24)


def settings_of(request: Request) -> Settings:
    found = getattr(request.app.state, "settings", None)
    return found if isinstance(found, Settings) else get_settings()


def secure_request(request: Request) -> bool:
    """Whether the person reached us over HTTPS (by a trusted proxy's word if it says so)."""
    if request.url.scheme == "https":
        return True
    if settings_of(request).console_trust_proxy:
        forwarded = request.headers.get("x-forwarded-proto", "")
        return forwarded.split(",")[0].strip().lower() == "https"
    return False


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """HttpOnly, SameSite=Lax, Path=/, and Secure when the request came over HTTPS; a
    browser-session cookie: the ledger decides when the session ends."""
    response.set_cookie(
        name, value, httponly=True, samesite="lax", path="/", secure=secure_request(request)
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name, path="/", httponly=True, samesite="lax", secure=secure_request(request)
    )


def _session_key(secret: str) -> str:
    return session_id(secret).hex if len(secret) <= 256 else ""


def _sign(request: Request, subject: str) -> str:
    key: bytes | None = getattr(request.app.state, "console_key", None)
    if key is None:
        key = cast(Ledger, request.app.state.ledger).console_key()
        request.app.state.console_key = key
    return hmac.new(key, f"csrf:{subject}".encode(), hashlib.sha256).hexdigest()
