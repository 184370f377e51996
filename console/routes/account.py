"""``/sign-in``, ``/sign-out`` and ``/account/password``: a person's way in and out.

A refusal (a wrong password, a locked account, a weak new password) is shown in place,
on the form, in the reader's language; the facts (signed in, failed, locked out,
signed out, password changed) are recorded by the ledger's use cases.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from console.session import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    PasswordChangeRequired,
    SignInRequired,
    check_sign_in_form,
    clear_cookie,
    current_person,
    new_sign_in_token,
    set_cookie,
)
from console.web import PageDep, locale_of, templates
from domain import catalogue
from domain.access import Actor
from domain.errors import AccountLocked, InvalidInput, Unauthorized, WeakPassword
from ledger.application import Ledger

router = APIRouter(include_in_schema=False)
CHINA = timezone(timedelta(hours=8), "CST")  # no daylight saving: a fixed offset is exact

Text = Annotated[str, Form(max_length=1000)]


def local_target(next: str | None) -> str:
    """Where to go after signing in: only a path of this site, never elsewhere."""
    if not next or not next.startswith("/") or next.startswith("//") or "\\" in next:
        return "/"
    return next


def _ledger(request: Request) -> Ledger:
    return cast(Ledger, request.app.state.ledger)


def _render_sign_in(
    request: Request,
    *,
    next: str,
    message: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HTMLResponse:
    token = new_sign_in_token()
    locale = locale_of(request)
    answer = templates.TemplateResponse(
        request,
        "sign_in.html",
        {
            "locale": locale,
            "csrf_token": token,
            "next": local_target(next),
            "message": message,
            **extra,
        },
        status_code=status,
        headers=headers,
    )
    set_cookie(request, answer, SIGN_IN_COOKIE, token)
    return answer


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str = "/") -> HTMLResponse:
    return _render_sign_in(request, next=next)


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(
    request: Request,
    name: Text = "",
    password: Text = "",
    csrf_token: Text = "",
    next: Text = "/",
) -> Response:
    await check_sign_in_form(request, csrf_token)
    locale = locale_of(request)
    try:
        secret, _ = await run_in_threadpool(
            _ledger(request).sign_in, name, password, str(request.state.request_id)
        )
    except AccountLocked as locked:
        until = locked.locked_until.astimezone(CHINA)
        message = catalogue.text(
            "page.sign_in.locked",
            locale,
            until=f"{until:%H:%M:%S}",
            seconds=locked.retry_after_seconds,
        )
        return _render_sign_in(
            request,
            next=next,
            message=message,
            status=429,
            name=name,
            headers={"Retry-After": str(locked.retry_after_seconds)},
        )
    except Unauthorized:
        message = catalogue.text("page.sign_in.wrong", locale)
        return _render_sign_in(request, next=next, message=message, status=401, name=name)
    answer = RedirectResponse(local_target(next), status_code=303)
    set_cookie(request, answer, SESSION_COOKIE, secret)
    clear_cookie(request, answer, SIGN_IN_COOKIE)
    return answer


async def _signing_out(request: Request) -> Actor | None:
    """The person signing out; an ended session just goes to the sign-in page."""
    try:
        return await current_person(request)
    except (SignInRequired, PasswordChangeRequired):  # pragma: no cover - sign-out is exempt
        return None


@router.post("/sign-out")
async def sign_out(
    request: Request, actor: Annotated[Actor | None, Depends(_signing_out)]
) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret and actor is not None:
        await run_in_threadpool(_ledger(request).sign_out, secret, str(request.state.request_id))
    answer = RedirectResponse("/sign-in", status_code=303)
    clear_cookie(request, answer, SESSION_COOKIE)
    return answer


@router.get("/account/password", response_class=HTMLResponse)
def password_form(page: PageDep) -> HTMLResponse:
    return page.render("password.html", section="account")


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    page: PageDep,
    current_password: Text = "",
    new_password: Text = "",
    confirm_password: Text = "",
) -> Response:
    request = page.request
    secret = str(getattr(request.state, "console_secret", ""))
    if new_password != confirm_password:
        return page.render(
            "password.html", status_code=422, message=page.t("page.password.mismatch")
        )
    try:
        page.ledger.change_password(
            secret, current_password, new_password, str(request.state.request_id)
        )
    except AccountLocked as locked:
        until = locked.locked_until.astimezone(CHINA)
        message = page.t(
            "page.sign_in.locked", until=f"{until:%H:%M:%S}", seconds=locked.retry_after_seconds
        )
        return page.render("password.html", status_code=429, message=message)
    except InvalidInput as refused:
        return page.render("password.html", status_code=422, message=_why(page.locale, refused))
    except Unauthorized:
        raise SignInRequired from None
    return RedirectResponse("/?password=changed", status_code=303)


def _why(locale: str, refused: InvalidInput) -> str:
    """The catalogue's words for a refused password (the ledger's detail is English)."""
    if isinstance(refused, WeakPassword):
        return catalogue.text(f"page.password.{refused.reason}", locale)
    if refused.field == "current_password":
        return catalogue.text("page.password.current_wrong", locale)
    return refused.detail
