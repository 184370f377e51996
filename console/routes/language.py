"""``/language/{locale}``: the English switch (a preference cookie; Chinese by default)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from console.routes.account import local_target
from console.web import LANGUAGE_COOKIE
from domain import catalogue
from domain.errors import NotFound

router = APIRouter(include_in_schema=False)
YEAR = 365 * 24 * 3600


@router.get("/language/{locale}")
def choose(locale: str, next: str = "/") -> RedirectResponse:
    if locale not in catalogue.LOCALES:
        raise NotFound(f"no language {locale}")
    answer = RedirectResponse(local_target(next), status_code=303)  # never elsewhere
    answer.set_cookie(LANGUAGE_COOKIE, locale, max_age=YEAR, httponly=True, samesite="lax")
    return answer
