"""``/``: the console's front page, with the way to every task."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from console.web import PageDep

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(page: PageDep) -> HTMLResponse:
    return page.render("home.html")
