"""What every console page needs: the templates, the reader's language, who is asking,
and the refusal page. Routes take ``PageDep`` and call ``page.render``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, cast
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from console.session import (
    PASSWORD_PATH,
    PasswordChangeRequired,
    SignInRequired,
    csrf_token,
    current_person,
)
from domain import catalogue
from domain.access import Actor
from domain.policy import PolicySchedule
from domain.vocabulary import Labelled
from ledger.application import Ledger
from ledger.commands import Context
from projections.queries.posts import Posts, posts_on

LANGUAGE_COOKIE = "ledger_lang"
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def locale_of(request: Request) -> str:
    """The reader's language: their choice (a cookie), else the browser's, else Chinese."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in catalogue.LOCALES:
        return chosen
    return catalogue.negotiate(request.headers.get("accept-language"))


def fmt_date(value: date | str | None, locale: str) -> str:
    """``2026年1月1日`` in Chinese, ``2026-01-01`` in English."""
    if value is None or value == "":
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.year}年{day.month}月{day.day}日" if locale == catalogue.ZH else day.isoformat()


def fmt_money(value: Decimal | str | float | None) -> str:
    """Thousands separated, two decimals: ``12,345.60``."""
    if value is None or value == "":
        return ""
    return f"{Decimal(str(value)):,.2f}"


@dataclass
class Page:
    """One request to a console page, as seen by the page's code and its template."""

    request: Request
    actor: Actor
    locale: str
    ledger: Ledger
    extra: dict[str, Any] = field(default_factory=dict)
    csrf_token: str = ""  # every form's hidden ``csrf_token``; base.html puts it in hx-headers

    def t(self, key: str, /, **params: Any) -> str:
        return catalogue.text(key, self.locale, **params)

    def label(self, member: Labelled) -> str:
        return catalogue.label(member, self.locale)

    # Posts are the policy's (a version's own codes and labels), not a fixed list: every
    # page shows, offers and checks them through these, under the version in force on the
    # date concerned. ``schedule``: the policy as known at a moment (the person page's
    # 知情时间), else the latest, read once per request.
    def schedule(self) -> PolicySchedule:
        if "schedule" not in self.extra:
            self.extra["schedule"] = self.ledger.schedule()
        return cast(PolicySchedule, self.extra["schedule"])

    def post_labels(self, day: date, schedule: PolicySchedule | None = None) -> Posts:
        """The posts of the version in force on ``day`` in the reader's language: the
        queries' own (``projections.queries.posts``), so a page names a post as the API
        and the reports do."""
        return posts_on(schedule or self.schedule(), day, self.locale)

    def post_label(
        self, code: str | None, day: date, schedule: PolicySchedule | None = None
    ) -> str:
        """A recorded post code's label in the reader's language, under the version in
        force on ``day`` (a dropped code under the post it maps to); ``—`` for none.
        For a code a query has already labelled, use the query's ``post_label``."""
        if not code:
            return "—"
        return self.post_labels(day, schedule).label(code)

    def post_text(
        self, answered: Mapping[str, Any], day: date, schedule: PolicySchedule | None = None
    ) -> str:
        """The post of an answer that names it under the version in force on ``day`` (a
        pay line, the worker card): its ``post_label``, in Chinese, on a Chinese page;
        else looked up in the reader's language."""
        if self.locale == catalogue.ZH and answered.get("post_label"):
            return str(answered["post_label"])
        return self.post_label(answered.get("post"), day, schedule)

    def posts(self, day: date) -> list[tuple[str, str]]:
        """The posts of the version in force on ``day``, top first: (code, label), what
        a form offers (values are codes) and a table's columns."""
        return list(self.post_labels(day).labels().items())

    def post_code(self, value: str | None, day: date) -> str | None:
        """A form's post: empty is "any", a code of the version in force on ``day`` is
        itself, anything else is refused naming the posts there are."""
        if not value or not value.strip():
            return None
        return self.schedule().on(day).require_post(value.strip())

    def context(self) -> Context:
        """A write's context: the person is the author of every fact it records."""
        return Context(actor=self.actor, request_id=str(self.request.state.request_id))

    def render(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        return templates.TemplateResponse(
            self.request,
            template,
            {"page": self, "csrf_token": self.csrf_token, **values},
            status_code=status_code,
        )


def page(request: Request, actor: Annotated[Actor, Depends(current_person)]) -> Page:
    ledger = cast(Ledger, request.app.state.ledger)
    return Page(request, actor, locale_of(request), ledger, csrf_token=csrf_token(request, actor))


PageDep = Annotated[Page, Depends(page)]


def _globals() -> None:
    env = templates.env
    env.globals["fmt_money"] = fmt_money
    env.globals["fmt_date"] = fmt_date
    env.globals["t"] = catalogue.text
    env.globals["label"] = catalogue.label
    env.autoescape = True


_globals()


def install_error_pages(app: FastAPI) -> None:
    """Refusals on console pages answer a page in the reader's language, never a trace:
    the API's handlers stay for ``/api``; pages get HTML from ``problem_page``."""

    async def sign_in(request: Request, _: Exception) -> Response:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": f"/sign-in?next={target}"})
        return RedirectResponse(f"/sign-in?next={target}", status_code=303)

    async def change_password(request: Request, _: Exception) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": PASSWORD_PATH})
        return RedirectResponse(PASSWORD_PATH, status_code=303)

    app.add_exception_handler(SignInRequired, sign_in)
    app.add_exception_handler(PasswordChangeRequired, change_password)
    app.state.problem_page = problem_page
    app.state.problem_locale = locale_of


def problem_page(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A refusal as a page (for htmx, the fragment that takes the form's message box).
    Called by ``api.problems.problem`` for non-API paths, with the title and detail
    already in the reader's language (``app.state.problem_locale``)."""
    values = {
        "locale": locale_of(request),
        "code": code,
        "title": title,
        "detail": detail,
        "status": status,
    }
    template = "_problem.html" if request.headers.get("hx-request") else "error.html"
    keep = {k: v for k, v in (headers or {}).items() if k.lower() in ("retry-after", "allow")}
    return templates.TemplateResponse(request, template, values, status_code=status, headers=keep)
